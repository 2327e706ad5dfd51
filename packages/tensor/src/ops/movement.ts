import { apply } from '../backend.js';
import type { DType } from '../dtype.js';
import { ArgumentError, DTypeError, ShapeError, asOp, describeValue, fmtShape } from '../errors.js';
import { MAX_SIZE, broadcastShapes, checkOutSize, checkShape, normAxis, shapesEqual, sizeOf, type Shape } from '../shape.js';
import type { Tensor } from '../tensor.js';
import { needDType, needInt, needNumber, needTensor, needTensors } from './args.js';

/** New shape with the same elements; one dimension may be -1 (inferred). Shares storage. */
export function reshape(x: Tensor, shape: Shape): Tensor {
  needTensor('reshape', 'x', x);
  if (!Array.isArray(shape) || !shape.every((d) => typeof d === 'number' && Number.isInteger(d) && d >= -1))
    throw new ArgumentError('reshape', `shape must be an array of non-negative integers (one may be -1), got ${describeValue(shape)}`);
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
  needTensor('flatten', 'x', x);
  const a = normAxis('flatten', startAxis, Math.max(1, x.rank), 'startAxis');
  return asOp('flatten', () => reshape(x, [...x.shape.slice(0, a), -1]));
};

export function expandDims(x: Tensor, axis: number): Tensor {
  needTensor('expandDims', 'x', x);
  const a = normAxis('expandDims', axis, x.rank + 1);
  return asOp('expandDims', () => reshape(x, [...x.shape.slice(0, a), 1, ...x.shape.slice(a)]));
}

export function squeeze(x: Tensor, axes?: number | readonly number[]): Tensor {
  needTensor('squeeze', 'x', x);
  if (axes !== undefined && typeof axes !== 'number' && !Array.isArray(axes))
    throw new ArgumentError('squeeze', `axes must be an axis, an array of axes or undefined (every size-1 axis), got ${describeValue(axes)}`);
  const list = axes === undefined ? x.shape.flatMap((d, i) => (d === 1 ? [i] : [])) : (typeof axes === 'number' ? [axes] : axes).map((a) => normAxis('squeeze', a, x.rank));
  for (const a of list) if (x.shape[a] !== 1) throw new ShapeError('squeeze', `axis ${a} of x ${fmtShape(x.shape)} has size ${x.shape[a]}, not 1`);
  return asOp('squeeze', () => reshape(x, x.shape.filter((_, i) => !list.includes(i))));
}

/** Broadcasts x to `shape` (NumPy rules). */
export function broadcastTo(x: Tensor, shape: Shape): Tensor {
  needTensor('broadcastTo', 'x', x);
  checkShape('broadcastTo', 'shape', shape);
  const out = broadcastShapes('broadcastTo', x.shape, shape);
  if (!shapesEqual(out, shape)) throw new ShapeError('broadcastTo', `x ${fmtShape(x.shape)} cannot broadcast to ${fmtShape(shape)}`);
  if (shapesEqual(x.shape, shape)) return x;
  return apply('broadcastTo', [x], { shape: [...shape] });
}

/** Permutes axes; the default reverses them. */
export function transpose(x: Tensor, perm?: readonly number[]): Tensor {
  needTensor('transpose', 'x', x);
  if (perm !== undefined && !Array.isArray(perm)) throw new ArgumentError('transpose', `perm must be an array of axes or undefined (reverse), got ${describeValue(perm)}`);
  const p = perm ? perm.map((a) => normAxis('transpose', a, x.rank, 'perm entry')) : x.shape.map((_, i) => x.rank - 1 - i);
  if (p.length !== x.rank || new Set(p).size !== p.length)
    throw new ArgumentError('transpose', `perm ${describeValue(perm)} is not a permutation of the ${x.rank} axes of x ${fmtShape(x.shape)}`);
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
  needTensor('slice', 'x', x);
  if (!Array.isArray(specs)) throw new ArgumentError('slice', `specs must be an array with one entry per axis, got ${describeValue(specs)}`);
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
    if (s !== undefined && (s === null || typeof s !== 'object'))
      throw new ArgumentError('slice', `spec ${i} must be an index, a { start, stop, step } object or undefined, got ${describeValue(s)}`);
    const st = s?.step ?? 1;
    if (typeof st !== 'number' || !Number.isInteger(st) || st === 0) throw new ArgumentError('slice', `step must be a non-zero integer on axis ${i}, got ${describeValue(st)}`);
    for (const [name, v] of [['start', s?.start], ['stop', s?.stop]] as const)
      // ±∞ are clamped like any bound past the end (Python's x[:10**9]); NaN and fractions are refused
      if (v !== undefined && (typeof v !== 'number' || !(Number.isInteger(v) || v === Infinity || v === -Infinity)))
        throw new ArgumentError('slice', `${name} must be an integer on axis ${i}, got ${describeValue(v)}`);
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
  needTensor('pad', 'x', x);
  if (!Array.isArray(pads) || !pads.every((p) => Array.isArray(p) && p.length === 2))
    throw new ArgumentError('pad', `pads must be an array of [before, after] pairs, got ${describeValue(pads)}`);
  needNumber('pad', 'value', value);
  if (x.dtype === 'int32' && !(Number.isInteger(value) && value >= -(2 ** 31) && value < 2 ** 31))
    throw new DTypeError('pad', `the pad value ${value} is not an int32, and x is int32`);
  if (pads.length > x.rank) throw new ArgumentError('pad', `${pads.length} pad pairs for x of rank ${x.rank} ${fmtShape(x.shape)}`);
  const full = x.shape.map((_, i) => pads[i] ?? ([0, 0] as const));
  for (const [b, a] of full)
    if (!Number.isInteger(b) || !Number.isInteger(a) || b < 0 || a < 0) throw new ArgumentError('pad', `pads must be non-negative integers, got [${pads.map((p) => `[${p.join(', ')}]`).join(', ')}]`);
  if (full.every(([b, a]) => b === 0 && a === 0)) return x;
  checkOutSize('pad', x.shape.map((d, i) => d + full[i]![0] + full[i]![1]));
  return apply('pad', [x], { pads: full, value });
}

