import { describe, it } from 'vitest';
import { expectRate, families, optimizers, T_MAX } from './convergence.test-util.js';

// See convergence.test-util.ts for the bound, how C is fitted, and why the check is not vacuous.
describe('convergence at the O(log T/√T) rate on non-convex problems (η_t, ρ_t ∝ 1/√t)', () => {
  const [family, fam] = families[1]!;
  for (const [name, make] of optimizers)
    it(`${name}, random L-smooth ${family} problems: min and running mean of ‖∇f‖² stay under C·log T/√T for T ≤ ${T_MAX}`, () => {
      expectRate(fam, make);
    });
});
