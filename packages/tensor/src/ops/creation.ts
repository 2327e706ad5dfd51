import { allocate, fitsInt32, type DType, type TypedArray } from '../dtype.js';
import { ArgumentError, ShapeError, asOp, describeValue, fmtShape } from '../errors.js';
import { MAX_SIZE, checkShape, sizeOf, type Shape } from '../shape.js';
import { fromHost, type Tensor } from '../tensor.js';
import { needDType, needFinite, needInt, needNumber, needOptions, needTensor } from './args.js';

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
  needOptions('tensor', opts);
  const dtype = opts.dtype ?? (values instanceof Int32Array ? 'int32' : 'float32');
  needDType('tensor', 'dtype', dtype);
  if (shape !== undefined) checkShape('tensor', 'shape', shape);
  let flat: ArrayLike<number>;
  let inferred: number[];
  if (ArrayBuffer.isView(values)) {
    if (values instanceof DataView || values instanceof BigInt64Array || values instanceof BigUint64Array)
      throw new ArgumentError('tensor', `values must be numbers, a nested array of numbers or a numeric typed array, got ${describeValue(values)}`);
    flat = values as TypedArray;
    inferred = [(values as TypedArray).length];
  } else if (typeof values === 'number') {
    flat = [values];
    inferred = [];
  } else {
    if (!Array.isArray(values))
      throw new ArgumentError('tensor', `values must be a number, a nested array of numbers or a typed array, got ${describeValue(values)}`);
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
  if (dtype === 'int32') {
    for (let i = 0; i < flat.length; i++) {
      const v = flat[i]!;
      // NOTE: an int32 store would turn NaN into 0 and wrap 2^31 to -2^31 without a word
      if (!fitsInt32(v)) throw new ArgumentError('tensor', `value ${v} at flat index ${i} is not representable as int32`);
      data[i] = Math.trunc(v);
    }
  } else data.set(flat);
  return fromHost(data, finalShape, dtype);
}

/** A rank-0 tensor. */
export function scalar(value: number, dtype: DType = 'float32'): Tensor {
  needNumber('scalar', 'value', value);
  return asOp('scalar', () => tensor(value, [], { dtype }));
}

/** A tensor of `shape` filled with `value`. */
export function full(shape: Shape, value: number, dtype: DType = 'float32'): Tensor {
  return filled('full', shape, value, dtype);
}

function filled(op: string, shape: Shape, value: number, dtype: DType): Tensor {
  checkShape(op, 'shape', shape);
  needNumber(op, 'value', value);
  needDType(op, 'dtype', dtype);
  if (dtype === 'int32' && !fitsInt32(value)) throw new ArgumentError(op, `value ${value} is not representable as int32`);
  const data = allocate(dtype, sizeOf(shape));
  if (value !== 0) data.fill(value);
  return fromHost(data, shape, dtype);
}

export const zeros = (shape: Shape, dtype: DType = 'float32'): Tensor => filled('zeros', shape, 0, dtype);
export const ones = (shape: Shape, dtype: DType = 'float32'): Tensor => filled('ones', shape, 1, dtype);
export const zerosLike = (t: Tensor): Tensor => {
  needTensor('zerosLike', 't', t);
  return filled('zerosLike', t.shape, 0, t.dtype);
};
export const onesLike = (t: Tensor): Tensor => {
  needTensor('onesLike', 't', t);
  return filled('onesLike', t.shape, 1, t.dtype);
};

/** [start, start + step, ...) below `stop`, like NumPy's arange. `arange(5)` is 0..4. */
export function arange(start: number, stop?: number, step = 1, dtype: DType = 'float32'): Tensor {
  if (stop === undefined) [start, stop] = [0, start];
  needFinite('arange', 'start', start);
  needFinite('arange', 'stop', stop);
  if (typeof step !== 'number' || step === 0 || !Number.isFinite(step)) throw new ArgumentError('arange', `step must be finite and non-zero, got ${describeValue(step)}`);
  needDType('arange', 'dtype', dtype);
  const n = Math.max(0, Math.ceil((stop - start) / step));
  if (!(n <= MAX_SIZE)) throw new ArgumentError('arange', `[${start}, ${stop}) in steps of ${step} has ${n} elements; a tensor holds at most 2^31 - 1`);
  if (dtype === 'int32' && n > 0 && !(fitsInt32(start) && fitsInt32(start + (n - 1) * step)))
    throw new ArgumentError('arange', `[${start}, ${stop}) is not representable as int32`);
  const data = allocate(dtype, n);
  for (let i = 0; i < n; i++) data[i] = start + i * step;
  return fromHost(data, [n], dtype);
}

/** `num` evenly spaced values from `start` to `stop` inclusive. */
export function linspace(start: number, stop: number, num: number): Tensor {
  needNumber('linspace', 'start', start);
  needNumber('linspace', 'stop', stop);
  needInt('linspace', 'num', num, 0, MAX_SIZE);
  const data = new Float32Array(num);
  for (let i = 0; i < num; i++) data[i] = num === 1 ? start : start + ((stop - start) * i) / (num - 1);
  return fromHost(data, [num], 'float32');
}

/** The n×m identity (m defaults to n). */
export function eye(n: number, m = n, dtype: DType = 'float32'): Tensor {
  checkShape('eye', 'shape', [n, m]);
  needDType('eye', 'dtype', dtype);
  const data = allocate(dtype, n * m);
  for (let i = 0; i < Math.min(n, m); i++) data[i * m + i] = 1;
  return fromHost(data, [n, m], dtype);
}
