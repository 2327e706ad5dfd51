import { add, addcmul, div, mul, sqrt, tree, type Tensor } from '@ssam/tensor';
import { nextCount, readCount, zeroCount } from './internal/count.js';
import { checkNonNegative, checkSameLayout, checkUnit } from './internal/validate.js';
import type { GradientTransformation, Updates } from './types.js';

export interface ScaleByAdamOptions {
  readonly b1?: number;
  readonly b2?: number;
  readonly eps?: number;
}

export interface ScaleByAdamState {
  readonly count: Tensor;
  readonly mu: Updates;
  readonly nu: Updates;
}

/**
 * Adam's direction with PyTorch's arithmetic (Kingma & Ba 2015):
 * `m = β₁m + (1−β₁)g`, `v = β₂v + (1−β₂)g²`, update `(m/(1−β₁ᵗ)) / (√v/√(1−β₂ᵗ) + ε)`.
 * Chain it with `scaleByLearningRate` to descend.
 * @example
 * const adam = chain(scaleByAdam({ b1: 0.9, b2: 0.999 }), scaleByLearningRate(1e-3));
 */
export function scaleByAdam({ b1 = 0.9, b2 = 0.999, eps = 1e-8 }: ScaleByAdamOptions = {}): GradientTransformation<ScaleByAdamState> {
  const op = 'scaleByAdam';
  checkUnit(op, 'b1', b1, { open: true });
  checkUnit(op, 'b2', b2, { open: true });
  checkNonNegative(op, 'eps', eps);
  return {
    init: (params) => ({ count: zeroCount(), mu: tree.zerosLike(params), nu: tree.zerosLike(params) }),
    update(grads, state) {
      const n = readCount(`${op}.update`, state.count) + 1;
      checkSameLayout(`${op}.update`, 'grads', grads, 'the first moment (shaped like the params given to init)', state.mu);
      const mu = tree.zipMap((m: Tensor, g: Tensor) => addcmul(mul(g, 1 - b1), m, 1, b1), state.mu, grads);
      const nu = tree.zipMap((v: Tensor, g: Tensor) => addcmul(mul(v, b2), g, g, 1 - b2), state.nu, grads);
      // NOTE: PyTorch folds 1/(1−β₁ᵗ) into the step size and divides √v by √(1−β₂ᵗ) before adding ε.
      const bc1 = 1 - Math.pow(b1, n);
      const sqrtBc2 = Math.sqrt(1 - Math.pow(b2, n));
      const updates = tree.zipMap((m: Tensor, v: Tensor) => div(mul(m, 1 / bc1), add(div(sqrt(v), sqrtBc2), eps)), mu, nu);
      return [updates, { count: nextCount(n - 1), mu, nu }];
    },
  };
}

