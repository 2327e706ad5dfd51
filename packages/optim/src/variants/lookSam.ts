// LookSAM (Liu, Mai, Chen, Hsieh, You, CVPR 2022, "Towards Efficient and Scalable
// Sharpness-Aware Minimization", arXiv 2203.02714):
//   every k-th step (t mod k = 0):  ε = ρ·g/‖g‖,  g_s = ∇L(w + ε),
//                                   g_v = g_s − (⟨g, g_s⟩/‖g‖²)·g   (g_s minus its projection on g),
//                                   descend with g_s;
//   the other steps (one pass):     descend with g + α·(‖g‖/‖g_v‖)·g_v   (g_v of the last SAM step).
// The SAM steps are sam's; in between, the stored orthogonal component stands in for pass 2, at
// about SGD's cost. α = 0 is sam({ every: k }); k = 1 is SAM.
import { add, ArgumentError, mul, sub, tree, type Tensor } from '@ssam/tensor';
import { nextCount, readCount, zeroCount } from '../internal/count.js';
import { dot64, squaredNorm } from '../internal/norm.js';
import { checkNonNegative, checkPositiveInt, checkRateOrSchedule } from '../internal/validate.js';
import { checkBase } from '../sam/core.js';
import type { GradientTransformation, OptState, Params, Schedule, Updates } from '../types.js';

export interface LookSamState {
  readonly count: Tensor;
  /** g_v of the last SAM step (zeros before the first). */
  readonly gv: Updates;
  readonly base: OptState;
}

export interface LookSamOptions {
  /** Radius ρ ≥ 0 (a number or a schedule of the step). */
  readonly rho: number | Schedule;
  /** A SAM step every k steps (paper: k = 5). */
  readonly k: number;
  /** α ≥ 0: the weight of the reused component (paper: 0.7). */
  readonly alpha: number;
  /** The optimizer that takes the descent step. */
  readonly base: GradientTransformation<any>;
}


/**
 * LookSAM: a SAM step every k steps; in between, g plus the orthogonal component g_v of the last
 * SAM step, rescaled to ‖g‖ and weighted by α.
 * @example const opt = lookSam({ rho: 0.05, k: 5, alpha: 0.7, base: sgd({ lr: 0.1, momentum: 0.9 }) });
 */
export function lookSam(o: LookSamOptions): GradientTransformation<LookSamState> {
  const rhoOpt = checkRateOrSchedule('lookSam', 'rho', o.rho);
  const rho = typeof rhoOpt === 'number' ? () => rhoOpt : rhoOpt;
  const k = checkPositiveInt('lookSam', 'k', o.k);
  const alpha = checkNonNegative('lookSam', 'alpha', o.alpha);
  const base = checkBase('lookSam', o.base);
  return {
    init: (params) => ({ count: zeroCount(), gv: tree.zerosLike(params), base: base.init(params) }),
    update(g, state, params, extra) {
      if (params === undefined) throw new ArgumentError('lookSam.update', 'needs the current params: update(grads, state, params, { gradFn })');
      const step = readCount('lookSam.update', state.count);
      const g2 = squaredNorm(g);
      let gs = g, gv = state.gv;
      if (step % k === 0) {
        const r = rho(step);
        if (r > 0 && g2 > 0 && Number.isFinite(g2)) {
          const gradFn = extra?.gradFn;
          if (typeof gradFn !== 'function') throw new ArgumentError('lookSam.update', 'needs extra.gradFn on its SAM steps (every k-th): update(grads, state, params, { gradFn })');
          const c = r / Math.sqrt(g2);
          gs = gradFn(tree.zipMap((w: Tensor, x: Tensor) => add(w, mul(x, c)), params as Params, g));
          const p = dot64(g, gs) / g2;
          gv = tree.zipMap((y: Tensor, x: Tensor) => sub(y, mul(x, p)), gs, g);
        }
      } else {
        const v2 = squaredNorm(gv);
        if (alpha > 0 && v2 > 0 && g2 > 0) {
          const c = (alpha * Math.sqrt(g2)) / Math.sqrt(v2);
          gs = tree.zipMap((x: Tensor, v: Tensor) => add(x, mul(v, c)), g, gv);
        }
      }
      const [u, b] = base.update(gs, state.base, params, extra);
      return [u, { count: nextCount(step), gv, base: b }];
    },
  };
}