/** Joins tensors along an existing axis. */
export function concat(xs: readonly Tensor[], axis = 0): Tensor {
  needTensors('concat', 'xs', xs);
  if (xs.length === 0) throw new ArgumentError('concat', 'needs at least one tensor');
  const first = xs[0]!;
  const ax = normAxis('concat', axis, first.rank);
  for (const [i, t] of xs.entries()) {
    if (t.dtype !== first.dtype) throw new DTypeError('concat', `tensor ${i} is ${t.dtype}, tensor 0 is ${first.dtype}`);
    if (t.rank !== first.rank || t.shape.some((d, j) => j !== ax && d !== first.shape[j]))
      throw new ShapeError('concat', `tensor ${i} ${fmtShape(t.shape)} does not match tensor 0 ${fmtShape(first.shape)} outside axis ${ax}`);
  }
  if (xs.length === 1) return first;
  checkOutSize('concat', first.shape.map((d, j) => (j === ax ? xs.reduce((n, t) => n + t.shape[ax]!, 0) : d)));
  return apply('concat', xs, { axis: ax });
}

/** Stacks same-shaped tensors along a new axis. */
export function stack(xs: readonly Tensor[], axis = 0): Tensor {
  needTensors('stack', 'xs', xs);
  if (xs.length === 0) throw new ArgumentError('stack', 'needs at least one tensor');
  const ax = normAxis('stack', axis, xs[0]!.rank + 1);
  return asOp('stack', () => concat(xs.map((t) => expandDims(t, ax)), ax));
}

function checkIndices(op: string, indices: Tensor, size: number): void {
  needTensor(op, 'indices', indices);
  if (indices.dtype !== 'int32') throw new DTypeError(op, `indices must be int32, got ${indices.dtype}; cast(indices, 'int32')`);
  const data = indices.toArray();
  for (let i = 0; i < data.length; i++)
    if (data[i]! < 0 || data[i]! >= size) throw new ArgumentError(op, `index ${data[i]} at position ${i} is out of range [0, ${size})`);
}

/** Takes entries of `x` along `axis` at int32 `indices`: shape x[:axis] + indices + x[axis+1:]. */
export function gather(x: Tensor, indices: Tensor, axis = 0): Tensor {
  needTensor('gather', 'x', x);
  const ax = normAxis('gather', axis, x.rank);
  checkIndices('gather', indices, x.shape[ax]!);
  checkOutSize('gather', [...x.shape.slice(0, ax), ...indices.shape, ...x.shape.slice(ax + 1)]);
  return apply('gather', [x, indices], { axis: ax });
}

/** Adds `updates` into a zero tensor at `indices` along `axis` (the adjoint of gather). */
export function scatterAdd(updates: Tensor, indices: Tensor, axis: number, size: number): Tensor {
  needTensor('scatterAdd', 'updates', updates);
  needTensor('scatterAdd', 'indices', indices);
  needInt('scatterAdd', 'size', size, 0, MAX_SIZE);
  if (indices.rank > updates.rank)
    throw new ShapeError('scatterAdd', `indices ${fmtShape(indices.shape)} have a higher rank than updates ${fmtShape(updates.shape)}`);
  const ax = normAxis('scatterAdd', axis, updates.rank - indices.rank + 1);
  checkIndices('scatterAdd', indices, size);
  const expect = indices.shape;
  const got = updates.shape.slice(ax, ax + indices.rank);
  if (!shapesEqual(expect, got)) throw new ShapeError('scatterAdd', `updates ${fmtShape(updates.shape)} at axis ${ax} should hold the indices shape ${fmtShape(expect)}`);
  checkOutSize('scatterAdd', [...updates.shape.slice(0, ax), size, ...updates.shape.slice(ax + indices.rank)]);
  return apply('scatterAdd', [updates, indices], { axis: ax, size });
}

export function cast(x: Tensor, dtype: DType): Tensor {
  needTensor('cast', 'x', x);
  needDType('cast', 'dtype', dtype);
  if (x.dtype === dtype) return x;
  return apply('cast', [x], { dtype });
}
