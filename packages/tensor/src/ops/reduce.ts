import { apply } from '../backend.js';
import { ArgumentError, DTypeError, asOp } from '../errors.js';
import { normAxes, normAxis } from '../shape.js';
import type { Tensor } from '../tensor.js';
import { needBool, needOptions, needTensor } from './args.js';
import { arange } from './creation.js';
import { div, equal, maximum, mul, neg, notEqual, sub, where } from './elementwise.js';
import { reshape } from './movement.js';

export interface ReduceOptions {
  /** Axes to reduce (negative counts from the end); all axes when omitted. */
  readonly axes?: number | readonly number[];
  readonly keepdims?: boolean;
}

function reduceArgs(op: string, x: Tensor, opts: ReduceOptions): { axes: number[]; keepdims: boolean } {
  needTensor(op, 'x', x);
  needOptions(op, opts);
  needBool(op, 'keepdims', opts.keepdims);
  return { axes: normAxes(op, opts.axes, x.rank), keepdims: opts.keepdims ?? false };
}

/** Sum over `axes` (all by default). */
export function sum(x: Tensor, opts: ReduceOptions = {}): Tensor {
  return apply('sum', [x], reduceArgs('sum', x, opts));
}

/** Maximum over `axes`. Reducing an empty axis is an error. */
export function max(x: Tensor, opts: ReduceOptions = {}): Tensor {
  const attrs = reduceArgs('max', x, opts);
  for (const a of attrs.axes) if (x.shape[a] === 0) throw new ArgumentError('max', `cannot reduce the empty axis ${a} of [${x.shape.join(', ')}]`);
  return apply('max', [x], attrs);
}

/**
 * An order-reversing bijection of the dtype: −x for float32, ~x = −x − 1 for int32 (wrapping),
 * where −x would map −2³¹ to itself.
 */
const flip = (x: Tensor): Tensor => (x.dtype === 'int32' ? sub(neg(x), 1) : neg(x));

/** Minimum over `axes` (max of the order-reversed values). */
export function min(x: Tensor, opts: ReduceOptions = {}): Tensor {
  reduceArgs('min', x, opts);
  return asOp('min', () => flip(max(flip(x), opts)));
}

function countOf(x: Tensor, opts: ReduceOptions): number {
  const axes = normAxes('mean', opts.axes, x.rank);
  return axes.reduce((n, a) => n * x.shape[a]!, 1);
}

/** Mean over `axes`. */
export function mean(x: Tensor, opts: ReduceOptions = {}): Tensor {
  reduceArgs('mean', x, opts);
  if (x.dtype !== 'float32') throw new DTypeError('mean', `x must be float32, got ${x.dtype}; cast it first`);
  return asOp('mean', () => div(sum(x, opts), countOf(x, opts)));
}

/** Population variance (divides by N, like NumPy's default and BatchNorm's batch statistics). */
export function variance(x: Tensor, opts: ReduceOptions = {}): Tensor {
  reduceArgs('variance', x, opts);
  return asOp('variance', () => {
    const m = mean(x, { ...opts, keepdims: true });
    const d = sub(x, m);
    return mean(mul(d, d), opts);
  });
}

/** Index of the first maximum along `axis` (int32); a NaN counts as the maximum, as in NumPy. */
export function argmax(x: Tensor, axis = -1): Tensor {
  needTensor('argmax', 'x', x);
  return asOp('argmax', () => firstIndexOfMax(x, axis));
}

/** Index of the first minimum along `axis` (int32); a NaN counts as the minimum, as in NumPy. */
export function argmin(x: Tensor, axis = -1): Tensor {
  needTensor('argmin', 'x', x);
  return asOp('argmin', () => firstIndexOfMax(flip(x), axis));
}

function firstIndexOfMax(x: Tensor, axis: number): Tensor {
  const ax = normAxis('argmax', axis, x.rank);
  const m = max(x, { axes: ax, keepdims: true });
  const n = x.shape[ax]!;
  const idx = reshape(arange(n, undefined, 1, 'int32'), x.shape.map((_, i) => (i === ax ? n : 1)));
  // hits: x == max, or both NaN (max lets NaN win, and NaN == NaN is false); int32 compares exactly
  const hit = x.dtype === 'float32' ? maximum(equal(x, m), mul(notEqual(x, x), notEqual(m, m))) : equal(x, m);
  // first hit: the min over (index where hit, else n), in int32 so that no index is rounded
  return flip(max(flip(where(hit, idx, n)), { axes: ax }));
}
