import { apply } from '../backend.js';
import { fitsInt32 } from '../dtype.js';
import { ArgumentError, DTypeError, describeValue } from '../errors.js';
import type { CompareOp } from '../primitives.js';
import { broadcastShapes } from '../shape.js';
import { isTensor, type Tensor } from '../tensor.js';
import { needTensor } from './args.js';
import { scalar } from './creation.js';

/** A tensor, or a number that becomes a rank-0 tensor of the other operand's dtype. */
export type TensorLike = Tensor | number;

export function asTensor(x: TensorLike, like?: Tensor, op = 'asTensor'): Tensor {
  if (isTensor(x)) return x;
  if (typeof x !== 'number') throw new ArgumentError(op, `expected a Tensor or a number, got ${describeValue(x)}`);
  const dtype = like?.dtype ?? 'float32';
  // NOTE: a fractional number would silently truncate to an int32 scalar, a huge one wrap; refuse.
  if (dtype === 'int32' && !(Number.isInteger(x) && fitsInt32(x)))
    throw new DTypeError(op, `the number ${x} cannot combine with an int32 tensor [${like!.shape.join(', ')}] without truncation; cast the tensor to float32 first`);
  return scalar(x, dtype);
}

function needFloat(op: string, x: Tensor, arg = 'x'): void {
  needTensor(op, arg, x);
  if (x.dtype !== 'float32') throw new DTypeError(op, `${arg} must be float32, got ${x.dtype}; use cast(${arg}, 'float32') first`);
}

function binaryArgs(op: string, a: TensorLike, b: TensorLike): [Tensor, Tensor, number[]] {
  const ta = isTensor(a) ? a : asTensor(a, isTensor(b) ? b : undefined, op);
  const tb = isTensor(b) ? b : asTensor(b, ta, op);
  if (ta.dtype !== tb.dtype)
    throw new DTypeError(op, `dtypes differ: a is ${ta.dtype} [${ta.shape.join(', ')}], b is ${tb.dtype} [${tb.shape.join(', ')}]; cast one of them`);
  return [ta, tb, broadcastShapes(op, ta.shape, tb.shape)];
}

export function neg(x: Tensor): Tensor {
  needTensor('neg', 'x', x);
  return apply('neg', [x], {});
}
export function abs(x: Tensor): Tensor {
  needTensor('abs', 'x', x);
  return apply('abs', [x], {});
}
export function sign(x: Tensor): Tensor {
  needTensor('sign', 'x', x);
  return apply('sign', [x], {});
}
export function exp(x: Tensor): Tensor {
  needFloat('exp', x);
  return apply('exp', [x], {});
}
export function log(x: Tensor): Tensor {
  needFloat('log', x);
  return apply('log', [x], {});
}
export function sqrt(x: Tensor): Tensor {
  needFloat('sqrt', x);
  return apply('sqrt', [x], {});
}

export function add(a: TensorLike, b: TensorLike): Tensor {
  const [x, y, shape] = binaryArgs('add', a, b);
  return apply('add', [x, y], { shape });
}
export function sub(a: TensorLike, b: TensorLike): Tensor {
  const [x, y, shape] = binaryArgs('sub', a, b);
  return apply('sub', [x, y], { shape });
}
export function mul(a: TensorLike, b: TensorLike): Tensor {
  const [x, y, shape] = binaryArgs('mul', a, b);
  return apply('mul', [x, y], { shape });
}
export function div(a: TensorLike, b: TensorLike): Tensor {
  const [x, y, shape] = binaryArgs('div', a, b);
  needFloat('div', x, 'a');
  return apply('div', [x, y], { shape });
}
export function pow(a: TensorLike, b: TensorLike): Tensor {
  const [x, y, shape] = binaryArgs('pow', a, b);
  needFloat('pow', x, 'a');
  return apply('pow', [x, y], { shape });
}
export function maximum(a: TensorLike, b: TensorLike): Tensor {
  const [x, y, shape] = binaryArgs('maximum', a, b);
  return apply('maximum', [x, y], { shape });
}
export function minimum(a: TensorLike, b: TensorLike): Tensor {
  const [x, y, shape] = binaryArgs('minimum', a, b);
  return apply('minimum', [x, y], { shape });
}

const CMP_NAMES: Record<CompareOp, string> = { eq: 'equal', ne: 'notEqual', lt: 'less', le: 'lessEqual', gt: 'greater', ge: 'greaterEqual' };

function cmp(op: CompareOp) {
  return (a: TensorLike, b: TensorLike): Tensor => {
    const [x, y, shape] = binaryArgs(CMP_NAMES[op], a, b);
    return apply('compare', [x, y], { shape, op });
  };
}
/** Comparisons return float32 tensors of 0 and 1, ready to use as masks. */
export const equal = cmp('eq');
export const notEqual = cmp('ne');
export const less = cmp('lt');
export const lessEqual = cmp('le');
export const greater = cmp('gt');
export const greaterEqual = cmp('ge');

/** Picks `a` where `cond` is non-zero, else `b`; all three broadcast. */
export function where(cond: Tensor, a: TensorLike, b: TensorLike): Tensor {
  needTensor('where', 'cond', cond);
  const [x, y] = binaryArgs('where', a, b);
  const shape = broadcastShapes('where', cond.shape, x.shape, y.shape);
  return apply('where', [cond, x, y], { shape });
}

/**
 * `x + (a · b) · value` in one pass (PyTorch's addcmul): the fused form of the axpy-type updates
 * that optimizers chain (momentum, weight decay, a masked SAM ascent), which on an eager backend
 * would otherwise cost one full-size temporary and one memory pass per step. All three broadcast;
 * float32 only. Bit-identical to `add(x, mul(mul(a, b), value))` on the CPU backends.
 * @example addcmul(grads, weights, 1, 5e-4) // g + λ·w
 */
export function addcmul(x: TensorLike, a: TensorLike, b: TensorLike, value = 1): Tensor {
  // numbers become float32 scalars, so a dtype error names the tensor argument that is int32
  const [tx, ta, tb] = [x, a, b].map((v) => asTensor(v, undefined, 'addcmul')) as [Tensor, Tensor, Tensor];
  for (const [name, t] of [['x', tx], ['a', ta], ['b', tb]] as const) needFloat('addcmul', t, name);
  if (typeof value !== 'number' || !Number.isFinite(Math.fround(value)))
    throw new ArgumentError('addcmul', `value must be a number that is finite in float32 (|value| < 3.4e38), got ${describeValue(value)}`);
  const shape = broadcastShapes('addcmul', tx.shape, ta.shape, tb.shape);
  return apply('addcmul', [tx, ta, tb], { shape, value });
}
