import { ArgumentError, DTypeError, asOp } from '../errors.js';
import { MAX_SIZE, checkOutSize } from '../shape.js';
import type { Tensor } from '../tensor.js';
import { needNumber, needOptions, needTensor } from './args.js';
import { arange } from './creation.js';
import { abs, add, div, equal, exp, greaterEqual, log, maximum, minimum, mul, neg, sqrt, sub, where, type TensorLike } from './elementwise.js';
import { reshape } from './movement.js';
import { max, sum, type ReduceOptions } from './reduce.js';

// Composites: built from primitives only, so they need no gradient rules and run on every backend.
// Each runs under asOp(name), so an error from one of its parts names the op the user called.

/** Checks x and runs `body` as the user-facing op `op`. */
function composite(op: string, x: Tensor, body: () => Tensor): Tensor {
  needTensor(op, 'x', x);
  return asOp(op, body);
}

export const square = (x: Tensor): Tensor => composite('square', x, () => mul(x, x));
export const relu = (x: Tensor): Tensor => composite('relu', x, () => maximum(x, 0));
export const leakyRelu = (x: Tensor, slope = 0.01): Tensor => {
  needNumber('leakyRelu', 'slope', slope);
  return composite('leakyRelu', x, () => where(greaterThanZero(x), x, mul(x, slope)));
};
const greaterThanZero = (x: Tensor): Tensor => sub(1, equal(maximum(x, 0), 0));

/** 1 / (1 + e^(−x)), written to avoid overflow for large |x|. */
export function sigmoid(x: Tensor): Tensor {
  return composite('sigmoid', x, () => sigmoidOf(x));
}

function sigmoidOf(x: Tensor): Tensor {
  // e = exp(−|x|) ∈ (0, 1]; σ(x) = 1/(1+e) for x ≥ 0 and e/(1+e) for x < 0.
  // NOTE: |x| is taken with the same x ≥ 0 test as the branch, so its derivative at 0 is 1, not
  // sign(0) = 0: σ'(0) = 1/4 (and tanh'(0) = 1) under autograd.
  const nonNeg = greaterEqual(x, 0);
  const e = exp(neg(where(nonNeg, x, neg(x))));
  const pos = div(1, add(1, e));
  return where(nonNeg, pos, sub(1, pos));
}

/** tanh(x) = 2σ(2x) − 1. */
export const tanh = (x: Tensor): Tensor => composite('tanh', x, () => sub(mul(sigmoidOf(mul(x, 2)), 2), 1));

/** GELU, tanh approximation (PyTorch `approximate='tanh'`). */
export function gelu(x: Tensor): Tensor {
  return composite('gelu', x, () => {
    const inner = mul(add(x, mul(mul(mul(x, x), x), 0.044715)), Math.sqrt(2 / Math.PI));
    return mul(mul(x, 0.5), add(1, tanh(inner)));
  });
}

/** log Σ exp(x) over `axes`, stable for large |x| (subtracts the max, which carries no gradient). */
export function logSumExp(x: Tensor, opts: ReduceOptions = {}): Tensor {
  needOptions('logSumExp', opts);
  return composite('logSumExp', x, () => logSumExpOf(x, opts));
}

function logSumExpOf(x: Tensor, opts: ReduceOptions): Tensor {
  const m = max(x, { ...opts, keepdims: true });
  // NOTE: an all −∞ slice gives max −∞; keep it finite so −∞ − (−∞) is not NaN.
  const mSafe = where(equal(abs(m), Infinity), 0, m);
  const s = log(sum(exp(sub(x, mSafe)), { ...opts, keepdims: true }));
  const out = add(s, mSafe);
  return opts.keepdims ? out : reshape(out, out.shape.filter((_, i) => !(opts.axes === undefined ? true : ([] as number[]).concat(opts.axes).map((a) => (a < 0 ? a + x.rank : a)).includes(i))));
}

/**
 * log softmax along `axis`, as (x − m) − log Σ exp(x − m) with m the max.
 * NOTE: not x − logSumExp(x): m + log Σ is rounded at the magnitude of m (float32 spacing ~1e-3
 * at 1e4), and the difference keeps that error; x − m is exact near the max, so the result is
 * rounded at its own magnitude and does not depend on a shift of the logits.
 */
export function logSoftmax(x: Tensor, axis = -1): Tensor {
  return composite('logSoftmax', x, () => {
    const m = max(x, { axes: one(axis), keepdims: true });
    // an all −∞ (or +∞) slice: keep the shift finite so −∞ − (−∞) is not NaN
    const d = sub(x, where(equal(abs(m), Infinity), 0, m));
    return sub(d, log(sum(exp(d), { axes: axis, keepdims: true })));
  });
}

/** softmax and logSoftmax take one axis, not a list. */
function one(axis: number): number {
  if (typeof axis !== 'number') throw new ArgumentError('axis', `axis must be one axis (a number), got ${Array.isArray(axis) ? 'an array' : typeof axis}`);
  return axis;
}

/**
 * exp(x − max) / Σ exp(x − max) along `axis`.
 * NOTE: not exp(logSoftmax(x)): at large offsets (|x| ~ 1e3) logSumExp is rounded to float32's
 * coarse spacing there, and the rows would miss 1 by ~1e-4; dividing by the sum makes them exact.
 */
export function softmax(x: Tensor, axis = -1): Tensor {
  return composite('softmax', x, () => {
    const m = max(x, { axes: one(axis), keepdims: true });
    const e = exp(sub(x, where(equal(abs(m), Infinity), 0, m)));
    return div(e, sum(e, { axes: axis, keepdims: true }));
  });
}

/** One-hot float32 encoding of int32 labels: shape labels.shape + [numClasses]. */
export function oneHot(labels: Tensor, numClasses: number): Tensor {
  needTensor('oneHot', 'labels', labels);
  if (labels.dtype !== 'int32') throw new DTypeError('oneHot', `labels must be int32, got ${labels.dtype}`);
  if (typeof numClasses !== 'number' || !Number.isInteger(numClasses) || numClasses < 1 || numClasses > MAX_SIZE)
    throw new ArgumentError('oneHot', `numClasses must be a positive integer, got ${String(numClasses)}`);
  checkOutSize('oneHot', [...labels.shape, numClasses]);
  return asOp('oneHot', () => equal(reshape(labels, [...labels.shape, 1]), arange(numClasses, undefined, 1, 'int32')));
}

export function clip(x: Tensor, lo: TensorLike, hi: TensorLike): Tensor {
  return composite('clip', x, () => minimum(maximum(x, lo), hi));
}

/** L2 norm over `axes` (all by default). */
export function norm(x: Tensor, opts: ReduceOptions = {}): Tensor {
  return composite('norm', x, () => sqrt(sum(mul(x, x), opts)));
}
