import { ArgumentError, ShapeError, avgPool2d, convOutSize, maxPool2d, mean, type Padding, type Pair, type Tensor } from '@ssam/tensor';
import { EMPTY, type Empty, type Layer } from '../layer.js';
import { fmt, oneShape, oneTensor, pair } from '../internal/check.js';
import { resolvePadding } from './conv.js';

export interface PoolOptions {
  /** Window size. */
  readonly kernel: Pair;
  /** Default: the window size. */
  readonly stride?: Pair;
  /** Default 0; every side must be smaller than the window. */
  readonly padding?: Padding;
}

function pool(op: string, opts: PoolOptions, run: (x: Tensor) => Tensor): Layer<Empty, Empty> {
  if (opts === null || typeof opts !== 'object' || opts.kernel === undefined)
    throw new ArgumentError(op, `takes options { kernel, stride?, padding? }; got ${JSON.stringify(opts)}. E.g. ${op}({ kernel: 2 })`);
  const k = pair(op, 'kernel', opts.kernel, 1);
  const s = opts.stride === undefined ? k : pair(op, 'stride', opts.stride, 1);
  return {
    init(_key, inShape) {
      const [n, c, h, w] = oneShape(op, inShape, [4], 'NCHW') as [number, number, number, number];
      const pads = resolvePadding(op, opts.padding, [h, w], k, s, [1, 1]);
      if (pads[0].some((p) => p >= k[0]) || pads[1].some((p) => p >= k[1]))
        throw new ArgumentError(op, `padding ${JSON.stringify(opts.padding)} must be smaller than the ${k.join('×')} window`);
      const ho = convOutSize(h, k[0], s[0], 1, pads[0][0], pads[0][1]);
      const wo = convOutSize(w, k[1], s[1], 1, pads[1][0], pads[1][1]);
      if (ho < 1 || wo < 1) throw new ShapeError(op, `the ${k.join('×')} window does not fit the input ${fmt(inShape)}`);
      return [[n, c, ho, wo], EMPTY, EMPTY];
    },
    apply: (_p, _s, x) => [run(oneTensor(op, x, [4], 'NCHW')), EMPTY],
  };
}

/**
 * Max pooling over NCHW windows (PyTorch MaxPool2d, floor mode).
 * - input `[N, C, H, W]`, output `[N, C, Ho, Wo]`, Ho = ⌊(H + pads − k) / stride⌋ + 1
 * @example maxPool({ kernel: 2 }) // [-1, 16, 32, 32] → [-1, 16, 16, 16]
 */
export function maxPool(opts: PoolOptions): Layer<Empty, Empty> {
  return pool('maxPool', opts, (x) => maxPool2d(x, { kernel: opts.kernel, ...(opts.stride ? { stride: opts.stride } : {}), ...(opts.padding !== undefined ? { padding: opts.padding } : {}) }));
}

/**
 * Average pooling over NCHW windows (PyTorch AvgPool2d; padding counts in the divisor unless
 * `countIncludePad: false`).
 * - input `[N, C, H, W]`, output `[N, C, Ho, Wo]`
 */
export function avgPool(opts: PoolOptions & { readonly countIncludePad?: boolean }): Layer<Empty, Empty> {
  return pool('avgPool', opts, (x) =>
    avgPool2d(x, { kernel: opts.kernel, ...(opts.stride ? { stride: opts.stride } : {}), ...(opts.padding !== undefined ? { padding: opts.padding } : {}), countIncludePad: opts.countIncludePad ?? true }),
  );
}

/**
 * Mean over the spatial axes: `[N, C, H, W]` → `[N, C]` (PyTorch's AdaptiveAvgPool2d(1) followed by
 * flatten; on the 8×8 / 4×4 maps of CIFAR ResNets it equals `F.avg_pool2d(out, 8 or 4)`).
 */
export const globalAvgPool: Layer<Empty, Empty> = {
  init(_key, inShape) {
    const s = oneShape('globalAvgPool', inShape, [4], 'NCHW');
    return [[s[0]!, s[1]!], EMPTY, EMPTY];
  },
  apply: (_p, _s, x) => [mean(oneTensor('globalAvgPool', x, [4], 'NCHW'), { axes: [2, 3] }), EMPTY],
};
