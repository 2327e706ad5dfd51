import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { sgd } from '../sgd.js';
import { decay, expectRate, families, firstViolation, gradNormsSquared, optimizers, randomProblem, statistics, T_MAX } from './convergence.test-util.js';
import { sam } from './sam.js';

// See convergence.test-util.ts for the bound, how C is fitted, and why the check is not vacuous.
describe('convergence at the O(log T/√T) rate on convex problems (η_t, ρ_t ∝ 1/√t)', () => {
  const [family, fam] = families[0]!;
  for (const [name, make] of optimizers)
    it(`${name}, random L-smooth ${family} problems: min and running mean of ‖∇f‖² stay under C·log T/√T for T ≤ ${T_MAX}`, () => {
      expectRate(fam, make);
    });

  it('the bound is not vacuous: with a diverging step size it fails, while ‖∇f‖² is still finite', () => {
    for (const [family, fam] of families)
      fc.assert(
        fc.property(fc.integer({ min: 0, max: 2 ** 31 - 1 }), (seed) => {
          const p = randomProblem(seed, { ...fam, a: [1, 1] });
          // curvature a = 1 far from 0 (|tanh| saturates): a constant η = 2.02 multiplies the
          // gradient by |1 − 2.02| = 1.02 per step there, a slow, finite divergence
          const norms = gradNormsSquared(sam({ rho: decay(0.1), base: sgd({ lr: 2.02 }) }), p, T_MAX);
          const { min, mean } = statistics(norms);
          for (const stat of family === 'convex' ? [min, mean] : [mean]) {
            const T = firstViolation(stat);
            expect(T).toBeGreaterThan(0);
            expect(Number.isFinite(stat[T - 1])).toBe(true);
          }
        }),
        { numRuns: 2, seed: 7, endOnFailure: true },
      );
  });
});
