// Friendly-SAM (Li, Zhou, He, Cheng, Huang, CVPR 2024, arXiv 2403.12350):
//   m_t = λ·m_{t−1} + (1 − λ)·g_t          (m_0 = g_0, an EMA of the pass-1 gradients)
//   d_t = g_t − σ·m_{t−1}                  (d_0 = g_0: nothing to subtract yet)
//   ε_t = ρ·d_t/‖d_t‖,  g′ = ∇L(w_t + ε_t),  descend from w_t with g′ (the base optimizer).
// The EMA estimates the full-batch gradient; removing it leaves the batch-specific part of g,
// which the paper finds is what helps generalisation. σ = 0 is SAM. We follow the authors'
// code (nblt/F-SAM, utils.py, class FriendlySAM; defaults σ = 1, λ = 0.9) in subtracting the EMA
// of the PREVIOUS steps and starting it at the first gradient.
import { add, mul, scalar, sub, tree, type Tensor } from '@ssam/tensor';
import { checkNonNegative, checkRateOrSchedule, checkUnit } from '../internal/validate.js';
import { ascentChain, normalizeGlobal, scaleByRho } from '../sam/ascent.js';
import type { SamState } from '../sam/core.js';
import { sam } from '../sam/sam.js';
import type { GradientTransformation, OptState, Schedule, Updates } from '../types.js';

/** The state of `subtractEma`: the EMA m of the gradients seen, and whether one was seen yet (0/1). */
export interface SubtractEmaState {
  readonly m: Updates;
  readonly seen: Tensor;
}

/**
 * The Friendly-SAM ascent stage g ↦ g − σ·m, m the EMA (weight λ on the past) of the earlier
 * gradients; put it before `normalizeGlobal()`. At the first step m is g itself and nothing is
 * subtracted.
 * @example const ascent = ascentChain(subtractEma({ sigma: 1, lambda: 0.9 }), normalizeGlobal(), scaleByRho(0.05));
 */
export function subtractEma(o: { readonly sigma?: number; readonly lambda?: number } = {}): GradientTransformation<SubtractEmaState> {
  const sigma = checkNonNegative('subtractEma', 'sigma', o.sigma ?? 1);
  const lambda = checkUnit('subtractEma', 'lambda', o.lambda ?? 0.9);
  return {
    init: (params) => ({ m: tree.zerosLike(params), seen: scalar(0) }),
    update(g, state) {
      if (state.seen.item() === 0) return [g, { m: g, seen: scalar(1) }];
      const d = tree.zipMap((x: Tensor, m: Tensor) => sub(x, mul(m, sigma)), g, state.m);
      const m = tree.zipMap((mm: Tensor, x: Tensor) => add(mul(mm, lambda), mul(x, 1 - lambda)), state.m, g);
      return [d, { m, seen: state.seen }];
    },
  };
}

export interface FriendlySamOptions {
  /** Radius ρ ≥ 0 (a number or a schedule of the step). */
  readonly rho: number | Schedule;
  /** σ ≥ 0: how much of the gradient EMA to remove (paper default 1; 0 is SAM). */
  readonly sigma?: number;
  /** λ ∈ [0, 1]: the EMA's weight on the past (authors' default 0.9; 0.6 or 0.95 in their runs). */
  readonly lambda?: number;
  /** The optimizer that takes the descent step with g′. */
  readonly base: GradientTransformation<any>;
  /** δ in ρ·d/(‖d‖ + δ) (default 1e-12). */
  readonly normEps?: number;
}

/**
 * Friendly-SAM: SAM whose ascent is ρ·d/‖d‖ with d = g − σ·EMA(g). Two passes per step, as SAM.
 * = sam({ ascent: ascentChain(subtractEma({ sigma, lambda }), normalizeGlobal(), scaleByRho(rho)), base })
 * @example const opt = friendlySam({ rho: 0.05, sigma: 1, lambda: 0.9, base: sgd({ lr: 0.1, momentum: 0.9 }) });
 */
export function friendlySam(o: FriendlySamOptions): GradientTransformation<SamState<OptState, Record<string, never>>> {
  const rho = checkRateOrSchedule('friendlySam', 'rho', o.rho);
  const normEps = checkNonNegative('friendlySam', 'normEps', o.normEps ?? 1e-12);
  // Validated here too, so that the errors name the builder the user called.
  const sigma = checkNonNegative('friendlySam', 'sigma', o.sigma ?? 1);
  const lambda = checkUnit('friendlySam', 'lambda', o.lambda ?? 0.9);
  const ascent = ascentChain(subtractEma({ sigma, lambda }), normalizeGlobal({ normEps }), scaleByRho(rho));
  return sam({ ascent, base: o.base });
}
