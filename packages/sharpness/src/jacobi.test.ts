import { fc, it as fcIt } from '@fast-check/vitest';
import { describe, expect, it } from 'vitest';
import { ArgumentError } from '@ssam/tensor';
import { symmetricEigen } from './jacobi.js';
import { arbSpectrum, withSpectrum } from './quadratic.test-util.js';

describe('symmetricEigen (cyclic Jacobi)', () => {
  it('solves small cases by hand', () => {
    expect(symmetricEigen([2, 1, 1, 2], 2).values.map((v) => +v.toFixed(12))).toEqual([3, 1]);
    expect(symmetricEigen([5], 1).values).toEqual([5]);
    const d = symmetricEigen([1, 0, 0, 0, -3, 0, 0, 0, 2], 3);
    expect(d.values).toEqual([2, 1, -3]);
  });

  fcIt.prop([arbSpectrum], { numRuns: 40 })('recovers any spectrum of Q diag(λ) Qᵀ, with orthonormal eigenvectors A v = λ v', ({ lambda, seed }) => {
    const n = lambda.length, a = withSpectrum(lambda, seed);
    const { values, vectors } = symmetricEigen(a, n);
    const want = [...lambda].sort((x, y) => y - x);
    const scale = Math.max(1, ...lambda.map(Math.abs));
    values.forEach((v, i) => expect(Math.abs(v - want[i]!)).toBeLessThan(1e-10 * scale));
    vectors.forEach((v, i) => {
      for (let r = 0; r < n; r++) {
        let av = 0;
        for (let c = 0; c < n; c++) av += a[r * n + c]! * v[c]!;
        expect(Math.abs(av - values[i]! * v[r]!)).toBeLessThan(1e-9 * scale);
      }
      vectors.forEach((u, j) => expect(Math.abs(u.reduce((s, x, k) => s + x * v[k]!, 0) - (i === j ? 1 : 0))).toBeLessThan(1e-10));
    });
  });

  it('rejects a matrix of the wrong size with an @ssam error naming the call', () => {
    expect(() => symmetricEigen([1, 2, 3], 2)).toThrow(ArgumentError);
    expect(() => symmetricEigen([1, 2, 3], 2)).toThrow(/symmetricEigen: a must hold n·n = 2·2 entries, got 3/);
    expect(() => symmetricEigen([1, NaN, NaN, 1], 2)).toThrow(/non-finite entry at \(0, 1\)/);
  });
});
