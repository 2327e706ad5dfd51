import fc from 'fast-check';
import { add, mul, sub, tree, type Tensor } from '@ssam/tensor';
import { describe, expect, it } from 'vitest';
import { squaredNorm } from '../internal/norm.js';
import { sgd } from '../sgd.js';
import { arbProblem, leaves64, norm64, recordRun, runSamLaws, runTransformationContract, samLaws, type Leaves64 } from '../testing/index.js';
import type { GradientTransformation } from '../types.js';
import { lookSam, type LookSamState } from './lookSam.js';
import { caught } from './caught.test-util.js';

// LookSAM (Liu et al. 2022). Own law: with base = sgd({ lr: 1 }) the update is −g_s, and g_s is
// replayed in float64 from the recorded g and g′: g′ on SAM steps; g + α·(‖g‖/‖g_v‖)·g_v between,
// g_v = g′ − (⟨g, g′⟩/‖g‖²)·g of the last SAM step.
type Make = (rho: number, k: number, alpha: number) => GradientTransformation<any>;
const dot64 = (a: Leaves64, b: Leaves64) => a.reduce((s, l, i) => s + l.reduce((t, v, j) => t + v * b[i]![j]!, 0), 0);
function lookSamLaw(make: Make): void {
  fc.assert(fc.property(arbProblem({ nonConvexity: [0, 3] }), fc.integer({ min: 1, max: 100 }).map((x) => x / 100), fc.integer({ min: 2, max: 3 }), fc.integer({ min: 1, max: 10 }).map((x) => x / 10), (p, rho, k, alpha) => {
    let gv: Leaves64 | undefined;
    recordRun(make(rho, k, alpha), p, 7, { twist: 0.5 }).forEach((r) => {
      const g = leaves64(r.g), gn = norm64(g);
      if (gn < 1e-15) return;
      let gs = g, tol = g.map((l) => l.map((v) => 1e-6 * Math.abs(v)));
      if (r.step % k === 0) {
        expect(r.calls.length).toBe(1);
        gs = leaves64(r.calls[0]!.returned);
        const c = dot64(g, gs) / (gn * gn);
        gv = gs.map((l, i) => l.map((v, j) => v - c * g[i]![j]!));
        tol = gs.map((l) => l.map((v) => 1e-6 * Math.abs(v)));
      } else {
        expect(r.calls.length).toBe(0);
        const vn = gv ? norm64(gv) : 0;
        if (gv && vn > 1e-6 * gn) {
          const c = (alpha * gn) / vn;
          gs = g.map((l, i) => l.map((v, j) => v + c * gv![i]![j]!));
          tol = g.map((l) => l.map((v) => 1e-5 * (Math.abs(v) + alpha * gn)));
        } else return;
      }
      const u = leaves64(r.update);
      u.forEach((l, i) => l.forEach((v, j) => {
        if (!(Math.abs(v + gs[i]![j]!) <= tol[i]![j]! + 1e-30)) throw new Error(`step ${r.step} (ρ = ${rho}, k = ${k}, α = ${alpha}): update ${i}[${j}] = ${v}, the definition gives ${-gs[i]![j]!}`);
      }));
    });
  }), { numRuns: 12, seed: 1717, endOnFailure: true });
}

// Mutants: the LookSAM stage between SAM steps written wrong, on top of the correct SAM steps.
type Bug = 'g_v not orthogonalised' | 'no ‖g‖/‖g_v‖ rescale' | 'g_v subtracted';
const mutant = (bug: Bug): Make => (rho, k, alpha) => {
  const good = lookSam({ rho, k, alpha: 0, base: sgd({ lr: 1 }) });
  return {
    init: good.init,
    update(g, s: LookSamState, params, extra) {
      const step = Number(s.count.item());
      if (step % k === 0) {
        const [u, next] = good.update(g, s, params, extra);
        // the correct one stored g_v; the first mutant stores g′ itself (= g_v + its projection)
        if (bug !== 'g_v not orthogonalised') return [u, next];
        return [u, { ...next, gv: tree.map((x: Tensor) => mul(x, -1), u) }];
      }
      const v2 = squaredNorm(s.gv), g2 = squaredNorm(g);
      if (!(v2 > 0)) return good.update(g, s, params, extra);
      const c = bug === 'no ‖g‖/‖g_v‖ rescale' ? alpha : (alpha * Math.sqrt(g2)) / Math.sqrt(v2);
      const gs = tree.zipMap((x: Tensor, v: Tensor) => (bug === 'g_v subtracted' ? sub(x, mul(v, c)) : add(x, mul(v, c))), g, s.gv);
      return [tree.map((x: Tensor) => mul(x, -1), gs), { ...s, count: tree.map((c0: Tensor) => add(c0, 1), s.count) as Tensor }];
    },
  };
};

describe('lookSam: its own law (float64 replay of g_s)', () => {
  it('SAM steps descend with g′; between them with g + α·(‖g‖/‖g_v‖)·g_v', () => lookSamLaw((rho, k, alpha) => lookSam({ rho, k, alpha, base: sgd({ lr: 1 }) })));
  for (const bug of ['g_v not orthogonalised', 'no ‖g‖/‖g_v‖ rescale', 'g_v subtracted'] as const)
    it(`catches the mutant '${bug}'`, () => expect(caught(() => lookSamLaw(mutant(bug)))).toMatch(/the definition gives/));
  it('refuses k = 0, naming lookSam', () => expect(() => lookSam({ rho: 0.05, k: 0, alpha: 0.7, base: sgd({ lr: 0.1 }) })).toThrow(/lookSam.*k/));
});

// The kit: α = 0 is sam({ every: k }), and every law applies (with every: true). With α = 0.7
// all but 'descent' apply: between SAM steps LookSAM descends with g + α·(…)·g_v, not with g.
runSamLaws('lookSam (α = 0)', (c) => lookSam({ rho: c.rho, k: c.every ?? 1, alpha: 0, base: c.base }), { every: true });
describe('lookSam (α = 0.7): SAM laws', () => {
  for (const l of samLaws((c) => lookSam({ rho: c.rho, k: c.every ?? 1, alpha: 0.7, base: c.base }), { every: true }).filter((x) => x.id !== 'descent')) it(l.name, () => l.check());
});
runTransformationContract('lookSam', () => lookSam({ rho: 0.05, k: 2, alpha: 0.7, base: sgd({ lr: 0.1 }) }));
