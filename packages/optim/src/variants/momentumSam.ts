// Momentum-SAM, MSAM (Becker, Altrock, Risse, "Momentum-SAM: Sharpness Aware Minimization without
// Computational Overhead", arXiv 2401.12033, 2024), the SGD form of the authors' code
// (MarlonBecker/MSAM, optimizer/msam.py). With the PyTorch momentum convention (v accumulates
// gradients, the descent is −η·v), the model holds the PERTURBED point
//   w̃_t = w_t − ρ·v_t/‖v_t‖              (the negative momentum direction; ε = 0 while v = 0)
// and each step takes ONE gradient, at w̃_t:
//   v_{t+1} = μ·v_t + g(w̃_t) + λ·w̃_t,    w_{t+1} = w_t − η_t·v_{t+1},    w̃_{t+1} = w_{t+1} − ρ·v_{t+1}/‖v_{t+1}‖.
// So the update of the held params is  ρ·v_t/‖v_t‖ − η_t·v_{t+1} − ρ·v_{t+1}/‖v_{t+1}‖ (norms + 1e-12).
// The held params are w̃, not w: evaluate (or save) at w = w̃ + ρ·v/‖v‖ (`momentumSamWeights`), as the
// authors' `move_back_from_momentumAscent` does, unless ρ has decayed to 0.
import { add, ArgumentError, mul, sub, tree, type Tensor } from '@ssam/tensor';
import { nextCount, readCount, zeroCount } from '../internal/count.js';
import { globalNorm } from '../internal/norm.js';
import { checkNonNegative, checkRateOrSchedule, checkUnit } from '../internal/validate.js';
import type { GradientTransformation, Params, Schedule, Updates } from '../types.js';

export interface MomentumSamState {
  readonly count: Tensor;
  /** The momentum buffer v (zeros before the first step). */
  readonly v: Updates;
}

export interface MomentumSamOptions {
  /** η: a number or a schedule of the step. */
  readonly lr: number | Schedule;
  /** ρ ≥ 0 (the authors' default 0.3 for SGD). */
  readonly rho: number;
  /** μ ∈ [0, 1) (default 0.9). */
  readonly momentum?: number;
  /** λ, added to the gradient as λ·w̃ as in the authors' code (default 0). */
  readonly weightDecay?: number;
}

const SAFE = 1e-12;
const ascentScale = (v: Updates, rho: number) => rho / (globalNorm(v) + SAFE);

/**
 * MSAM with SGD momentum: one gradient per step, at the held (perturbed) params w̃. Needs no
 * `gradFn`. The held params are w̃ = w − ρ·v/‖v‖; get w with `momentumSamWeights`.
 * @example const opt = momentumSam({ lr: 0.1, momentum: 0.9, rho: 0.3 });
 */
export function momentumSam(o: MomentumSamOptions): GradientTransformation<MomentumSamState> {
  const lrOpt = checkRateOrSchedule('momentumSam', 'lr', o.lr);
  const lr = typeof lrOpt === 'number' ? () => lrOpt : lrOpt;
  const rho = checkNonNegative('momentumSam', 'rho', o.rho);
  const mu = checkUnit('momentumSam', 'momentum', o.momentum ?? 0.9, { open: true });
  const wd = checkNonNegative('momentumSam', 'weightDecay', o.weightDecay ?? 0);
  return {
    init: (params) => ({ count: zeroCount(), v: tree.zerosLike(params) }),
    update(g, state, params) {
      if (params === undefined) throw new ArgumentError('momentumSam.update', 'needs the current (held, perturbed) params: weight decay is taken there');
      const step = readCount('momentumSam.update', state.count);
      const back = ascentScale(state.v, rho);
      const v = tree.map((b: Tensor, x: Tensor, w: Tensor) => add(add(mul(b, mu), x), mul(w, wd)), state.v, g, params) as Updates;
      const up = ascentScale(v, rho);
      const eta = lr(step);
      // ρ·v_t/‖v_t‖ − η·v_{t+1} − ρ·v_{t+1}/‖v_{t+1}‖
      const u = tree.zipMap((b: Tensor, x: Tensor) => sub(mul(b, back), mul(x, eta + up)), state.v, v) as Updates;
      return [u, { count: nextCount(step), v }];
    },
  };
}

/** The unperturbed weights w = w̃ + ρ·v/‖v‖ of params held by `momentumSam` (for evaluation or saving). */
export function momentumSamWeights(params: Params, state: MomentumSamState, rho: number): Params {
  const c = ascentScale(state.v, checkNonNegative('momentumSamWeights', 'rho', rho));
  return tree.zipMap((w: Tensor, b: Tensor) => add(w, mul(b, c)), params, state.v) as Params;
}
