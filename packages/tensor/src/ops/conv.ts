import { apply } from '../backend.js';
import { ArgumentError, DTypeError, ShapeError, describeValue, fmtShape } from '../errors.js';
import { checkOutSize, checkShape } from '../shape.js';
import { needOptions, needTensor } from './args.js';
import type { ConvAttrs } from '../primitives.js';
import type { Tensor } from '../tensor.js';

export type Pair = number | readonly [number, number];
/** 'valid' (no padding), 'same' (output = ceil(input / stride), TensorFlow's split), a number, [ph, pw] or [[t, b], [l, r]]. */
export type Padding = 'valid' | 'same' | number | readonly [number, number] | readonly [readonly [number, number], readonly [number, number]];

export interface Conv2dOptions {
  readonly stride?: Pair;
  readonly padding?: Padding;
  readonly dilation?: Pair;
  readonly groups?: number;
}

/** A stride, dilation or window size: a positive integer or a pair of them. */
export const pair = (op: string, name: string, v: Pair | undefined, dflt: readonly [number, number]): [number, number] => {
  const p = v === undefined ? [dflt[0], dflt[1]] : typeof v === 'number' ? [v, v] : Array.isArray(v) && v.length === 2 ? [v[0], v[1]] : null;
  if (p === null || !p.every((x) => typeof x === 'number' && Number.isInteger(x) && x >= 1))
    throw new ArgumentError(op, `${name} must be positive integers, got ${describeValue(v)}`);
  return p as [number, number];
};

/** A padding for messages, without JSON.stringify (which throws on a BigInt). */
const fmtPadding = (p: unknown): string => (Array.isArray(p) ? `[${p.map(fmtPadding).join(', ')}]` : describeValue(p));

/** Resolves padding for one spatial axis set; exported for the pooling ops. */
export function resolvePadding(
  op: string, padding: Padding | undefined, inHW: readonly [number, number], kHW: readonly [number, number],
  stride: readonly [number, number], dilation: readonly [number, number],
): [[number, number], [number, number]] {
  if (padding === undefined || padding === 'valid') return [[0, 0], [0, 0]];
  if (padding === 'same') {
    const res = [0, 1].map((i) => {
      const ek = (kHW[i]! - 1) * dilation[i]! + 1;
      const out = Math.ceil(inHW[i]! / stride[i]!);
      const total = Math.max(0, (out - 1) * stride[i]! + ek - inHW[i]!);
      return [Math.floor(total / 2), total - Math.floor(total / 2)] as [number, number];
    });
    return [res[0]!, res[1]!];
  }
  let out: [[number, number], [number, number]] | undefined;
  if (typeof padding === 'number') out = [[padding, padding], [padding, padding]];
  else if (Array.isArray(padding) && padding.length === 2 && typeof padding[0] === 'number' && typeof padding[1] === 'number') {
    const [ph, pw] = padding as readonly [number, number];
    out = [[ph, ph], [pw, pw]];
  } else if (Array.isArray(padding) && padding.length === 2 && padding.every((p) => Array.isArray(p) && p.length === 2)) {
    const [[t, b], [l, r]] = padding as readonly [readonly [number, number], readonly [number, number]];
    out = [[t, b], [l, r]];
  }
  if (!out || !out.flat().every((x) => Number.isInteger(x) && x >= 0))
    throw new ArgumentError(
      op,
      `padding must be 'valid', 'same', a non-negative integer, [ph, pw] or [[top, bottom], [left, right]]; got ${fmtPadding(padding)}`,
    );
  return out;
}

/** Output spatial size of a convolution or pooling window. */
export function convOutSize(inSize: number, k: number, stride: number, dilation: number, padBefore: number, padAfter: number): number {
  return Math.floor((inSize + padBefore + padAfter - (k - 1) * dilation - 1) / stride) + 1;
}

