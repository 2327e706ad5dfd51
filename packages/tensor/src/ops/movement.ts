import { apply } from '../backend.js';
import { isDType, type DType } from '../dtype.js';
import { ArgumentError, DTypeError, ShapeError, fmtShape } from '../errors.js';
import { broadcastShapes, checkShape, normAxis, shapesEqual, sizeOf, type Shape } from '../shape.js';
import type { Tensor } from '../tensor.js';

/** New shape with the same elements; one dimension may be -1 (inferred). Shares storage. */
export function reshape(x: Tensor, shape: Shape): Tensor {
  const neg = shape.filter((d) => d === -1).length;
  if (neg > 1) throw new ArgumentError('reshape', `only one dimension may be -1, got ${fmtShape(shape)}`);
  let resolved = [...shape];
  if (neg === 1) {
    const known = sizeOf(shape.filter((d) => d !== -1));
    if (known === 0 || x.size % known !== 0)
      throw new ShapeError('reshape', `cannot infer -1 in ${fmtShape(shape)} for ${x.size} elements of x ${fmtShape(x.shape)}`);
    resolved = shape.map((d) => (d === -1 ? x.size / known : d));
  }
  checkShape('reshape', 'shape', resolved);
  if (sizeOf(resolved) !== x.size)
    throw new ShapeError('reshape', `x ${fmtShape(x.shape)} has ${x.size} elements, shape ${fmtShape(shape)} needs ${sizeOf(resolved)}`);
  if (shapesEqual(resolved, x.shape)) return x;
  return apply('reshape', [x], { shape: resolved });
}

export const flatten = (x: Tensor, startAxis = 1): Tensor => {
  const a = normAxis('flatten', startAxis, Math.max(1, x.rank));
  return reshape(x, [...x.shape.slice(0, a), -1]);
};

export function expandDims(x: Tensor, axis: number): Tensor {
  const a = normAxis('expandDims', axis, x.rank + 1);
  return reshape(x, [...x.shape.slice(0, a), 1, ...x.shape.slice(a)]);
}

export function squeeze(x: Tensor, axes?: number | readonly number[]): Tensor {
  const list = axes === undefined ? x.shape.flatMap((d, i) => (d === 1 ? [i] : [])) : (typeof axes === 'number' ? [axes] : axes).map((a) => normAxis('squeeze', a, x.rank));
  for (const a of list) if (x.shape[a] !== 1) throw new ShapeError('squeeze', `axis ${a} of x ${fmtShape(x.shape)} has size ${x.shape[a]}, not 1`);
  return reshape(x, x.shape.filter((_, i) => !list.includes(i)));
}

/** Broadcasts x to `shape` (NumPy rules). */
export function broadcastTo(x: Tensor, shape: Shape): Tensor {
  checkShape('broadcastTo', 'shape', shape);
  const out = broadcastShapes('broadcastTo', x.shape, shape);
  if (!shapesEqual(out, shape)) throw new ShapeError('broadcastTo', `x ${fmtShape(x.shape)} cannot broadcast to ${fmtShape(shape)}`);
  if (shapesEqual(x.shape, shape)) return x;
  return apply('broadcastTo', [x], { shape: [...shape] });
}

/** Permutes axes; the default reverses them. */
export function transpose(x: Tensor, perm?: readonly number[]): Tensor {
  const p = perm ? perm.map((a) => normAxis('transpose', a, x.rank, 'perm entry')) : x.shape.map((_, i) => x.rank - 1 - i);
  if (p.length !== x.rank || new Set(p).size !== p.length)
    throw new ArgumentError('transpose', `perm ${JSON.stringify(perm)} is not a permutation of the ${x.rank} axes of x ${fmtShape(x.shape)}`);
  if (p.every((a, i) => a === i)) return x;
  return apply('transpose', [x], { perm: p });
}

/** One axis of a slice: [start, stop) with step, Python semantics (negatives count from the end). */
export interface SliceSpec {
  readonly start?: number;
  readonly stop?: number;
  readonly step?: number;
}

/**
 * Slices every axis with Python semantics; `specs[i]` may be a SliceSpec, a number (keeps the axis
 * with size 1 at that index) or undefined (whole axis).
 * @example slice(x, [{ start: 1 }, { step: -1 }]) // x[1:, ::-1]
 */
