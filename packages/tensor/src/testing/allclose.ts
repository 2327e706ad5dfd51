import { fmtShape } from '../errors.js';
import { isTensor, type Tensor } from '../tensor.js';
import { defsEqual, flatten as flattenTree, paths, type Tree } from '../tree.js';

/** What `allClose` accepts: a tensor, a number, a (nested) array of numbers or a typed array. */
export type Numeric = Tensor | number | ArrayLike<number> | readonly Numeric[];

export interface AllCloseOptions {
  /** Relative tolerance, scaled by |expected| (default 1e-5). */
  readonly rtol?: number;
  /** Absolute tolerance (default 1e-6). */
  readonly atol?: number;
  /** Count NaN against NaN as equal (default true: both sides agree the value is undefined). */
  readonly equalNan?: boolean;
}

export interface AllCloseResult {
  /** True when shapes agree and every |a − b| ≤ atol + rtol·|b|. */
  readonly ok: boolean;
  /** Largest |a − b| (Infinity when shapes differ or only one side is NaN/∞). */
  readonly maxAbs: number;
  /** Largest |a − b| / |b| over the elements (0/0 counts as 0). */
  readonly maxRel: number;
  /** Multi-index of the element that breaks the tolerance most (or of the largest |a − b|); null if there is none. */
  readonly worstIndex: number[] | null;
  /** Number of elements outside the tolerance. */
  readonly mismatches: number;
  /** One readable paragraph: shapes, tolerances, the worst element and its two values. */
  readonly message: string;
}

/** Shape and row-major values of a numeric value, in double precision. */
export function toNumeric(x: Numeric, what = 'value'): { shape: number[]; data: ArrayLike<number> } {
  if (isTensor(x)) return { shape: [...x.shape], data: x.toArray() };
  if (typeof x === 'number') return { shape: [], data: [x] };
  if (ArrayBuffer.isView(x)) return { shape: [(x as ArrayLike<number>).length], data: x as ArrayLike<number> };
  if (!Array.isArray(x)) throw new TypeError(`allClose: ${what} must be a Tensor, a number or an array of numbers, got ${typeof x}`);
  const shape: number[] = [];
  let cur: unknown = x;
  while (Array.isArray(cur)) {
    shape.push(cur.length);
    if (cur.length === 0) break;
    cur = cur[0];
  }
  const data: number[] = [];
  const walk = (v: unknown, d: number): void => {
    if (d === shape.length) {
      if (typeof v !== 'number') throw new TypeError(`allClose: ${what} is ragged or holds a non-number at depth ${d}`);
      data.push(v);
      return;
    }
    if (!Array.isArray(v) || v.length !== shape[d]) throw new TypeError(`allClose: ${what} is ragged at depth ${d} (expected ${shape[d]} entries)`);
    for (const e of v) walk(e, d + 1);
  };
  walk(x, 0);
  return { shape, data };
}

/** Short form for tolerances: 1e-6 rather than 0.000001. */
const num = (x: number): string => (x !== 0 && (Math.abs(x) < 1e-3 || Math.abs(x) >= 1e7) ? x.toExponential() : String(x)).replace('e+', 'e');

function unravel(i: number, shape: readonly number[]): number[] {
  const idx = new Array<number>(shape.length);
  for (let d = shape.length - 1; d >= 0; d--) {
    idx[d] = i % shape[d]!;
    i = Math.floor(i / shape[d]!);
  }
  return idx;
}

/**
 * Compares `actual` with `expected` elementwise, NumPy's rule |a − b| ≤ atol + rtol·|b| (b is the
 * expected value), without broadcasting: shapes must match exactly. Never throws on a mismatch;
 * see `expectAllClose` for the throwing form.
 * @example allClose(matmul(a, b), naiveMatmul(a, b), { rtol: 1e-4 }).ok
 */
