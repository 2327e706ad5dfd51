import fc from 'fast-check';
import { add, mul, sub, tree, type Tensor } from '@ssam/tensor';
import { describe, expect, it } from 'vitest';
import { arbProblem, leaves64, norm64, recordRun, runTransformationContract, type Leaves64 } from '../testing/index.js';
import { applyUpdates } from '../combine.js';
import type { GradientTransformation, Updates } from '../types.js';
import { momentumSam, momentumSamWeights, type MomentumSamState } from './momentumSam.js';
import { caught } from './caught.test-util.js';

// MSAM (Becker et al. 2024, the authors' SGD code). Own law, replayed in float64: the true weights
// w follow SGD momentum (v ← μv + g(w̃) + λw̃, w ← w − ηv) with every gradient taken at the held
// params, and the held params are w̃ = w − ρ·v/‖v‖ at every step; one pass, no gradFn.
type Make = (lr: number, rho: number, mu: number, wd: number) => GradientTransformation<any>;
function msamLaw(make: Make): void {
  const grid = (lo: number, hi: number, n: number) => fc.integer({ min: 0, max: n }).map((k) => lo + ((hi - lo) * k) / n);
  fc.assert(fc.property(arbProblem({ nonConvexity: [0, 3] }), grid(0.01, 0.1, 9), grid(0.01, 0.5, 49), grid(0, 0.9, 9), grid(0, 0.01, 2), (p, lr, rho, mu, wd) => {
    const rec = recordRun(make(lr, rho, mu, wd), p, 5, { twist: 0.3 });
    let w: Leaves64 = leaves64(p.params);
    let v: Leaves64 = w.map((l) => l.map(() => 0));
    rec.forEach((r) => {
      if (r.calls.length !== 0) throw new Error(`step ${r.step}: MSAM takes one gradient per step (at the held params); gradFn was called ${r.calls.length} times`);
      const held = leaves64(r.w), g = leaves64(r.g);
      const c = rho / (norm64(v) + 1e-12);
      held.forEach((l, i) => l.forEach((x, j) => {
        const want = w[i]![j]! - c * v[i]![j]!;
        const tol = 1e-5 * (r.step + 1) * (Math.abs(w[i]![j]!) + rho + 1) ;
        if (!(Math.abs(x - want) <= tol)) throw new Error(`step ${r.step} (η = ${lr}, ρ = ${rho}, μ = ${mu}): held w̃ ${i}[${j}] = ${x}, the definition gives w − ρ·v/‖v‖ = ${want}`);
      }));
      v = v.map((l, i) => l.map((b, j) => mu * b + g[i]![j]! + wd * held[i]![j]!));
      w = w.map((l, i) => l.map((x, j) => x - lr * v[i]![j]!));
    });
  }), { numRuns: 12, seed: 1717, endOnFailure: true });
}

// Mutants: the update of the held params written wrong.
type Bug = '+ρ·v/‖v‖ (perturbed along the momentum)' | 'old ε not removed' | 'per-leaf norms';
const norm = (x: Updates) => Math.sqrt((tree.leaves(x) as Tensor[]).reduce((s, t) => s + Array.from(t.toArray()).reduce((a, b) => a + b * b, 0), 0));
const mutant = (bug: Bug): Make => (lr, rho, mu, wd) => ({
  init: (params) => momentumSam({ lr, rho }).init(params),
  update(g, s: MomentumSamState, params) {
    const v = tree.map((b: Tensor, x: Tensor, w: Tensor) => add(add(mul(b, mu), x), mul(w, wd)), s.v, g, params!) as Updates;
    const sign = bug.startsWith('+') ? -1 : 1;
    const scaleTree = (x: Updates) => (bug === 'per-leaf norms' ? tree.map((t: Tensor) => mul(t, rho / (norm(t as unknown as Updates) + 1e-12)), x) : tree.scale(rho / (norm(x) + 1e-12), x)) as Updates;
    const back = bug === 'old ε not removed' ? tree.zerosLike(s.v) : scaleTree(s.v);
    const up = scaleTree(v);
    const u = tree.map((b: Tensor, x: Tensor, e: Tensor) => sub(mul(b, sign), add(mul(x, lr), mul(e, sign))), back, v, up) as Updates;
    return [u, { count: add(s.count, 1), v }];
  },
});
const correct: Make = (lr, rho, mu, wd) => momentumSam({ lr, rho, momentum: mu, weightDecay: wd });

describe('momentumSam: its own law (float64 replay of the authors\' recurrence)', () => {
  it('the held params are w − ρ·v/‖v‖, w follows SGD momentum with gradients at the held params', () => msamLaw(correct));
  for (const bug of ['+ρ·v/‖v‖ (perturbed along the momentum)', 'old ε not removed', 'per-leaf norms'] as const)
    it(`catches the mutant '${bug}'`, () => expect(caught(() => msamLaw(mutant(bug)))).toMatch(/the definition gives/));
  it('momentumSamWeights recovers w = w̃ + ρ·v/‖v‖ (the replayed weights)', () => {
    fc.assert(fc.property(arbProblem(), (p) => {
      const rec = recordRun(correct(0.05, 0.3, 0.9, 0), p, 4, { twist: 0.3 });
      let w = leaves64(p.params), v = w.map((l) => l.map(() => 0));
      for (const r of rec) {
        const g = leaves64(r.g);
        v = v.map((l, i) => l.map((b, j) => 0.9 * b + g[i]![j]!));
        w = w.map((l, i) => l.map((x, j) => x - 0.05 * v[i]![j]!));
      }
      const last = rec.at(-1)!;
      const held = applyUpdates(last.w, last.update);
      const got = leaves64(momentumSamWeights(held, last.after as MomentumSamState, 0.3));
      got.forEach((l, i) => l.forEach((x, j) => expect(Math.abs(x - w[i]![j]!)).toBeLessThanOrEqual(1e-4 * (1 + Math.abs(w[i]![j]!)))));
    }), { numRuns: 8, seed: 1717 });
  });
});
// The kit's SAM laws do not apply: there is no pass 2 (gradFn is never called), and the update is
// not a base optimizer's update at w of some g′. The contract applies, but the held params sit ρ
// away from the weights, so convergence is checked with ρ = 0 (SGD momentum) only.
runTransformationContract('momentumSam', () => momentumSam({ lr: 0.05, rho: 0.3, momentum: 0.9 }), { converges: false });
runTransformationContract('momentumSam (ρ = 0)', () => momentumSam({ lr: 0.05, rho: 0 }));