export function slice(x: Tensor, specs: readonly (SliceSpec | number | undefined)[]): Tensor {
  if (specs.length > x.rank) throw new ArgumentError('slice', `${specs.length} slice specs for x of rank ${x.rank} ${fmtShape(x.shape)}`);
  const start: number[] = [], step: number[] = [], shape: number[] = [];
  for (let i = 0; i < x.rank; i++) {
    const d = x.shape[i]!;
    const s = specs[i];
    if (typeof s === 'number') {
      const idx = s < 0 ? s + d : s;
      if (!Number.isInteger(idx) || idx < 0 || idx >= d) throw new ArgumentError('slice', `index ${s} is out of range for axis ${i} of size ${d} in x ${fmtShape(x.shape)}`);
      start.push(idx); step.push(1); shape.push(1);
      continue;
    }
    const st = s?.step ?? 1;
    if (!Number.isInteger(st) || st === 0) throw new ArgumentError('slice', `step must be a non-zero integer on axis ${i}, got ${st}`);
    const clamp = (v: number, lo: number, hi: number) => Math.min(Math.max(v, lo), hi);
    const norm = (v: number | undefined, dflt: number, lo: number, hi: number) => (v === undefined ? dflt : clamp(v < 0 ? v + d : v, lo, hi));
    const b = st > 0 ? norm(s?.start, 0, 0, d) : norm(s?.start, d - 1, -1, d - 1);
    const e = st > 0 ? norm(s?.stop, d, 0, d) : norm(s?.stop, -1, -1, d - 1);
    const n = st > 0 ? Math.max(0, Math.ceil((e - b) / st)) : Math.max(0, Math.ceil((b - e) / -st));
    start.push(n === 0 ? 0 : b); step.push(st); shape.push(n);
  }
  if (shapesEqual(shape, x.shape) && step.every((s) => s === 1)) return x;
  return apply('slice', [x], { start, step, shape });
}

/** Pads with a constant; `pads[i] = [before, after]` for axis i (missing axes are not padded). */
export function pad(x: Tensor, pads: readonly (readonly [number, number])[], value = 0): Tensor {
  if (pads.length > x.rank) throw new ArgumentError('pad', `${pads.length} pad pairs for x of rank ${x.rank} ${fmtShape(x.shape)}`);
  const full = x.shape.map((_, i) => pads[i] ?? ([0, 0] as const));
  for (const [b, a] of full)
    if (!Number.isInteger(b) || !Number.isInteger(a) || b < 0 || a < 0) throw new ArgumentError('pad', `pads must be non-negative integers, got ${JSON.stringify(pads)}`);
  if (full.every(([b, a]) => b === 0 && a === 0)) return x;
  return apply('pad', [x], { pads: full, value });
}

/** Joins tensors along an existing axis. */
export function concat(xs: readonly Tensor[], axis = 0): Tensor {
  if (xs.length === 0) throw new ArgumentError('concat', 'needs at least one tensor');
  const first = xs[0]!;
  const ax = normAxis('concat', axis, first.rank);
  for (const [i, t] of xs.entries()) {
    if (t.dtype !== first.dtype) throw new DTypeError('concat', `tensor ${i} is ${t.dtype}, tensor 0 is ${first.dtype}`);
    if (t.rank !== first.rank || t.shape.some((d, j) => j !== ax && d !== first.shape[j]))
      throw new ShapeError('concat', `tensor ${i} ${fmtShape(t.shape)} does not match tensor 0 ${fmtShape(first.shape)} outside axis ${ax}`);
  }
  if (xs.length === 1) return first;
  return apply('concat', xs, { axis: ax });
}

/** Stacks same-shaped tensors along a new axis. */
export function stack(xs: readonly Tensor[], axis = 0): Tensor {
  if (xs.length === 0) throw new ArgumentError('stack', 'needs at least one tensor');
  const ax = normAxis('stack', axis, xs[0]!.rank + 1);
  return concat(xs.map((t) => expandDims(t, ax)), ax);
}

function checkIndices(op: string, indices: Tensor, size: number): void {
  if (indices.dtype !== 'int32') throw new DTypeError(op, `indices must be int32, got ${indices.dtype}; cast(indices, 'int32')`);
  const data = indices.toArray();
  for (let i = 0; i < data.length; i++)
    if (data[i]! < 0 || data[i]! >= size) throw new ArgumentError(op, `index ${data[i]} at position ${i} is out of range [0, ${size})`);
}

/** Takes entries of `x` along `axis` at int32 `indices`: shape x[:axis] + indices + x[axis+1:]. */
export function gather(x: Tensor, indices: Tensor, axis = 0): Tensor {
  const ax = normAxis('gather', axis, x.rank);
  checkIndices('gather', indices, x.shape[ax]!);
  return apply('gather', [x, indices], { axis: ax });
}

/** Adds `updates` into a zero tensor at `indices` along `axis` (the adjoint of gather). */
export function scatterAdd(updates: Tensor, indices: Tensor, axis: number, size: number): Tensor {
  const ax = normAxis('scatterAdd', axis, updates.rank - indices.rank + 1);
  checkIndices('scatterAdd', indices, size);
  const expect = indices.shape;
  const got = updates.shape.slice(ax, ax + indices.rank);
  if (!shapesEqual(expect, got)) throw new ShapeError('scatterAdd', `updates ${fmtShape(updates.shape)} at axis ${ax} should hold the indices shape ${fmtShape(expect)}`);
  return apply('scatterAdd', [updates, indices], { axis: ax, size });
}

export function cast(x: Tensor, dtype: DType): Tensor {
  if (!isDType(dtype)) throw new ArgumentError('cast', `dtype must be 'float32' or 'int32', got ${String(dtype)}`);
  if (x.dtype === dtype) return x;
  return apply('cast', [x], { dtype });
}
