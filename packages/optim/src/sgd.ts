import { chain } from './combine.js';
import { addDecayedWeights } from './decay.js';
import { checkNonNegative, checkRateOrSchedule, checkUnit, withGradLayoutCheck } from './internal/validate.js';
import { scaleByMomentum } from './momentum.js';
import { scaleByLearningRate } from './scale.js';
import type { GradientTransformation, OptState, Schedule } from './types.js';

export interface SgdOptions {
  /** Learning rate η, or a schedule of the step. */
  readonly lr: number | Schedule;
  /** μ (default 0: no momentum buffer). */
  readonly momentum?: number;
  readonly nesterov?: boolean;
  /** PyTorch's dampening (default 0). */
  readonly dampening?: number;
  /** λ, coupled L2 decay added to the gradient before momentum (default 0). */
  readonly weightDecay?: number;
}

/**
 * Stochastic gradient descent with exactly PyTorch's semantics: `d = g + λw`; `buf = d` on the
 * first step, else `buf = μ·buf + d`; `d = d + μ·buf` (Nesterov) or `d = buf`; `w ← w − η·d`.
 * It is `chain(addDecayedWeights(λ), scaleByMomentum({ μ, nesterov }), scaleByLearningRate(η))`:
 * weight decay enters before momentum, as in `torch.optim.SGD`. The gradients must match the
 * params leaf for leaf (structure, shape, dtype), and a schedule must give a finite lr ≥ 0 at
 * every step; otherwise `update` throws, naming the leaf or the step.
 * @example
 * const opt = sgd({ lr: 0.05, momentum: 0.9, weightDecay: 5e-4 });
 */
export function sgd({ lr, momentum = 0, nesterov = false, dampening = 0, weightDecay = 0 }: SgdOptions): GradientTransformation<OptState[]> {
  const op = 'sgd';
  const rate = checkRateOrSchedule(op, 'lr', lr);
  checkUnit(op, 'momentum', momentum, { open: true });
  checkNonNegative(op, 'weightDecay', weightDecay);
  const parts: GradientTransformation<any>[] = [addDecayedWeights(weightDecay)];
  if (momentum > 0 || nesterov) parts.push(scaleByMomentum({ momentum, nesterov, dampening }));
  parts.push(scaleByLearningRate(rate));
  return withGradLayoutCheck(op, chain(...parts));
}
