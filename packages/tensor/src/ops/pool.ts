import { apply } from '../backend.js';
import { ArgumentError, ShapeError, fmtShape } from '../errors.js';
import type { PoolAttrs } from '../primitives.js';
import type { Tensor } from '../tensor.js';
import { convOutSize, resolvePadding, type Pair, type Padding } from './conv.js';

export interface Pool2dOptions {
  /** Window size. */
  readonly kernel: Pair;
  /** Defaults to the window size. */
  readonly stride?: Pair;
  readonly padding?: Padding;
  /** avgPool2d only: divide by the whole window including padding (default true, as PyTorch). */
  readonly countIncludePad?: boolean;
}

export function poolAttrs(op: string, xShape: readonly number[], opts: Pool2dOptions): [PoolAttrs, number[]] {
  if (xShape.length !== 4) throw new ShapeError(op, `x must be NCHW (rank 4), got ${fmtShape(xShape)}`);
  const toPair = (name: string, v: Pair | undefined, d: readonly [number, number]): [number, number] => {
    const p: [number, number] = v === undefined ? [d[0], d[1]] : typeof v === 'number' ? [v, v] : [v[0], v[1]];
    if (!p.every((x) => Number.isInteger(x) && x >= 1)) throw new ArgumentError(op, `${name} must be positive integers, got ${JSON.stringify(v)}`);
    return p;
  };
  const kernel = toPair('kernel', opts.kernel, [1, 1]);
  const stride = toPair('stride', opts.stride, kernel);
  const [n, c, h, w] = xShape as [number, number, number, number];
  const padding = resolvePadding(op, opts.padding, [h, w], kernel, stride, [1, 1]);
  if (padding[0].some((p) => p >= kernel[0]) || padding[1].some((p) => p >= kernel[1]))
    throw new ArgumentError(op, `padding ${JSON.stringify(padding)} must be smaller than the ${kernel.join('×')} window`);
  const ho = convOutSize(h, kernel[0], stride[0], 1, padding[0][0], padding[0][1]);
  const wo = convOutSize(w, kernel[1], stride[1], 1, padding[1][0], padding[1][1]);
  if (ho < 1 || wo < 1) throw new ShapeError(op, `the ${kernel.join('×')} window does not fit x ${fmtShape(xShape)}`);
  return [{ kernel, stride, padding, countIncludePad: opts.countIncludePad ?? true }, [n, c, ho, wo]];
}

/** Max pooling over NCHW windows. @returns [N, C, Ho, Wo] */
export function maxPool2d(x: Tensor, opts: Pool2dOptions): Tensor {
  const [attrs] = poolAttrs('maxPool2d', x.shape, opts);
  return apply('maxPool2d', [x], attrs);
}

/** Gradient of maxPool2d: routes each dy to the first maximum of its window in x. */
export function maxPool2dBackward(dy: Tensor, x: Tensor, opts: Pool2dOptions): Tensor {
  const [attrs, outShape] = poolAttrs('maxPool2dBackward', x.shape, opts);
  if (dy.shape.some((d, i) => d !== outShape[i])) throw new ShapeError('maxPool2dBackward', `dy ${fmtShape(dy.shape)} should be ${fmtShape(outShape)}`);
  return apply('maxPool2dBackward', [dy, x], attrs);
}

/** Average pooling over NCHW windows. @returns [N, C, Ho, Wo] */
export function avgPool2d(x: Tensor, opts: Pool2dOptions): Tensor {
  const [attrs] = poolAttrs('avgPool2d', x.shape, opts);
  return apply('avgPool2d', [x], attrs);
}

/** Gradient of avgPool2d applied to dy. */
export function avgPool2dBackward(dy: Tensor, inputShape: readonly number[], opts: Pool2dOptions): Tensor {
  const [attrs, outShape] = poolAttrs('avgPool2dBackward', inputShape, opts);
  if (dy.shape.some((d, i) => d !== outShape[i])) throw new ShapeError('avgPool2dBackward', `dy ${fmtShape(dy.shape)} should be ${fmtShape(outShape)}`);
  return apply('avgPool2dBackward', [dy], { ...attrs, inputShape: [...inputShape] });
}
