import { addcmul, ArgumentError, tree, type Tensor } from '@ssam/tensor';
import { checkNonNegative, checkSameLayout } from './internal/validate.js';
import type { GradientTransformation } from './types.js';

/**
 * Adds `λ·w` to the updates (L2 weight decay when placed before the learning rate; decoupled
 * AdamW decay when placed after the Adam scaling). Needs `params` in `update`.
 * @example
 * const opt = chain(addDecayedWeights(5e-4), scaleByLearningRate(0.1)); // SGD with weight decay
 */
export function addDecayedWeights(weightDecay: number): GradientTransformation<Record<string, never>> {
  const wd = checkNonNegative('addDecayedWeights', 'weightDecay', weightDecay);
  return {
    init: () => ({}),
    update(grads, state, params) {
      if (wd === 0) return [grads, state];
      if (params === undefined)
        throw new ArgumentError('addDecayedWeights.update', 'needs params (update(grads, state, params)) to add λ·w');
      checkSameLayout('addDecayedWeights.update', 'grads', grads, 'params', params);
      return [tree.zipMap((g: Tensor, w: Tensor) => addcmul(g, w, 1, wd), grads, params), state];
    },
  };
}
