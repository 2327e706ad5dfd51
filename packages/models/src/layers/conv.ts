import { ArgumentError, ShapeError, add, conv2d as conv, convOutSize, random, reshape, type Padding, type Pair, type Tensor } from '@ssam/tensor';
import { fansOf, makeParam, torchBias, torchWeight, type Initializer } from '../init.js';
import { EMPTY, type Empty, type Layer } from '../layer.js';
import { fmt, oneShape, oneTensor, pair, positiveInt } from '../internal/check.js';

export interface Conv2dLayerOptions {
  /** Default 1. */
  readonly stride?: Pair;
  /** 'valid', 'same', a number, [ph, pw] or [[t, b], [l, r]]; default 0 as in PyTorch. */
  readonly padding?: Padding;
  readonly dilation?: Pair;
  /** Default 1; input and output channels must be divisible by it. */
  readonly groups?: number;
  /** Add a bias (default true; ResNets use false before BatchNorm). */
  readonly bias?: boolean;
  /** Weight initialiser (default PyTorch's Conv2d init, U(±1/√fanIn)). */
  readonly wInit?: Initializer;
  /** Bias initialiser (default PyTorch's, U(±1/√fanIn)). */
  readonly bInit?: Initializer;
}

export type Conv2dParams = { readonly w: Tensor; readonly b?: Tensor };

/** [[top, bottom], [left, right]] for an input of spatial size hw (as @ssam/tensor resolves it). */
export function resolvePadding(op: string, padding: Padding | undefined, hw: readonly [number, number], k: readonly [number, number], stride: readonly [number, number], dilation: readonly [number, number]): [[number, number], [number, number]] {
  if (padding === undefined || padding === 'valid') return [[0, 0], [0, 0]];
  if (padding === 'same') {
    const r = [0, 1].map((i) => {
      const total = Math.max(0, (Math.ceil(hw[i]! / stride[i]!) - 1) * stride[i]! + (k[i]! - 1) * dilation[i]! + 1 - hw[i]!);
      return [Math.floor(total / 2), total - Math.floor(total / 2)] as [number, number];
    });
    return [r[0]!, r[1]!];
  }
  let out: [[number, number], [number, number]];
  if (typeof padding === 'number') out = [[padding, padding], [padding, padding]];
  else if (typeof padding[0] === 'number') {
    const [ph, pw] = padding as readonly [number, number];
    out = [[ph, ph], [pw, pw]];
  } else {
    const [[t, b], [l, r]] = padding as readonly [readonly [number, number], readonly [number, number]];
    out = [[t, b], [l, r]];
  }
  if (!out.flat().every((v) => Number.isInteger(v) && v >= 0)) throw new ArgumentError(op, `padding must be non-negative integers, got ${JSON.stringify(padding)}`);
  return out;
}

/**
 * 2-D convolution over NCHW input with an OIHW filter (PyTorch layout).
 * - input `[N, C, H, W]`, output `[N, out, Ho, Wo]` with Ho = ⌊(H + pads − dilation·(k − 1) − 1) / stride⌋ + 1
 * - params `{ w: [out, C / groups, kH, kW], b: [out] }` (`b` absent with `bias: false`)
 * @example conv2d(16, 3, { padding: 1 }) // [-1, 3, 32, 32] → [-1, 16, 32, 32]
 */
export function conv2d(outChannels: number, kernel: Pair, opts: Conv2dLayerOptions = {}): Layer<Conv2dParams, Empty> {
  positiveInt('conv2d', 'outChannels', outChannels);
  const k = pair('conv2d', 'kernel', kernel, 1);
  const stride = pair('conv2d', 'stride', opts.stride, 1);
  const dilation = pair('conv2d', 'dilation', opts.dilation, 1);
  const groups = positiveInt('conv2d', 'groups', opts.groups ?? 1);
  const bias = opts.bias ?? true;
  const wInit = opts.wInit ?? torchWeight, bInit = opts.bInit ?? torchBias;
  const convOpts = { stride, padding: opts.padding ?? 0, dilation, groups };
  if (outChannels % groups !== 0) throw new ArgumentError('conv2d', `outChannels ${outChannels} must be divisible by groups ${groups}`);
  return {
    init(key, inShape) {
      const [n, c, h, w] = oneShape('conv2d', inShape, [4], 'NCHW') as [number, number, number, number];
      if (c % groups !== 0) throw new ShapeError('conv2d', `input channels ${c} of ${fmt(inShape as number[])} must be divisible by groups ${groups}`);
      const pads = resolvePadding('conv2d', convOpts.padding, [h, w], k, stride, dilation);
      const ho = convOutSize(h, k[0], stride[0], dilation[0], pads[0][0], pads[0][1]);
      const wo = convOutSize(w, k[1], stride[1], dilation[1], pads[1][0], pads[1][1]);
      if (ho < 1 || wo < 1) throw new ShapeError('conv2d', `the ${k.join('×')} filter does not fit the input ${fmt(inShape as number[])} with padding ${JSON.stringify(pads)}; pad more or use a smaller kernel`);
      const [kw, kb] = random.split(key, 2) as [typeof key, typeof key];
      const wShape = [outChannels, c / groups, k[0], k[1]];
      const fans = fansOf(wShape);
      const weight = makeParam(wInit, kw, wShape, fans);
      const params: Conv2dParams = bias ? { w: weight, b: makeParam(bInit, kb, [outChannels], fans) } : { w: weight };
      return [[n, outChannels, ho, wo], params, EMPTY];
    },
    apply(params, _state, x) {
      const y = conv(oneTensor('conv2d', x, [4], 'NCHW'), params.w, convOpts);
      return [params.b ? add(y, reshape(params.b, [1, outChannels, 1, 1])) : y, EMPTY];
    },
  };
}
