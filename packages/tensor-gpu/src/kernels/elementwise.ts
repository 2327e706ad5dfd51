import { BINARY_SNIPPETS, COMPARE_SNIPPETS, UNARY_SNIPPETS, scalar, type PrimAttrs, type Tensor } from '@ssam/tensor';
import { linear, strides, translateSnippet, unravel } from '../codegen.js';
import type { GpuRuntime } from '../runtime.js';

/**
 * THE elementwise template: one output element per GPU thread; each input is read at its NumPy
 * broadcast position; the scalar snippet combines the values. Every unary, binary, compare,
 * select and broadcast primitive is this template plus a snippet (the reference backend's
 * snippets, translated by `translateSnippet`).
 */
export function elementwiseSource(outShape: readonly number[], inShapes: readonly (readonly number[])[], names: readonly string[], snippet: string): string {
  const rank = outShape.length;
  const n = outShape.reduce((a, b) => a * b, 1);
  // Per input: its stride along each output axis (0 where it broadcasts).
  const coefs = inShapes.map((s) => {
    const st = strides(s);
    return outShape.map((d, o) => {
      const k = o - (rank - s.length);
      return k < 0 || s[k] === 1 ? 0 : st[k]!;
    });
  });
  const direct = inShapes.map((s) => s.length === rank && s.every((d, i) => d === outShape[i]));
  const used = outShape.map((_, o) => inShapes.some((s, j) => !direct[j] && coefs[j]![o] !== 0));
  const coords = outShape.map((_, o) => `c${o}`);
  const reads = inShapes.map((s, j) => {
    const idx = direct[j] ? 'i' : s.reduce((a, b) => a * b, 1) === 1 ? '0' : linear(coords, coefs[j]!);
    return `const ${names[j]} = ${names[j]!.toUpperCase()}[${idx}];`;
  });
  return `function(${names.map((x) => x.toUpperCase()).join(', ')}) {
  const i = this.thread.x;
  ${n > 0 && used.some(Boolean) ? unravel('i', outShape, 'c', used) : ''}
  ${reads.join('\n  ')}
  return ${translateSnippet(snippet)};
}`;
}

const key = (prim: string, ins: readonly Tensor[], out: readonly number[]) =>
  `${prim}|${ins.map((t) => t.shape.join('x')).join(',')}|${out.join('x')}`;

function run(rt: GpuRuntime, prim: string, snippet: string, names: readonly string[], ins: readonly Tensor[], outShape: readonly number[]): Tensor {
  return rt.launch(
    prim, key(prim, ins, outShape), outShape,
    () => elementwiseSource(outShape, ins.map((t) => t.shape), names, snippet),
    ins.map((t) => rt.textureOf(t)),
  );
}

export const unary = (prim: keyof typeof UNARY_SNIPPETS) => (rt: GpuRuntime, ins: readonly Tensor[]): Tensor =>
  run(rt, prim, UNARY_SNIPPETS[prim], ['a'], ins, ins[0]!.shape);

export const binary = (prim: keyof typeof BINARY_SNIPPETS) => (rt: GpuRuntime, ins: readonly Tensor[], attrs: PrimAttrs['add']): Tensor =>
  run(rt, prim, BINARY_SNIPPETS[prim], ['a', 'b'], ins, attrs.shape);

export function compare(rt: GpuRuntime, ins: readonly Tensor[], attrs: PrimAttrs['compare']): Tensor {
  return run(rt, `compare.${attrs.op}`, COMPARE_SNIPPETS[attrs.op], ['a', 'b'], ins, attrs.shape);
}

/** where(cond, a, b): NaN conditions pick a, as `cond != 0` does in the reference. */
export function where(rt: GpuRuntime, ins: readonly Tensor[], attrs: PrimAttrs['where']): Tensor {
  return run(rt, 'where', '(c == 0 ? b : a)', ['c', 'a', 'b'], ins, attrs.shape);
}

/** x + (a · b) · value; the value travels as a fourth, rank-0 input so that one compiled kernel serves every value. */
export function addcmul(rt: GpuRuntime, ins: readonly Tensor[], attrs: PrimAttrs['addcmul']): Tensor {
  return run(rt, 'addcmul', '(x + (a * b) * v)', ['x', 'a', 'b', 'v'], [...ins, scalar(attrs.value)], attrs.shape);
}

export function broadcastTo(rt: GpuRuntime, ins: readonly Tensor[], attrs: PrimAttrs['broadcastTo']): Tensor {
  return run(rt, 'broadcastTo', 'a', ['a'], ins, attrs.shape);
}
