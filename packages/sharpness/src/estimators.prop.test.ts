// Each estimator on quadratics with a known spectrum (the operator is the matrix itself, in
// float64), over random spectra. The laws come from the definitions of the estimators.
import { fc, it as fcIt } from '@fast-check/vitest';
import { describe, expect, it } from 'vitest';
import { random } from '@ssam/tensor';
import { densityMoment, gaussQuadrature, lanczos, matrixOperator, slqDensity, smoothDensity, topEigenvalues, hutchinsonTrace } from './index.js';
import { arbGappedSpectrum, arbSpectrum, withSpectrum } from './quadratic.test-util.js';

const byMagnitude = (l: readonly number[]) => [...l].sort((a, b) => Math.abs(b) - Math.abs(a));
const matPow = (a: Float64Array, n: number, q: Float64Array, k: number) => {
  let v = q;
  for (let i = 0; i < k; i++) v = matrixOperator(a, n).apply(v);
  return v;
};

describe('topEigenvalues on quadratics', () => {
  fcIt.prop([arbGappedSpectrum()], { numRuns: 40 })('finds the 3 eigenvalues of largest magnitude (gaps ≥ 1.3×, tol 1e-10)', ({ lambda, seed }) => {
    const n = lambda.length;
    const r = topEigenvalues(matrixOperator(withSpectrum(lambda, seed), n), { key: random.key(seed), k: 3, maxIter: 400, tol: 1e-10 });
    const want = byMagnitude(lambda).slice(0, 3);
    r.eigenvalues.forEach((v, i) => expect(Math.abs(v - want[i]!) / Math.abs(want[0]!)).toBeLessThan(1e-7));
    expect(r.converged).toEqual([true, true, true]);
  });

  fcIt.prop([arbGappedSpectrum(2)], { numRuns: 30 })("PyHessian's defaults (100 iterations, tol 1e-3) give λmax within 1e-3 when λ₂/λ₁ ≤ 0.5", ({ lambda, seed }) => {
    const n = lambda.length;
    const r = topEigenvalues(matrixOperator(withSpectrum(lambda, seed), n), { key: random.key(seed + 1) });
    expect(Math.abs(r.eigenvalues[0]! - lambda[0]!) / lambda[0]!).toBeLessThan(1e-3);
  });

  it('is deterministic in the key, and another key gives another start', () => {
    const op = matrixOperator(withSpectrum([5, 3, 1, 0.5], 7), 4);
    const a = topEigenvalues(op, { key: random.key(1), k: 2, maxIter: 5, tol: 0 });
    const b = topEigenvalues(op, { key: random.key(1), k: 2, maxIter: 5, tol: 0 });
    const c = topEigenvalues(op, { key: random.key(2), k: 2, maxIter: 5, tol: 0 });
    expect(b).toEqual(a);
    expect(c.eigenvalues).not.toEqual(a.eigenvalues);
  });
});

describe('hutchinsonTrace on quadratics', () => {
  fcIt.prop([arbSpectrum], { numRuns: 30 })('is exact for a diagonal matrix (vᵀDv = Σ dᵢ for v ∈ {±1}ⁿ)', ({ lambda }) => {
    const n = lambda.length, d = new Float64Array(n * n);
    lambda.forEach((l, i) => (d[i * n + i] = l));
    const r = hutchinsonTrace(matrixOperator(d, n), { key: random.key(3), maxSamples: 5, minSamples: 5 });
    const tr = lambda.reduce((a, b) => a + b, 0);
    r.values.forEach((v) => expect(v).toBeCloseTo(tr, 9));
  });

  fcIt.prop([arbSpectrum, fc.integer({ min: 0, max: 1000 })], { numRuns: 30, seed: 19 })(
    'is within 4 exact standard errors (√(2 Σ_{i≠j} Hᵢⱼ² / s)) of tr H on rotated spectra',
    ({ lambda, seed }, k) => {
      const n = lambda.length, a = withSpectrum(lambda, seed);
      const r = hutchinsonTrace(matrixOperator(a, n), { key: random.key(k), maxSamples: 200, relTol: 0 });
      let off = 0;
      for (let i = 0; i < n; i++) for (let j = 0; j < n; j++) if (i !== j) off += a[i * n + j]! ** 2;
      const se = Math.sqrt((2 * off) / r.samples);
      expect(r.samples).toBe(200);
      expect(Math.abs(r.trace - lambda.reduce((x, y) => x + y, 0))).toBeLessThanOrEqual(4 * se + 1e-9);
    },
  );

  it('stops by its rule: once the standard error is below relTol·|mean|, after minSamples', () => {
    const op = matrixOperator(withSpectrum([10, 9, 8, 7, 6, 5], 3), 6);
    const r = hutchinsonTrace(op, { key: random.key(4), maxSamples: 1000, minSamples: 10, relTol: 0.02 });
    expect(r.converged).toBe(true);
    expect(r.samples).toBeGreaterThanOrEqual(10);
    expect(r.stdErr).toBeLessThan(0.02 * Math.abs(r.trace));
    const shorter = hutchinsonTrace(op, { key: random.key(4), maxSamples: r.samples - 1, minSamples: 10, relTol: 0 });
    // The same key draws the same probes, so a longer run extends a shorter one.
    expect(shorter.values).toEqual(r.values.slice(0, r.samples - 1));
  });
});

