import fc from 'fast-check';
import { add, mul, sub, tree, type Tensor } from '@ssam/tensor';
import { describe, expect, it } from 'vitest';
import { squaredNorm } from '../internal/norm.js';
import { sgd } from '../sgd.js';
import { arbProblem, leaves64, norm64, recordRun, runSamLaws, runTransformationContract, samLaws, type Leaves64 } from '../testing/index.js';
import type { GradientTransformation, Params } from '../types.js';
import { gsam, gsamRho } from './gsam.js';
import { caught } from './caught.test-util.js';

// GSAM (Zhuang et al. 2022). Own law: with base = sgd({ lr: 1 }) the update is −(g′ − α·g_⊥),
// g_⊥ = g − (⟨g, g′⟩/‖g′‖²)·g′, replayed in float64 from the recorded g and g′.
type Make = (rho: number, alpha: number) => GradientTransformation<any>;
const dot64 = (a: Leaves64, b: Leaves64) => a.reduce((s, l, i) => s + l.reduce((t, v, j) => t + v * b[i]![j]!, 0), 0);
function gsamLaw(make: Make): void {
  fc.assert(fc.property(arbProblem({ nonConvexity: [0, 3] }), fc.integer({ min: 1, max: 100 }).map((x) => x / 100), fc.integer({ min: 1, max: 10 }).map((x) => x / 10), (p, rho, alpha) => {
    recordRun(make(rho, alpha), p, 4, { twist: 0.5 }).forEach((r) => {
      const g = leaves64(r.g), gn = norm64(g);
      if (gn < 1e-15) return;
      expect(r.calls.length).toBe(1);
      const gp = leaves64(r.calls[0]!.returned), pn = norm64(gp);
      const c = pn > 0 ? dot64(g, gp) / (pn * pn) : 0;
      const d = gp.map((l, i) => l.map((v, j) => v - alpha * (g[i]![j]! - c * v)));
      const u = leaves64(r.update);
      u.forEach((l, i) => l.forEach((v, j) => {
        const tol = 1e-5 * (Math.abs(gp[i]![j]!) * (1 + alpha * Math.abs(c)) + alpha * Math.abs(g[i]![j]!)) + 1e-30;
        if (!(Math.abs(v + d[i]![j]!) <= tol)) throw new Error(`step ${r.step} (ρ = ${rho}, α = ${alpha}): update ${i}[${j}] = ${v}, the definition gives ${-d[i]![j]!}`);
      }));
    });
  }), { numRuns: 12, seed: 1717, endOnFailure: true });
}

// Mutants: the descent direction written wrong (the ascent and pass 2 are GSAM's).
type Bug = 'g′ decomposed along g' | '+α·g_⊥' | 'g_∥ removed instead of g_⊥';
const mutant = (bug: Bug): Make => (rho, alpha) => ({
  init: () => ({}),
  update(g, s, params, extra) {
    const g2 = squaredNorm(g);
    if (!(g2 > 0)) return [tree.map((x: Tensor) => mul(x, -1), g), s];
    const gp = extra!.gradFn!(tree.zipMap((w: Tensor, x: Tensor) => add(w, mul(x, rho / Math.sqrt(g2))), params as Params, g));
    const d64 = (a: typeof g, b: typeof g) => dot64(leaves64(a), leaves64(b));
    let d;
    if (bug === 'g′ decomposed along g') {
      const c = d64(g, gp) / g2; // g′_⊥ = g′ − proj_g g′
      d = tree.zipMap((y: Tensor, x: Tensor) => sub(y, mul(sub(y, mul(x, c)), alpha)), gp, g);
    } else {
      const c = d64(g, gp) / squaredNorm(gp);
      const perp = tree.zipMap((x: Tensor, y: Tensor) => sub(x, mul(y, c)), g, gp);
      const par = tree.map((y: Tensor) => mul(y, c), gp);
      d = tree.zipMap((y: Tensor, q: Tensor) => (bug === '+α·g_⊥' ? add(y, mul(q, alpha)) : sub(y, mul(q, alpha))), gp, bug === '+α·g_⊥' ? perp : par);
    }
    return [tree.map((x: Tensor) => mul(x, -1), d), s];
  },
});

describe('gsam: its own law (float64 replay of g′ − α·g_⊥)', () => {
  it('descends with g′ − α·(g − proj_{g′} g)', () => gsamLaw((rho, alpha) => gsam({ rho, alpha, base: sgd({ lr: 1 }) })));
  for (const bug of ['g′ decomposed along g', '+α·g_⊥', 'g_∥ removed instead of g_⊥'] as const)
    it(`catches the mutant '${bug}'`, () => expect(caught(() => gsamLaw(mutant(bug)))).toMatch(/the definition gives/));
  it('gsamRho follows the LR schedule linearly from ρ_min to ρ_max', () => {
    const rho = gsamRho({ rhoMax: 0.1, rhoMin: 0.01, lr: (t) => 0.1 * (1 - t / 100), lrMax: 0.1, lrMin: 0 });
    expect([rho(0), rho(50), rho(100)].map((x) => Math.round(x * 1e9) / 1e9)).toEqual([0.1, 0.055, 0.01]);
    expect(() => gsamRho({ rhoMax: 0.1, rhoMin: 0.01, lr: () => 0.1, lrMax: 0, lrMin: 0 })).toThrow(/gsamRho.*lrMax/);
  });
});

// The kit: α = 0 is SAM, every law applies. With α = 0.5 all but 'descent' (g′ − α·g_⊥, not g′).
runSamLaws('gsam (α = 0)', (c) => gsam({ rho: c.rho, alpha: 0, base: c.base }));
describe('gsam (α = 0.5): SAM laws', () => {
  for (const l of samLaws((c) => gsam({ rho: c.rho, alpha: 0.5, base: c.base })).filter((x) => x.id !== 'descent')) it(l.name, () => l.check());
});
runTransformationContract('gsam', () => gsam({ rho: 0.05, alpha: 0.1, base: sgd({ lr: 0.1 }) }));
