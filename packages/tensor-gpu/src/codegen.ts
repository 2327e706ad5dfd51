import { sizeOf, stridesOf as strides } from '@ssam/tensor';

/**
 * Helpers that write gpu.js kernel sources. Every kernel is a JavaScript function source that gpu.js
 * translates to GLSL; shapes and attributes are inlined as integer literals, so each distinct
 * (primitive, shapes, attributes) compiles once and loops have the constant bounds GLSL ES 1.00
 * requires. Index arithmetic stays in `int` through the native helpers below: float division would
 * round wrong past 2^22 elements.
 */

/** GLSL helpers shared by every kernel. */
export const NATIVE_FUNCTIONS: readonly { readonly name: string; readonly source: string }[] = [
  // Integer division and remainder of non-negative ints (GLSL `/` on ints truncates).
  { name: 'idiv', source: 'int idiv(int a, int b) { return a / b; }' },
  { name: 'imod', source: 'int imod(int a, int b) { return a - (a / b) * b; }' },
  // Whole-valued floats (indices stored in float textures) back to int.
  { name: 'toInt', source: 'int toInt(float x) { return int(floor(x + 0.5)); }' },
  // NOTE: GLSL ES 1.00 has no isnan() and does not promise IEEE NaN comparisons. Mesa keeps these two
  // forms but folds "x < 0 || 0 < x || x == 0" to true; either surviving form detects a NaN.
  { name: 'isNaN_', source: 'float isNaN_(float x) { return (x != x || !(x < 0.0 || x >= 0.0)) ? 1.0 : 0.0; }' },
  // JavaScript's Math.pow in single precision: GLSL pow() is undefined for x < 0 and for
  // x = 0, y <= 0, and says nothing about NaN. (gpu.js only links natives a kernel calls by name,
  // so this one repeats the NaN test instead of calling isNaN_.)
  {
    name: 'jsPow',
    source: `float jsPow(float a, float b) {
  if (b == 0.0) return 1.0;
  if (a != a || !(a < 0.0 || a >= 0.0) || b != b || !(b < 0.0 || b >= 0.0)) return a + b;
  float ab = abs(a);
  if (ab == 1.0 && abs(b) > 3.4e38) return b - b;
  float r = exp2(b * log2(ab));
  bool negative = a < 0.0 || (a == 0.0 && 1.0 / a < 0.0);
  if (!negative) return r;
  if (floor(b) != b) return (b - b) / (b - b);
  if (abs(b) < 16777216.0 && mod(b, 2.0) == 1.0) return -r;
  return r;
}`,
  },
];

/** Row-major strides and element counts: the core's own helpers. */
export { strides, sizeOf };

/**
 * Statements that split the flat int `index` over `shape` into ints `${prefix}0`, `${prefix}1`, ...
 * Axes listed in `skip` are not computed (their coordinate is unused).
 */
export function unravel(index: string, shape: readonly number[], prefix: string, used?: readonly boolean[]): string {
  const st = strides(shape);
  const lines: string[] = [];
  for (let d = 0; d < shape.length; d++) {
    if (used && !used[d]) continue;
    const q = st[d] === 1 ? index : `idiv(${index}, ${st[d]})`;
    const v = d === 0 ? q : shape[d] === 1 ? '0' : `imod(${q}, ${shape[d]})`;
    lines.push(`const ${prefix}${d} = ${v};`);
  }
  return lines.join('\n');
}

/**
 * An int expression Σ coef_d · coord_d + offset, dropping zero terms; `coords[d]` names the int
 * coordinate of axis d.
 */
export function linear(coords: readonly string[], coefs: readonly number[], offset = 0): string {
  const terms: string[] = [];
  for (let d = 0; d < coefs.length; d++) {
    const c = coefs[d]!;
    if (c === 0) continue;
    terms.push(c === 1 ? coords[d]! : `${coords[d]} * ${c}`);
  }
  if (offset !== 0 || terms.length === 0) terms.push(String(offset));
  return terms.join(' + ').replace(/\+ -/g, '- ');
}

/**
 * Turns a scalar snippet in JavaScript syntax (the reference backend's UNARY/BINARY/COMPARE
 * snippets) into gpu.js source: Math.pow keeps JavaScript semantics through jsPow, and the NaN
 * self-test `x !== x` becomes isNaN_ (see NATIVE_FUNCTIONS).
 */
export function translateSnippet(js: string): string {
  return js
    .replace(/Math\.pow\(/g, 'jsPow(')
    .replace(/\b([a-z])\s*!==\s*\1\b/g, '(isNaN_($1) > 0.5)')
    .replace(/===/g, '==')
    .replace(/!==/g, '!=');
}
