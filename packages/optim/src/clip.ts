import { tree } from '@ssam/tensor';
import { globalNorm } from './internal/norm.js';
import { checkPositive } from './internal/validate.js';
import type { GradientTransformation } from './types.js';

/**
 * Rescales the updates to global L2 norm `maxNorm` when their norm exceeds it (optax's
 * `clip_by_global_norm`). In the SAM family put it in the base optimizer: it then clips the final
 * (pass-2) gradient. Clipping before the ascent would be a no-op, since ε is normalised anyway.
 * @example
 * const opt = sam({ rho: 0.05, base: chain(clipByGlobalNorm(1), sgd({ lr: 0.1 })) });
 */
export function clipByGlobalNorm(maxNorm: number): GradientTransformation<Record<string, never>> {
  const max = checkPositive('clipByGlobalNorm', 'maxNorm', maxNorm);
  return {
    init: () => ({}),
    update(grads, state) {
      const norm = globalNorm(grads);
      if (!(norm > max)) return [grads, state];
      return [tree.scale(max / norm, grads), state];
    },
  };
}
