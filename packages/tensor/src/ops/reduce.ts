import { apply } from '../backend.js';
import { ArgumentError, DTypeError } from '../errors.js';
import { normAxes } from '../shape.js';
import type { Tensor } from '../tensor.js';
import { arange } from './creation.js';
import { div, equal, neg, sub, mul, where } from './elementwise.js';
import { cast, reshape } from './movement.js';

export interface ReduceOptions {
  /** Axes to reduce (negative counts from the end); all axes when omitted. */
  readonly axes?: number | readonly number[];
  readonly keepdims?: boolean;
}

/** Sum over `axes` (all by default). */
export function sum(x: Tensor, opts: ReduceOptions = {}): Tensor {
  const axes = normAxes('sum', opts.axes, x.rank);
  return apply('sum', [x], { axes, keepdims: opts.keepdims ?? false });
}

/** Maximum over `axes`. Reducing an empty axis is an error. */
export function max(x: Tensor, opts: ReduceOptions = {}): Tensor {
  const axes = normAxes('max', opts.axes, x.rank);
  for (const a of axes) if (x.shape[a] === 0) throw new ArgumentError('max', `cannot reduce the empty axis ${a} of [${x.shape.join(', ')}]`);
  return apply('max', [x], { axes, keepdims: opts.keepdims ?? false });
}

export function min(x: Tensor, opts: ReduceOptions = {}): Tensor {
  return neg(max(neg(x), opts));
}

function countOf(x: Tensor, opts: ReduceOptions): number {
  const axes = normAxes('mean', opts.axes, x.rank);
  return axes.reduce((n, a) => n * x.shape[a]!, 1);
}

/** Mean over `axes`. */
export function mean(x: Tensor, opts: ReduceOptions = {}): Tensor {
  if (x.dtype !== 'float32') throw new DTypeError('mean', `x must be float32, got ${x.dtype}; cast it first`);
  return div(sum(x, opts), countOf(x, opts));
}

/** Population variance (divides by N, like NumPy's default and BatchNorm's batch statistics). */
export function variance(x: Tensor, opts: ReduceOptions = {}): Tensor {
  const m = mean(x, { ...opts, keepdims: true });
  const d = sub(x, m);
  return mean(mul(d, d), opts);
}

/** Index of the first maximum along `axis` (int32). */
export function argmax(x0: Tensor, axis = -1): Tensor {
  const x = x0.dtype === 'float32' ? x0 : cast(x0, 'float32');
  const rank = x.rank;
  const ax = normAxes('argmax', axis, rank)[0]!;
  const m = max(x, { axes: ax, keepdims: true });
  const n = x.shape[ax]!;
  const idxShape = x.shape.map((_, i) => (i === ax ? n : 1));
  const idx = reshape(arange(n), idxShape);
  // first index where x == max: min over (idx where equal else n)
  const cand = where(equal(x, m), idx, n);
  return cast(neg(max(neg(cand), { axes: ax })), 'int32');
}

export function argmin(x: Tensor, axis = -1): Tensor {
  return argmax(neg(x), axis);
}
