import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { decay, families, firstViolation, gradNormsSquared, optimizers, randomProblem, statistics, T_MAX } from './convergence.test-util.js';

// See convergence.test-util.ts for the bound, how C is fitted, and why the check is not vacuous.
describe('convergence at the O(log T/√T) rate on non-convex problems (η_t, ρ_t ∝ 1/√t)', () => {
  const [family, fam] = families[1]!;
  for (const [name, make] of optimizers)
    it(`${name}, random L-smooth ${family} problems: min and running mean of ‖∇f‖² stay under C·log T/√T for T ≤ ${T_MAX}`, () => {
      fc.assert(
        fc.property(fc.integer({ min: 0, max: 2 ** 31 - 1 }), (seed) => {
          const p = randomProblem(seed, fam);
          // η₀ = 0.5/L keeps the first steps stable; ρ₀ = 0.1
          const norms = gradNormsSquared(make(decay(0.5 / p.smoothness), decay(0.1)), p, T_MAX);
          const { min, mean } = statistics(norms);
          expect(norms.length).toBe(T_MAX);
          expect(firstViolation(min)).toBe(0);
          expect(firstViolation(mean)).toBe(0);
        }),
        { numRuns: 2, seed: 20221010, endOnFailure: true },
      );
      });
});
