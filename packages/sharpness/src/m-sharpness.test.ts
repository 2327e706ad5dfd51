import { fc, it as fcIt } from '@fast-check/vitest';
import { describe, expect, it } from 'vitest';
import { ArgumentError, random } from '@ssam/tensor';
import { mSharpness } from './index.js';
import { arbGappedSpectrum, withSpectrum, quadraticProblem } from './quadratic.test-util.js';
import { tinyMlp } from './nets.test-util.js';

describe('mSharpness (Foret et al. 2021)', () => {
  fcIt.prop([arbGappedSpectrum(), fc.double({ min: 0.01, max: 0.5, noNaN: true }), fc.array(fc.double({ min: -1, max: 1, noNaN: true }), { minLength: 16, maxLength: 16 })], { numRuns: 30 })(
    'on L = ½(w − c)ᵀA(w − c), A ⪰ 0: SAM one-step ≤ estimate ≤ ρ‖g‖ + ½ρ²λmax, and one step ≥ ρ‖g‖',
    ({ lambda, seed }, rho, c) => {
      const psd = lambda.map(Math.abs), n = psd.length;
      const a = withSpectrum(psd, seed);
      const p = quadraticProblem(a, n, new Array(n).fill(0), c.slice(0, n));
      // g = A(w − c) = −A c
      const g = Array.from({ length: n }, (_, i) => -c.slice(0, n).reduce((s, cj, j) => s + a[i * n + j]! * cj, 0));
      const gn = Math.sqrt(g.reduce((s, x) => s + x * x, 0));
      const r = mSharpness(p, { key: random.key(seed), rho, steps: 4 });
      const b = r.perBatch[0]!;
      const lmax = Math.max(...psd), slack = 1e-5 * (1 + rho * gn + rho * rho * lmax);
      expect(b.oneStep).toBeLessThanOrEqual(b.sharpness + slack);
      expect(b.sharpness).toBeLessThanOrEqual(rho * gn + 0.5 * rho * rho * lmax + slack);
      expect(b.oneStep).toBeGreaterThanOrEqual(rho * gn - slack);
    },
  );

  it('at a minimum it finds ½ρ²λmax (the ascent follows the curvature, like power iteration)', () => {
    const lambda = [8, 3, 1, 0.5, 0.1];
    const p = quadraticProblem(withSpectrum(lambda, 5), 5, [0, 0, 0, 0, 0]);
    const r = mSharpness(p, { key: random.key(1), rho: 0.1, steps: 60 });
    expect(r.sharpness).toBeCloseTo(0.5 * 0.1 ** 2 * 8, 4);
  });

  it('more steps never lower the estimate (same key), and averages batches by size', () => {
    const p = tinyMlp(0);
    const a = mSharpness(p, { key: random.key(2), rho: 0.05, steps: 1 });
    const b = mSharpness(p, { key: random.key(2), rho: 0.05, steps: 4 });
    expect(b.perBatch.length).toBe(2);
    b.perBatch.forEach((x, i) => expect(x.sharpness).toBeGreaterThanOrEqual(a.perBatch[i]!.sharpness));
    expect(a.perBatch.map((x) => x.oneStep)).toEqual(b.perBatch.map((x) => x.oneStep));
    expect(b.sharpness).toBeCloseTo((16 * b.perBatch[0]!.sharpness + 8 * b.perBatch[1]!.sharpness) / 24, 12);
    expect(b.sharpness).toBeGreaterThan(0);
    expect(mSharpness(p, { key: random.key(2), rho: 0.05, steps: 4 })).toEqual(b);
  });

  it('rejects a bad ρ with an @ssam error', () => {
    expect(() => mSharpness(tinyMlp(0), { key: random.key(0), rho: -1 })).toThrow(ArgumentError);
    expect(() => mSharpness(tinyMlp(0), { key: random.key(0), rho: -1 })).toThrow(/mSharpness: rho must be a finite number > 0, got -1/);
  });
});
