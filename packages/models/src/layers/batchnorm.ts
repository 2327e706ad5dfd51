import { ArgumentError, ShapeError, add, addcmul, div, mean, mul, ones, reshape, sqrt, sub, zeros, type Tensor } from '@ssam/tensor';
import type { Layer } from '../layer.js';
import { fmt, oneShape, oneTensor } from '../internal/check.js';
import { batchNormTrain } from './batchnorm-train.js';


export interface BatchNormOptions {
  /** Weight of the new batch statistic in the running average (PyTorch's momentum, default 0.1). */
  readonly momentum?: number;
  /** Added to the variance before the square root (default 1e-5). */
  readonly eps?: number;
}

export type BatchNormParams = { readonly gamma: Tensor; readonly beta: Tensor };
export type BatchNormState = { readonly runningMean: Tensor; readonly runningVar: Tensor };

/**
 * Batch normalisation over the channel axis 1 (PyTorch's BatchNorm1d on `[N, C]` and BatchNorm2d
 * on `[N, C, H, W]`): y = γ·(x − μ)/√(σ² + eps) + β.
 * - train: μ, σ² are the batch statistics over all axes but 1 (σ² biased, divided by n);
 *   the returned state is runningMean ← (1 − m)·runningMean + m·μ and
 *   runningVar ← (1 − m)·runningVar + m·σ²·n/(n − 1) (the unbiased variance, as PyTorch).
 * - eval: μ, σ² are the running statistics; the state is returned unchanged.
 * - input `[N, C]` or `[N, C, H, W]`, output the same shape
 * - params `{ gamma: [C] = 1, beta: [C] = 0 }`, state `{ runningMean: [C] = 0, runningVar: [C] = 1 }`
 * @example serial({ conv: conv2d(16, 3, { bias: false }), bn: batchNorm() })
 */
export function batchNorm(opts: BatchNormOptions = {}): Layer<BatchNormParams, BatchNormState> {
  const momentum = opts.momentum ?? 0.1, eps = opts.eps ?? 1e-5;
  if (!(momentum >= 0 && momentum <= 1)) throw new ArgumentError('batchNorm', `momentum must be in [0, 1], got ${momentum}`);
  if (!(eps > 0)) throw new ArgumentError('batchNorm', `eps must be positive, got ${eps}`);
  return {
    init(_key, inShape) {
      const s = oneShape('batchNorm', inShape, [2, 3, 4, 5], '[N, C, ...]');
      const c = s[1]!;
      return [s, { gamma: ones([c]), beta: zeros([c]) }, { runningMean: zeros([c]), runningVar: ones([c]) }];
    },
    apply(params, state, x, ctx) {
      const t = oneTensor('batchNorm', x, [2, 3, 4, 5], '[N, C, ...]');
      const c = t.shape[1]!;
      if (params.gamma.shape[0] !== c)
        throw new ShapeError('batchNorm', `x ${fmt(t.shape)} has ${c} channels but gamma has ${params.gamma.shape[0]}; init the layer with the input shape you apply it to`);
      const bShape = t.shape.map((d, i) => (i === 1 ? d : 1));
      const axes = t.shape.map((_, i) => i).filter((i) => i !== 1);
      const scale = reshape(params.gamma, bShape), shift = reshape(params.beta, bShape);
      if (!ctx.train) {
        const inv = div(scale, sqrt(add(reshape(state.runningVar, bShape), eps)));
        return [addcmul(shift, sub(t, reshape(state.runningMean, bShape)), inv), state];
      }
      const n = t.size / c;
      if (n < 2) throw new ShapeError('batchNorm', `training needs more than one value per channel, got x ${fmt(t.shape)}; use a batch of at least 2 or eval mode`);
      // NOTE: one unit with a closed-form backward (batchnorm-train.ts): the centred input is
      // formed once, γ/√(v + ε) on [1, C, 1, …] before it meets it, β in the same pass; three
      // full-size ops forward and three backward, with the same centred numerics.
      const { y, mu, v } = batchNormTrain(t, scale, shift, axes, eps);
      const m = momentum;
      const runningMean = add(mul(state.runningMean, 1 - m), mul(reshape(mu, [c]), m));
      const runningVar = add(mul(state.runningVar, 1 - m), mul(reshape(v, [c]), (m * n) / (n - 1)));
      return [y, { runningMean, runningVar }];
    },
  };
}