export function allClose(actual: Numeric, expected: Numeric, opts: AllCloseOptions = {}): AllCloseResult {
  const { rtol = 1e-5, atol = 1e-6, equalNan = true } = opts;
  const a = toNumeric(actual, 'actual');
  const b = toNumeric(expected, 'expected');
  const tol = `atol=${num(atol)}, rtol=${num(rtol)}`;
  const sameShape = a.shape.length === b.shape.length && a.shape.every((d, i) => d === b.shape[i]);
  if (!sameShape)
    return {
      ok: false, maxAbs: Infinity, maxRel: Infinity, worstIndex: null, mismatches: Math.max(a.data.length, b.data.length),
      message: `allClose: shapes differ: actual is ${fmtShape(a.shape)}, expected is ${fmtShape(b.shape)} (no broadcasting here; reshape one side if that is intended)`,
    };
  let maxAbs = 0, maxRel = 0, worst = -1, worstExcess = -Infinity, mismatches = 0, biggest = -1;
  for (let i = 0; i < a.data.length; i++) {
    const x = a.data[i]!, y = b.data[i]!;
    let diff: number, excess: number;
    if (Number.isNaN(x) || Number.isNaN(y)) {
      const agree = equalNan && Number.isNaN(x) && Number.isNaN(y);
      diff = agree ? 0 : Infinity;
      excess = agree ? -Infinity : Infinity;
    } else if (x === y) {
      diff = 0; // also equal infinities
      excess = -(atol + rtol * Math.abs(y));
    } else if (!Number.isFinite(x) || !Number.isFinite(y)) {
      diff = Infinity; // an infinity against anything else (rtol·∞ would excuse it)
      excess = Infinity;
    } else {
      diff = Math.abs(x - y);
      excess = diff - (atol + rtol * Math.abs(y));
    }
    if (diff > maxAbs || biggest < 0) { maxAbs = Math.max(maxAbs, diff); biggest = i; }
    const rel = diff === 0 ? 0 : diff / Math.abs(y);
    if (rel > maxRel) maxRel = rel;
    if (excess > 0) mismatches++;
    if (excess > worstExcess) { worstExcess = excess; worst = i; }
  }
  const ok = mismatches === 0;
  const pick = ok ? biggest : worst;
  const worstIndex = pick < 0 ? null : unravel(pick, a.shape);
  const where = worstIndex ? `[${worstIndex.join(', ')}]` : '-';
  const detail = pick < 0 ? '' : `actual ${a.data[pick]} vs expected ${b.data[pick]} (|diff| ${Math.abs(a.data[pick]! - b.data[pick]!)})`;
  const message = ok
    ? `allClose: ${a.data.length} elements of shape ${fmtShape(a.shape)} within ${tol}; max |diff| ${maxAbs}${pick >= 0 ? ` at ${where}` : ''}`
    : `allClose: ${mismatches} of ${a.data.length} elements of shape ${fmtShape(a.shape)} differ beyond ${tol}; ` +
      `worst at ${where}: ${detail}; max |diff| ${maxAbs}, max rel ${maxRel}`;
  return { ok, maxAbs, maxRel, worstIndex, mismatches, message };
}

/** Throws an Error with `allClose`'s message (prefixed by `label`) unless the values are close. */
export function expectAllClose(actual: Numeric, expected: Numeric, opts: AllCloseOptions & { readonly label?: string } = {}): void {
  const r = allClose(actual, expected, opts);
  if (r.ok) return;
  const dtypes = isTensor(actual) && isTensor(expected) && actual.dtype !== expected.dtype ? ` (dtypes ${actual.dtype} vs ${expected.dtype})` : '';
  throw new Error(`${opts.label ? `${opts.label}: ` : ''}${r.message}${dtypes}`);
}

/**
 * `allClose` over two pytrees: the structures must match and every pair of leaves must be close.
 * The message names the first failing leaf by its path. Arrays are containers in a pytree, so
 * give expected leaves as tensors or numbers.
 */
export function treeAllClose(actual: Tree<Numeric>, expected: Tree<Numeric>, opts: AllCloseOptions = {}): { ok: boolean; message: string } {
  const [la, da] = flattenTree(actual);
  const [lb, db] = flattenTree(expected);
  if (!defsEqual(da, db))
    return { ok: false, message: `treeAllClose: structures differ: ${JSON.stringify(da)} vs ${JSON.stringify(db)}` };
  const paths = leafPaths(actual);
  for (let i = 0; i < la.length; i++) {
    const r = allClose(la[i]!, lb[i]!, opts);
    if (!r.ok) return { ok: false, message: `treeAllClose: leaf ${paths[i] ?? i}: ${r.message}` };
  }
  return { ok: true, message: `treeAllClose: ${la.length} leaves close` };
}

/** Throwing form of `treeAllClose`. */
export function expectTreeAllClose(actual: Tree<Numeric>, expected: Tree<Numeric>, opts: AllCloseOptions & { readonly label?: string } = {}): void {
  const r = treeAllClose(actual, expected, opts);
  if (!r.ok) throw new Error(`${opts.label ? `${opts.label}: ` : ''}${r.message}`);
}

/** Paths like `layers[0].w` of every leaf, in the canonical (sorted-key) order of `tree.flatten`. */
export function leafPaths(t: Tree<unknown>): string[] {
  const step = (acc: string, k: string | number): string => (typeof k === 'number' ? `${acc}[${k}]` : acc ? `${acc}.${k}` : k);
  return paths(t).map((p) => p.reduce(step, '') || '(root)');
}
