import { apply } from '../backend.js';
import { ArgumentError, DTypeError, ShapeError, fmtShape } from '../errors.js';
import { checkShape } from '../shape.js';
import { needBool, needOptions, needTensor } from './args.js';
import type { PoolAttrs } from '../primitives.js';
import type { Tensor } from '../tensor.js';
import { convOutSize, pair, resolvePadding, type Pair, type Padding } from './conv.js';

export interface Pool2dOptions {
  /** Window size. */
  readonly kernel: Pair;
  /** Defaults to the window size. */
  readonly stride?: Pair;
  readonly padding?: Padding;
  /** avgPool2d only: divide by the whole window including padding (default true, as PyTorch). */
  readonly countIncludePad?: boolean;
}

export function poolAttrs(op: string, xShape: readonly number[], opts: Pool2dOptions, xName = 'x'): [PoolAttrs, number[]] {
  checkShape(op, xName, xShape);
  if (xShape.length !== 4) throw new ShapeError(op, `${xName} must be NCHW (rank 4), got ${fmtShape(xShape)}`);
  needOptions(op, opts);
  if (opts === undefined || opts.kernel === undefined) throw new ArgumentError(op, 'options.kernel (the window size) is required, e.g. { kernel: 2 }');
  needBool(op, 'countIncludePad', opts.countIncludePad);
  const kernel = pair(op, 'kernel', opts.kernel, [1, 1]);
  const stride = pair(op, 'stride', opts.stride, kernel);
  const [n, c, h, w] = xShape as [number, number, number, number];
  const padding = resolvePadding(op, opts.padding, [h, w], kernel, stride, [1, 1]);
  if (padding[0].some((p) => p >= kernel[0]) || padding[1].some((p) => p >= kernel[1]))
    throw new ArgumentError(op, `padding ${fmtShape(padding.flat())} must be smaller than the ${kernel.join('×')} window on each side (a window of only padding has no elements)`);
  const ho = convOutSize(h, kernel[0], stride[0], 1, padding[0][0], padding[0][1]);
  const wo = convOutSize(w, kernel[1], stride[1], 1, padding[1][0], padding[1][1]);
  if (ho < 1 || wo < 1) throw new ShapeError(op, `the ${kernel.join('×')} window does not fit ${xName} ${fmtShape(xShape)} (padding ${fmtShape(padding.flat())}); use a smaller kernel or pad`);
  return [{ kernel, stride, padding, countIncludePad: opts.countIncludePad ?? true }, [n, c, ho, wo]];
}

function needFloat(op: string, t: Tensor, arg: string): void {
  needTensor(op, arg, t);
  if (t.dtype !== 'float32') throw new DTypeError(op, `${arg} must be float32, got ${t.dtype}; use cast(${arg}, 'float32') first`);
}

function checkDy(op: string, dy: Tensor, outShape: readonly number[], from: string): void {
  if (dy.rank !== 4 || dy.shape.some((d, i) => d !== outShape[i]))
    throw new ShapeError(op, `dy ${fmtShape(dy.shape)} should be the pooled shape ${fmtShape(outShape)} of ${from}`);
}

/** Max pooling over NCHW windows. @returns [N, C, Ho, Wo] */
export function maxPool2d(x: Tensor, opts: Pool2dOptions): Tensor {
  needFloat('maxPool2d', x, 'x');
  const [attrs] = poolAttrs('maxPool2d', x.shape, opts);
  return apply('maxPool2d', [x], attrs);
}

/** Gradient of maxPool2d: routes each dy to the first maximum of its window in x. */
export function maxPool2dBackward(dy: Tensor, x: Tensor, opts: Pool2dOptions): Tensor {
  needFloat('maxPool2dBackward', dy, 'dy');
  needFloat('maxPool2dBackward', x, 'x');
  const [attrs, outShape] = poolAttrs('maxPool2dBackward', x.shape, opts);
  checkDy('maxPool2dBackward', dy, outShape, `x ${fmtShape(x.shape)}`);
  return apply('maxPool2dBackward', [dy, x], attrs);
}

/** Average pooling over NCHW windows. @returns [N, C, Ho, Wo] */
export function avgPool2d(x: Tensor, opts: Pool2dOptions): Tensor {
  needFloat('avgPool2d', x, 'x');
  const [attrs] = poolAttrs('avgPool2d', x.shape, opts);
  return apply('avgPool2d', [x], attrs);
}

/** Gradient of avgPool2d applied to dy. */
export function avgPool2dBackward(dy: Tensor, inputShape: readonly number[], opts: Pool2dOptions): Tensor {
  needFloat('avgPool2dBackward', dy, 'dy');
  const [attrs, outShape] = poolAttrs('avgPool2dBackward', inputShape, opts, 'inputShape');
  checkDy('avgPool2dBackward', dy, outShape, `inputShape ${fmtShape(inputShape)}`);
  return apply('avgPool2dBackward', [dy], { ...attrs, inputShape: [...inputShape] });
}
