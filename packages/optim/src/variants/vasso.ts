// VaSSO, variance-suppressed sharpness-aware optimisation (Li & Giannakis, NeurIPS 2023,
// arXiv 2309.15639):
//   d_t = (1 − θ)·d_{t−1} + θ·g_t          (d_0 = g_0)
//   ε_t = ρ·d_t/‖d_t‖,  g′ = ∇L(w_t + ε_t),  descend from w_t with g′ (the base optimizer).
// The EMA d is a lower-variance estimate of the full gradient than the mini-batch g, so the
// adversary is less noisy. θ = 1 is SAM. The paper does not fix d_{−1}; we start from d_0 = g_0
// (no bias towards 0 in the first steps; at step 0 the direction is the same either way).
import { add, ArgumentError, mul, scalar, tree, type Tensor } from '@ssam/tensor';
import { checkNonNegative, checkRateOrSchedule, checkUnit } from '../internal/validate.js';
import { ascentChain, normalizeGlobal, scaleByRho } from '../sam/ascent.js';
import type { SamState } from '../sam/core.js';
import { sam } from '../sam/sam.js';
import type { GradientTransformation, OptState, Schedule, Updates } from '../types.js';

/** The state of `emaOfGradients`: d, and whether a gradient was seen yet (0/1). */
export interface EmaOfGradientsState {
  readonly d: Updates;
  readonly seen: Tensor;
}

/**
 * The VaSSO ascent stage g ↦ d = (1 − θ)·d + θ·g (d = g at the first step); put it before
 * `normalizeGlobal()`.
 * @example const ascent = ascentChain(emaOfGradients({ theta: 0.4 }), normalizeGlobal(), scaleByRho(0.1));
 */
export function emaOfGradients(o: { readonly theta?: number } = {}): GradientTransformation<EmaOfGradientsState> {
  const theta = checkUnit('emaOfGradients', 'theta', o.theta ?? 0.4);
  if (theta === 0) throw new ArgumentError('emaOfGradients', 'theta must be > 0: with θ = 0 the direction never leaves the first gradient');
  return {
    init: (params) => ({ d: tree.zerosLike(params), seen: scalar(0) }),
    update(g, state) {
      if (state.seen.item() === 0) return [g, { d: g, seen: scalar(1) }];
      const d = tree.zipMap((dd: Tensor, x: Tensor) => add(mul(dd, 1 - theta), mul(x, theta)), state.d, g);
      return [d, { d, seen: state.seen }];
    },
  };
}

export interface VassoOptions {
  /** Radius ρ ≥ 0 (a number or a schedule of the step). */
  readonly rho: number | Schedule;
  /** θ ∈ (0, 1]: the weight of the new gradient in d (default 0.4; 1 is SAM). */
  readonly theta?: number;
  /** The optimizer that takes the descent step with g′. */
  readonly base: GradientTransformation<any>;
  /** δ in ρ·d/(‖d‖ + δ) (default 1e-12). */
  readonly normEps?: number;
}

/**
 * VaSSO: SAM whose ascent follows an EMA of the gradients. Two passes per step, as SAM.
 * = sam({ ascent: ascentChain(emaOfGradients({ theta }), normalizeGlobal(), scaleByRho(rho)), base })
 * @example const opt = vasso({ rho: 0.1, theta: 0.4, base: sgd({ lr: 0.1, momentum: 0.9 }) });
 */
export function vasso(o: VassoOptions): GradientTransformation<SamState<OptState, Record<string, never>>> {
  const rho = checkRateOrSchedule('vasso', 'rho', o.rho);
  const normEps = checkNonNegative('vasso', 'normEps', o.normEps ?? 1e-12);
  const theta = checkUnit('vasso', 'theta', o.theta ?? 0.4);
  if (theta === 0) throw new ArgumentError('vasso', 'theta must be > 0 (θ ∈ (0, 1], 1 is SAM); got 0');
  return sam({ ascent: ascentChain(emaOfGradients({ theta }), normalizeGlobal({ normEps }), scaleByRho(rho)), base: o.base });
}
