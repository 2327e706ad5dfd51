// GSAM, surrogate-gap guided SAM (Zhuang, Gong, Yuan, Cui, Adam, Dvornek, Tatikonda, Duncan,
// Liu, ICLR 2022, arXiv 2203.08065):
//   ε = ρ_t·g/‖g‖,  g′ = ∇L(w + ε)                         (SAM's ascent and pass 2)
//   g_⊥ = g − (⟨g, g′⟩/‖g′‖²)·g′                           (g minus its projection on g′)
//   descend with g′ − α·g_⊥                                 (minimises the surrogate gap too)
//   ρ_t follows the LR schedule: ρ_t = ρ_min + (ρ_max − ρ_min)·(lr_t − lr_min)/(lr_max − lr_min).
// α = 0 is SAM. `gsamRho` builds ρ_t from an LR schedule.
import { ArgumentError, add, mul, sub, tree, type Tensor } from '@ssam/tensor';
import { nextCount, readCount, zeroCount } from '../internal/count.js';
import { dot64, squaredNorm } from '../internal/norm.js';
import { checkNonNegative, checkRateOrSchedule } from '../internal/validate.js';
import { checkBase } from '../sam/core.js';
import type { GradientTransformation, OptState, Params, Schedule, Updates } from '../types.js';

export interface GsamState {
  readonly count: Tensor;
  readonly base: OptState;
}

export interface GsamOptions {
  /** ρ_t ≥ 0: a number or a schedule of the step (see `gsamRho` for the paper's LR-following ρ). */
  readonly rho: number | Schedule;
  /** α ≥ 0: the weight of the orthogonal component removed (paper: 0.01–0.3). */
  readonly alpha: number;
  /** The optimizer that takes the descent step. */
  readonly base: GradientTransformation<any>;
}

/** ρ_t = ρ_min + (ρ_max − ρ_min)·(lr(t) − lrMin)/(lrMax − lrMin), the paper's schedule. */
export function gsamRho(o: { readonly rhoMax: number; readonly rhoMin: number; readonly lr: Schedule; readonly lrMax: number; readonly lrMin: number }): Schedule {
  const rMax = checkNonNegative('gsamRho', 'rhoMax', o.rhoMax), rMin = checkNonNegative('gsamRho', 'rhoMin', o.rhoMin);
  if (!(o.lrMax > o.lrMin)) throw new ArgumentError('gsamRho', `lrMax must exceed lrMin; got lrMax = ${o.lrMax}, lrMin = ${o.lrMin}`);
  return (t) => rMin + ((rMax - rMin) * (o.lr(t) - o.lrMin)) / (o.lrMax - o.lrMin);
}


/**
 * GSAM: SAM's ascent, then descent along g′ − α·g_⊥ (g_⊥: g minus its projection on g′).
 * @example const opt = gsam({ rho: 0.05, alpha: 0.1, base: sgd({ lr: 0.1, momentum: 0.9 }) });
 */
export function gsam(o: GsamOptions): GradientTransformation<GsamState> {
  const rhoOpt = checkRateOrSchedule('gsam', 'rho', o.rho);
  const rho = typeof rhoOpt === 'number' ? () => rhoOpt : rhoOpt;
  const alpha = checkNonNegative('gsam', 'alpha', o.alpha);
  const base = checkBase('gsam', o.base);
  return {
    init: (params) => ({ count: zeroCount(), base: base.init(params) }),
    update(g, state, params, extra) {
      if (params === undefined) throw new ArgumentError('gsam.update', 'needs the current params: update(grads, state, params, { gradFn })');
      const step = readCount('gsam.update', state.count);
      const r = rho(step);
      if (!(r >= 0)) throw new ArgumentError('gsam.update', `rho(${step}) must be a number ≥ 0, got ${r}`);
      const g2 = squaredNorm(g);
      let d = g;
      if (r > 0 && g2 > 0 && Number.isFinite(g2)) {
        const gradFn = extra?.gradFn;
        if (typeof gradFn !== 'function') throw new ArgumentError('gsam.update', 'needs extra.gradFn, the gradient at a given point for pass 2: update(grads, state, params, { gradFn })');
        const c = r / Math.sqrt(g2);
        const gp = gradFn(tree.zipMap((w: Tensor, x: Tensor) => add(w, mul(x, c)), params as Params, g));
        const p2 = squaredNorm(gp);
        const proj = p2 > 0 ? dot64(g, gp) / p2 : 0;
        // g′ − α·(g − proj·g′) = g′·(1 + α·proj) − α·g
        d = alpha === 0 ? gp : tree.zipMap((y: Tensor, x: Tensor) => sub(mul(y, 1 + alpha * proj), mul(x, alpha)), gp, g);
      }
      const [u, b] = base.update(d, state.base, params, extra);
      return [u, { count: nextCount(step), base: b }];
    },
  };
}