describe('stochastic Lanczos quadrature on quadratics', () => {
  fcIt.prop([arbSpectrum, fc.integer({ min: 1, max: 6 })], { numRuns: 40 })(
    'Gauss quadrature is exact to degree 2m − 1: Σ τᵢ θᵢᵏ = qᵀAᵏq',
    ({ lambda, seed }, m) => {
      const n = lambda.length, a = withSpectrum(lambda, seed), op = matrixOperator(a, n);
      const q = Float64Array.from({ length: n }, (_, i) => (i % 3 === 0 ? 1 : -1) / Math.sqrt(n));
      const { alpha, beta } = lanczos(op, q, Math.min(m, n));
      const quad = gaussQuadrature(alpha, beta);
      const scale = Math.max(1, ...lambda.map(Math.abs));
      expect(quad.weights.reduce((s, w) => s + w, 0)).toBeCloseTo(1, 10);
      for (let k = 0; k <= 2 * alpha.length - 1; k++) {
        const exact = matPow(a, n, q, k).reduce((s, x, i) => s + x * q[i]!, 0);
        const got = quad.nodes.reduce((s, t, i) => s + quad.weights[i]! * t ** k, 0);
        expect(Math.abs(got - exact)).toBeLessThan(1e-8 * scale ** k);
      }
    },
  );

  const arbDistinct = fc.record({
    start: fc.double({ min: -5, max: 5, noNaN: true }),
    gaps: fc.array(fc.double({ min: 0.1, max: 3, noNaN: true }), { minLength: 1, maxLength: 15 }),
    seed: fc.integer({ min: 0, max: 2 ** 31 - 1 }),
  }).map(({ start, gaps, seed }) => ({ lambda: gaps.reduce((l, g) => [...l, l[l.length - 1]! + g], [start]), seed }));
  fcIt.prop([arbDistinct], { numRuns: 30 })('with m = n and distinct eigenvalues the nodes are the spectrum', ({ lambda, seed }) => {
    const n = lambda.length;
    const d = slqDensity(matrixOperator(withSpectrum(lambda, seed), n), { key: random.key(seed), steps: n });
    const nodes = d.runs[0]!.nodes;
    // A Rademacher probe can be nearly orthogonal to an eigenvector; Lanczos then stops early.
    fc.pre(nodes.length === n);
    const want = [...lambda].sort((x, y) => y - x);
    nodes.forEach((t, i) => expect(Math.abs(t - want[i]!)).toBeLessThan(1e-6 * Math.max(1, ...lambda.map(Math.abs))));
  });

  it('averaged over probes, the moments estimate tr(Aᵏ)/n, the moments of the spectral measure', () => {
    const lambda = Array.from({ length: 40 }, (_, i) => Math.sin(i) * 3 + (i % 5));
    const n = lambda.length, op = matrixOperator(withSpectrum(lambda, 11), n);
    const d = slqDensity(op, { key: random.key(5), steps: 8, runs: 60 });
    for (const k of [1, 2, 3, 4]) {
      const per = d.runs.map((r) => r.nodes.reduce((s, t, i) => s + r.weights[i]! * t ** k, 0));
      const mean = per.reduce((a, b) => a + b, 0) / per.length;
      const se = Math.sqrt(per.reduce((a, b) => a + (b - mean) ** 2, 0) / (per.length - 1) / per.length);
      const exact = lambda.reduce((a, l) => a + l ** k, 0) / n;
      expect(densityMoment(d, k)).toBeCloseTo(mean, 10);
      expect(Math.abs(mean - exact)).toBeLessThanOrEqual(3 * se);
    }
  });

  it('full re-orthogonalisation leaves no ghost copies of an outlier (m = 60 steps on n = 200)', () => {
    // A few outliers above a bulk: plain three-term Lanczos loses orthogonality once the outliers
    // converge and then finds them again (Paige 1976), which splits their weight between copies.
    const lambda = [50, 20, 10, ...Array.from({ length: 197 }, (_, i) => (i / 197) * 2)];
    const op = matrixOperator(withSpectrum(lambda, 21), lambda.length);
    for (const [reorth, copies] of [['full', 1], ['none', undefined]] as const) {
      const { nodes, weights } = slqDensity(op, { key: random.key(6), steps: 60, reorthogonalize: reorth }).runs[0]!;
      const near = nodes.map((t, i) => [t, weights[i]!] as const).filter(([t]) => Math.abs(t - 50) < 0.5);
      if (copies !== undefined) {
        expect(near.length).toBe(copies);
        expect(Math.abs(near[0]![0] - 50)).toBeLessThan(1e-9);
      } else expect(near.length).toBeGreaterThan(1); // the failure full re-orthogonalisation prevents
    }
  });

  it('smoothDensity integrates to 1 and peaks at the nodes', () => {
    const d = { runs: [{ nodes: [3, -1], weights: [0.75, 0.25] }] };
    const { grid, density } = smoothDensity(d, { bins: 4001 });
    const h = grid[1]! - grid[0]!;
    expect(density.reduce((a, b) => a + b, 0) * h).toBeCloseTo(1, 10);
    const peak = grid[density.indexOf(Math.max(...density))]!;
    expect(Math.abs(peak - 3)).toBeLessThan(2 * h);
  });
});
