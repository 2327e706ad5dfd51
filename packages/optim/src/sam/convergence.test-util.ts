import fc from 'fast-check';
import { expect } from 'vitest';
import { full, random, tree } from '@ssam/tensor';
import { applyUpdates } from '../combine.js';
import { sgd } from '../sgd.js';
import { nestLeaves, smoothProblem, type SmoothProblem } from '../testing/index.js';
import type { Params } from '../types.js';
import type { GradientTransformation, Schedule } from '../types.js';
import { sam } from './sam.js';
import { ssamD } from './ssamD.js';
import { ssamF } from './ssamF.js';

// The papers prove min_{t<T} ‖∇f(w_t)‖² and (1/T)·Σ_{t<T} ‖∇f(w_t)‖² are O(log T/√T) for
// L-smooth f with η_t, ρ_t ∝ 1/√t. We check the bound B(T) = C·log(T + 1)/√T at EVERY T up to
// 4000, where C is fitted on the first 100 steps as the smallest constant that makes the bound hold
// there, doubled: C = 2·max_{T ≤ 100} stat(T)·√T/log(T + 1), one C per statistic and run. The
// factor 2 leaves room for a transient longer than 100 steps (escaping the non-convex region near
// 0 can take a few hundred steps at η₀ = 0.5/L). The rest of the run (T = 101 … 4000) is then a
// genuine prediction. A constant, too-large step size diverges; the same
// procedure must then FAIL (on finite values, not by overflow), so the check is not vacuous.

export const T_MAX = 4000;
const FIT = 100;

/** ‖∇f(w_t)‖² for t = 0 … steps − 1 (each iterate's true gradient, which is also pass 1's g). */
export function gradNormsSquared(opt: GradientTransformation<any>, p: SmoothProblem, steps: number): number[] {
  let w = p.params;
  let state = opt.init(w);
  const out: number[] = [];
  const extra = { gradFn: p.grad, fisher: p.fisher };
  for (let t = 0; t < steps; t++) {
    const g = p.grad(w);
    const n2 = tree.vdot(g, g).item();
    out.push(n2);
    if (!Number.isFinite(n2)) break;
    const [u, s] = opt.update(g, state, w, { ...extra, gradNorm: { of: g, value: Math.sqrt(n2) } });
    w = applyUpdates(w, u);
    state = s;
  }
  return out;
}

/** First T (1-based) where stat(T) > C·log(T + 1)/√T with C fitted on T ≤ 100 (see above); 0 if it never fails. */
export function firstViolation(stat: number[]): number {
  const shape = (T: number) => Math.log(T + 1) / Math.sqrt(T);
  let c = 0;
  for (let T = 1; T <= FIT; T++) c = Math.max(c, (2 * stat[T - 1]!) / shape(T));
  for (let T = FIT + 1; T <= T_MAX; T++) if (!(T <= stat.length && stat[T - 1]! <= c * shape(T))) return T;
  return 0;
}

export function statistics(norms: number[]): { min: number[]; mean: number[] } {
  const min: number[] = [];
  const mean: number[] = [];
  let m = Infinity;
  let sum = 0;
  norms.forEach((x, i) => {
    m = Math.min(m, x);
    sum += x;
    min.push(m);
    mean.push(sum / (i + 1));
  });
  return { min, mean };
}

export const decay = (c: number): Schedule => (t) => c / Math.sqrt(t + 1);
export type Make = (eta: Schedule, rho: Schedule) => GradientTransformation<any>;
export const optimizers: [string, Make][] = [
  ['SAM', (eta, rho) => sam({ rho, base: sgd({ lr: eta }) })],
  ['SSAM-F (s = 0.5)', (eta, rho) => ssamF({ rho, base: sgd({ lr: eta }), sparsity: 0.5, interval: 100, intervalUnit: 'step' })],
  ['SSAM-D (s = 0.5)', (eta, rho) => ssamD({ rho, base: sgd({ lr: eta }), sparsity: 0.5, totalEpochs: T_MAX, interval: 100, intervalUnit: 'step', key: random.key(1) })],
];
/** A problem family: the ranges of a (curvature) and b (non-convexity). */
export interface Family {
  readonly a: readonly [number, number];
  readonly b: readonly [number, number];
}
export const families: [string, Family][] = [
  ['convex', { a: [0.5, 2], b: [0, 0] }],
  // b ∈ [2.5, 4] > a: negative curvature near 0, (a + b)-smooth, bounded below
  ['non-convex', { a: [0.5, 2], b: [2.5, 4] }],
];

/**
 * A random problem of the family from a seed: three tensors of 4–24 entries, w₀ and c uniform
 * in [−2, 2] (drawn with the tensor PRNG, so no degenerate w₀ = c ties).
 */
export function randomProblem(seed: number, f: Family): SmoothProblem {
  const k = random.key(seed);
  const shapes = [[4, 3], [6], [2, 2, 2]];
  const draw = (i: number, [lo, hi]: readonly [number, number]) =>
    nestLeaves(
      shapes.map((sh, j) => (lo === hi ? full(sh, lo) : random.uniform(random.foldIn(k, 10 * i + j), sh, { min: lo, max: hi }))),
    ) as Params;
  return smoothProblem(draw(0, [-2, 2]), draw(1, f.a), draw(2, [-2, 2]), draw(3, f.b));
}

/**
 * The rate property itself: on random problems of family `f`, with η₀ = 0.5/L (stable first steps)
 * and ρ₀ = 0.1, both decaying as 1/√t, the min and the running mean of ‖∇f‖² stay under the
 * fitted C·log T/√T for every T ≤ T_MAX.
 */
export function expectRate(f: Family, make: Make): void {
  fc.assert(
    fc.property(fc.integer({ min: 0, max: 2 ** 31 - 1 }), (seed) => {
      const p = randomProblem(seed, f);
      const norms = gradNormsSquared(make(decay(0.5 / p.smoothness), decay(0.1)), p, T_MAX);
      const { min, mean } = statistics(norms);
      expect(norms.length).toBe(T_MAX);
      expect(firstViolation(min)).toBe(0);
      expect(firstViolation(mean)).toBe(0);
    }),
    { numRuns: 2, seed: 20221010, endOnFailure: true },
  );
}
