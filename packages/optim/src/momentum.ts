import { addcmul, ArgumentError, mul, tree, type Tensor } from '@ssam/tensor';
import { nextCount, readCount, zeroCount } from './internal/count.js';
import { checkSameLayout, checkUnit } from './internal/validate.js';
import type { GradientTransformation, Updates } from './types.js';

export interface ScaleByMomentumOptions {
  /** μ ∈ [0, 1). */
  readonly momentum: number;
  /** Nesterov momentum: the update is `d + μ·buf` instead of `buf`. */
  readonly nesterov?: boolean;
  /** PyTorch's dampening τ: `buf = μ·buf + (1 − τ)·d` after the first step. Default 0. */
  readonly dampening?: number;
}

export interface ScaleByMomentumState {
  readonly count: Tensor;
  readonly trace: Updates;
}

/**
 * Heavy-ball momentum with exactly PyTorch's semantics: `buf = d` on the first step, then
 * `buf = μ·buf + (1 − τ)·d`; the update is `buf`, or `d + μ·buf` with Nesterov.
 * @example
 * const t = scaleByMomentum({ momentum: 0.9, nesterov: true });
 */
export function scaleByMomentum({ momentum, nesterov = false, dampening = 0 }: ScaleByMomentumOptions): GradientTransformation<ScaleByMomentumState> {
  const op = 'scaleByMomentum';
  const mu = checkUnit(op, 'momentum', momentum, { open: true });
  const tau = checkUnit(op, 'dampening', dampening);
  if (nesterov && (mu === 0 || tau !== 0))
    throw new ArgumentError(op, `Nesterov momentum needs momentum > 0 and dampening = 0 (as in PyTorch); got momentum ${mu}, dampening ${tau}`);
  return {
    init: (params) => ({ count: zeroCount(), trace: tree.zerosLike(params) }),
    update(grads, state) {
      const n = readCount(`${op}.update`, state.count);
      checkSameLayout(`${op}.update`, 'grads', grads, 'the momentum buffer (shaped like the params given to init)', state.trace);
      const trace =
        n === 0
          ? grads
          : tree.zipMap((b: Tensor, d: Tensor) => addcmul(tau === 0 ? d : mul(d, 1 - tau), b, 1, mu), state.trace, grads);
      const updates = nesterov ? tree.zipMap((d: Tensor, b: Tensor) => addcmul(d, b, 1, mu), grads, trace) : trace;
      return [updates, { count: nextCount(n), trace }];
    },
  };
}
