import { allocate, isDType, type DType, type TypedArray } from '../dtype.js';
import { ArgumentError, ShapeError, fmtShape } from '../errors.js';
import { checkShape, sizeOf, type Shape } from '../shape.js';
import { fromHost, type Tensor } from '../tensor.js';

export type NestedArray = number | readonly NestedArray[];

function inferShape(v: NestedArray): number[] {
  const shape: number[] = [];
  let cur: NestedArray = v;
  while (Array.isArray(cur)) {
    shape.push(cur.length);
    cur = (cur as readonly NestedArray[])[0] ?? 0;
    if ((shape[shape.length - 1] ?? 0) === 0) break;
  }
  return shape;
}

function flattenInto(v: NestedArray, shape: readonly number[], dim: number, out: number[]): void {
  if (dim === shape.length) {
    if (typeof v !== 'number') throw new ShapeError('tensor', `ragged nested array: expected a number at depth ${dim}, got ${Array.isArray(v) ? 'an array' : typeof v}`);
    out.push(v);
    return;
  }
  if (!Array.isArray(v) || v.length !== shape[dim])
    throw new ShapeError('tensor', `ragged nested array: expected ${shape[dim]} entries at depth ${dim} (shape ${fmtShape(shape)}), got ${Array.isArray(v) ? v.length : 'a number'}`);
  for (const e of v as readonly NestedArray[]) flattenInto(e, shape, dim + 1, out);
}

export interface TensorOptions {
  readonly dtype?: DType;
}

/**
 * Creates a tensor from a number, a nested array or a typed array (copied), with an optional shape.
 * @example tensor([[1, 2], [3, 4]]) // shape [2, 2]
 * @example tensor(new Float32Array(6), [2, 3])
 */
export function tensor(values: NestedArray | TypedArray | readonly number[], shape?: Shape, opts: TensorOptions = {}): Tensor {
  const dtype = opts.dtype ?? (values instanceof Int32Array ? 'int32' : 'float32');
  if (!isDType(dtype)) throw new ArgumentError('tensor', `dtype must be 'float32' or 'int32', got ${String(dtype)}`);
  let flat: ArrayLike<number>;
  let inferred: number[];
  if (ArrayBuffer.isView(values)) {
    flat = values as TypedArray;
    inferred = [(values as TypedArray).length];
  } else if (typeof values === 'number') {
    flat = [values];
    inferred = [];
  } else {
    inferred = inferShape(values as NestedArray);
    const out: number[] = [];
    flattenInto(values as NestedArray, inferred, 0, out);
    flat = out;
  }
  const finalShape = shape ? [...shape] : inferred;
  checkShape('tensor', 'shape', finalShape);
  if (sizeOf(finalShape) !== flat.length)
    throw new ShapeError('tensor', `${flat.length} values do not fill shape ${fmtShape(finalShape)} (${sizeOf(finalShape)} elements)`);
  const data = allocate(dtype, flat.length);
  if (dtype === 'int32') for (let i = 0; i < flat.length; i++) data[i] = Math.trunc(flat[i]!);
  else data.set(flat);
  return fromHost(data, finalShape, dtype);
}

/** A rank-0 tensor. */
export function scalar(value: number, dtype: DType = 'float32'): Tensor {
  return tensor(value, [], { dtype });
}

/** A tensor of `shape` filled with `value`. */
export function full(shape: Shape, value: number, dtype: DType = 'float32'): Tensor {
  checkShape('full', 'shape', shape);
  const data = allocate(dtype, sizeOf(shape));
  if (value !== 0) data.fill(value);
  return fromHost(data, shape, dtype);
}

export const zeros = (shape: Shape, dtype: DType = 'float32'): Tensor => full(shape, 0, dtype);
export const ones = (shape: Shape, dtype: DType = 'float32'): Tensor => full(shape, 1, dtype);
export const zerosLike = (t: Tensor): Tensor => full(t.shape, 0, t.dtype);
export const onesLike = (t: Tensor): Tensor => full(t.shape, 1, t.dtype);

/** [start, start + step, ...) below `stop`, like NumPy's arange. `arange(5)` is 0..4. */
export function arange(start: number, stop?: number, step = 1, dtype: DType = 'float32'): Tensor {
  if (stop === undefined) [start, stop] = [0, start];
  if (step === 0 || !Number.isFinite(step)) throw new ArgumentError('arange', `step must be finite and non-zero, got ${step}`);
  const n = Math.max(0, Math.ceil((stop - start) / step));
  const data = allocate(dtype, n);
  for (let i = 0; i < n; i++) data[i] = start + i * step;
  return fromHost(data, [n], dtype);
}

/** `num` evenly spaced values from `start` to `stop` inclusive. */
export function linspace(start: number, stop: number, num: number): Tensor {
  if (!Number.isInteger(num) || num < 0) throw new ArgumentError('linspace', `num must be a non-negative integer, got ${num}`);
  const data = new Float32Array(num);
  for (let i = 0; i < num; i++) data[i] = num === 1 ? start : start + ((stop - start) * i) / (num - 1);
  return fromHost(data, [num], 'float32');
}

/** The n×m identity (m defaults to n). */
export function eye(n: number, m = n, dtype: DType = 'float32'): Tensor {
  checkShape('eye', 'shape', [n, m]);
  const data = allocate(dtype, n * m);
  for (let i = 0; i < Math.min(n, m); i++) data[i * m + i] = 1;
  return fromHost(data, [n, m], dtype);
}
