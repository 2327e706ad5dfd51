import { isDType, type DType } from '../dtype.js';
import { ArgumentError, describeValue } from '../errors.js';
import { isTensor, type Tensor } from '../tensor.js';

// Argument checks at the API boundary. TypeScript types say what an op takes; callers from plain
// JavaScript, configs and fuzzers pass anything, and a bad value must become an error that names
// the op and the argument, never a TypeError from deep inside or a malformed tensor.

export function needTensor(op: string, arg: string, x: unknown): asserts x is Tensor {
  if (!isTensor(x)) throw new ArgumentError(op, `${arg} must be a Tensor, got ${describeValue(x)}`);
}

export function needTensors(op: string, arg: string, xs: unknown): asserts xs is readonly Tensor[] {
  if (!Array.isArray(xs)) throw new ArgumentError(op, `${arg} must be an array of tensors, got ${describeValue(xs)}`);
  xs.forEach((x, i) => needTensor(op, `${arg}[${i}]`, x));
}

/** An options argument: undefined or a plain object. */
export function needOptions(op: string, opts: unknown, arg = 'options'): void {
  if (opts !== undefined && (opts === null || typeof opts !== 'object' || Array.isArray(opts)))
    throw new ArgumentError(op, `${arg} must be an object or undefined, got ${describeValue(opts)}`);
}

export function needNumber(op: string, arg: string, v: unknown): asserts v is number {
  if (typeof v !== 'number') throw new ArgumentError(op, `${arg} must be a number, got ${describeValue(v)}`);
}

export function needFinite(op: string, arg: string, v: unknown): asserts v is number {
  if (typeof v !== 'number' || !Number.isFinite(v)) throw new ArgumentError(op, `${arg} must be a finite number, got ${describeValue(v)}`);
}

/** An integer in [min, max]. */
export function needInt(op: string, arg: string, v: unknown, min = -Infinity, max = Infinity): asserts v is number {
  if (typeof v !== 'number' || !Number.isInteger(v) || v < min || v > max) {
    const range = min === -Infinity && max === Infinity ? '' : ` in [${min}, ${max}]`;
    throw new ArgumentError(op, `${arg} must be an integer${range}, got ${describeValue(v)}`);
  }
}

export function needBool(op: string, arg: string, v: unknown): asserts v is boolean | undefined {
  if (v !== undefined && typeof v !== 'boolean') throw new ArgumentError(op, `${arg} must be true or false, got ${describeValue(v)}`);
}

export function needDType(op: string, arg: string, v: unknown): asserts v is DType {
  if (!isDType(v)) throw new ArgumentError(op, `${arg} must be 'float32' or 'int32', got ${typeof v === 'string' ? v : describeValue(v)}`);
}