/** Validates and resolves conv attributes; returns them with the output shape. */
export function convAttrs(
  op: string, xShape: readonly number[], wShape: readonly number[], opts: Conv2dOptions, xName = 'x', wName = 'filter',
): [ConvAttrs, number[]] {
  checkShape(op, xName, xShape);
  checkShape(op, wName, wShape);
  needOptions(op, opts);
  if (xShape.length !== 4) throw new ShapeError(op, `${xName} must be NCHW (rank 4), got ${fmtShape(xShape)}`);
  if (wShape.length !== 4) throw new ShapeError(op, `${wName} must be OIHW (rank 4), got ${fmtShape(wShape)}`);
  if (wShape[2] === 0 || wShape[3] === 0) throw new ShapeError(op, `${wName} ${fmtShape(wShape)} has an empty window; kH and kW must be at least 1`);
  const groups = opts.groups ?? 1;
  const [n, c, h, w] = xShape as [number, number, number, number];
  const [o, i, kh, kw] = wShape as [number, number, number, number];
  if (!Number.isInteger(groups) || groups < 1 || c % groups !== 0 || o % groups !== 0)
    throw new ArgumentError(op, `groups ${groups} must be a positive integer dividing the input channels ${c} of ${xName} ${fmtShape(xShape)} and the output channels ${o} of ${wName} ${fmtShape(wShape)}`);
  if (i * groups !== c)
    throw new ShapeError(op, `${wName} ${fmtShape(wShape)} expects ${i * groups} input channels (I × groups = ${i} × ${groups}), ${xName} ${fmtShape(xShape)} has ${c}; the filter must be [O, C / groups, kH, kW]`);
  const stride = pair(op, 'stride', opts.stride, [1, 1]);
  const dilation = pair(op, 'dilation', opts.dilation, [1, 1]);
  const padding = resolvePadding(op, opts.padding, [h, w], [kh, kw], stride, dilation);
  const ho = convOutSize(h, kh, stride[0], dilation[0], padding[0][0], padding[0][1]);
  const wo = convOutSize(w, kw, stride[1], dilation[1], padding[1][0], padding[1][1]);
  if (ho < 1 || wo < 1)
    throw new ShapeError(op, `the ${kh}×${kw} ${wName} ${fmtShape(wShape)} (dilation ${dilation.join('×')}) does not fit the padded ${h}×${w} input of ${xName} ${fmtShape(xShape)}; pad more or use a smaller filter`);
  checkOutSize(op, [n, o, ho, wo]);
  return [{ stride, padding, dilation, groups }, [n, o, ho, wo]];
}

/**
 * 2-D convolution (cross-correlation), NCHW input, OIHW filter.
 * @param x [N, C, H, W]
 * @param w [O, C / groups, kH, kW]
 * @returns [N, O, Ho, Wo]
 */
export function conv2d(x: Tensor, w: Tensor, opts: Conv2dOptions = {}): Tensor {
  needTensor('conv2d', 'x', x);
  needTensor('conv2d', 'filter', w);
  if (x.dtype !== 'float32' || w.dtype !== 'float32') throw new DTypeError('conv2d', `x and filter must be float32, got ${x.dtype} and ${w.dtype}`);
  const [attrs] = convAttrs('conv2d', x.shape, w.shape, opts);
  return apply('conv2d', [x, w], attrs);
}

/** Gradient of conv2d with respect to its input, applied to `dy` (a transposed convolution). */
export function conv2dBackInput(dy: Tensor, w: Tensor, inputShape: readonly number[], opts: Conv2dOptions = {}): Tensor {
  needTensor('conv2dBackInput', 'dy', dy);
  needTensor('conv2dBackInput', 'filter', w);
  if (dy.dtype !== 'float32' || w.dtype !== 'float32') throw new DTypeError('conv2dBackInput', `dy and filter must be float32, got ${dy.dtype} and ${w.dtype}`);
  const [attrs, outShape] = convAttrs('conv2dBackInput', inputShape, w.shape, opts, 'inputShape');
  if (dy.rank !== 4 || dy.shape.some((d, i) => d !== outShape[i]))
    throw new ShapeError('conv2dBackInput', `dy ${fmtShape(dy.shape)} should be the conv output shape ${fmtShape(outShape)} for inputShape ${fmtShape(inputShape)} and filter ${fmtShape(w.shape)}`);
  return apply('conv2dBackInput', [dy, w], { ...attrs, inputShape: [...inputShape] });
}

/** Gradient of conv2d with respect to its filter, applied to `dy`. */
export function conv2dBackFilter(x: Tensor, dy: Tensor, filterShape: readonly number[], opts: Conv2dOptions = {}): Tensor {
  needTensor('conv2dBackFilter', 'x', x);
  needTensor('conv2dBackFilter', 'dy', dy);
  if (x.dtype !== 'float32' || dy.dtype !== 'float32') throw new DTypeError('conv2dBackFilter', `x and dy must be float32, got ${x.dtype} and ${dy.dtype}`);
  const [attrs, outShape] = convAttrs('conv2dBackFilter', x.shape, filterShape, opts, 'x', 'filterShape');
  if (dy.rank !== 4 || dy.shape.some((d, i) => d !== outShape[i]))
    throw new ShapeError('conv2dBackFilter', `dy ${fmtShape(dy.shape)} should be the conv output shape ${fmtShape(outShape)} for x ${fmtShape(x.shape)} and filterShape ${fmtShape(filterShape)}`);
  return apply('conv2dBackFilter', [x, dy], { ...attrs, filterShape: [...filterShape] });
}
