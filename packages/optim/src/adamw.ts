import { scaleByAdam } from './adam.js';
import { chain } from './combine.js';
import { addDecayedWeights } from './decay.js';
import { checkNonNegative, checkRateOrSchedule, withGradLayoutCheck } from './internal/validate.js';
import { scaleByLearningRate } from './scale.js';
import type { GradientTransformation, OptState, Schedule } from './types.js';

export interface AdamOptions {
  readonly lr: number | Schedule;
  readonly b1?: number;
  readonly b2?: number;
  readonly eps?: number;
  readonly weightDecay?: number;
}

/**
 * AdamW with PyTorch's semantics (Loshchilov & Hutter 2019): `w ← w − η·λ·w − η·m̂/(√v̂ + ε)`, the
 * decay decoupled from the moments and scaled by the (scheduled) learning rate. Default λ = 0.01.
 * @example
 * const opt = adamw({ lr: 1e-3, weightDecay: 0.05 });
 */
export function adamw({ lr, b1 = 0.9, b2 = 0.999, eps = 1e-8, weightDecay = 0.01 }: AdamOptions): GradientTransformation<OptState[]> {
  const rate = checkRateOrSchedule('adamw', 'lr', lr);
  checkNonNegative('adamw', 'weightDecay', weightDecay);
  return withGradLayoutCheck('adamw', chain(scaleByAdam({ b1, b2, eps }), addDecayedWeights(weightDecay), scaleByLearningRate(rate)));
}

/**
 * Adam with PyTorch's coupled L2 decay: `d = g + λw` feeds the moments. Default λ = 0.
 * @example
 * const opt = adam({ lr: 1e-3 });
 */
export function adam({ lr, b1 = 0.9, b2 = 0.999, eps = 1e-8, weightDecay = 0 }: AdamOptions): GradientTransformation<OptState[]> {
  const rate = checkRateOrSchedule('adam', 'lr', lr);
  checkNonNegative('adam', 'weightDecay', weightDecay);
  return withGradLayoutCheck('adam', chain(addDecayedWeights(weightDecay), scaleByAdam({ b1, b2, eps }), scaleByLearningRate(rate)));
}
