// The estimators on tiny real networks against their exact Hessian, built from Hessian-vector
// products with the n unit vectors and diagonalised by Jacobi.
import { describe, expect, it } from 'vitest';
import { random } from '@ssam/tensor';
import { denseMatrix, densityMoment, hessianOperator, hutchinsonTrace, slqDensity, symmetricEigen, topEigenvalues, type Problem } from './index.js';
import { tinyConv, tinyMlp } from './nets.test-util.js';

interface Exact {
  n: number;
  h: Float64Array;
  values: number[];
  problem: Problem;
}
const exact = (problem: Problem): Exact => {
  const { op } = hessianOperator(problem);
  const h = denseMatrix(op);
  return { n: op.dim, h, values: symmetricEigen(h, op.dim).values, problem };
};
const nets: [string, () => Exact][] = [];
let mlpE: Exact | undefined, convE: Exact | undefined;
nets.push(['MLP 6-12-4, 136 params', () => (mlpE ??= exact(tinyMlp(0)))]);
nets.push(['conv + BatchNorm + dense, 180 params', () => (convE ??= exact(tinyConv(0)))]);

const byMagnitude = (l: readonly number[]) => [...l].sort((a, b) => Math.abs(b) - Math.abs(a));

describe.each(nets)('%s', (_name, get) => {
  it('the Hessian from unit-vector HVPs is symmetric (to float32 rounding)', () => {
    const { n, h } = get();
    const scale = Math.max(...h.map(Math.abs));
    for (let i = 0; i < n; i++) for (let j = 0; j < i; j++) expect(Math.abs(h[i * n + j]! - h[j * n + i]!)).toBeLessThan(1e-5 * scale);
  });

  it('λmax and the top 3 agree with Jacobi on the exact Hessian to 1e-4 of λmax (tol 1e-8, ≤ 2,000 iterations)', () => {
    const { values, problem } = get();
    const want = byMagnitude(values).slice(0, 3);
    const r = topEigenvalues(problem, { key: random.key(7), k: 3, maxIter: 2000, tol: 1e-8 });
    r.eigenvalues.forEach((v, i) => expect(Math.abs(v - want[i]!) / Math.abs(want[0]!)).toBeLessThan(1e-4));
    // The eigenvector is one: ‖H u − λ u‖ small.
    const { op } = hessianOperator(problem);
    const hu = op.apply(r.eigenvectors[0]!);
    const res = Math.sqrt(hu.reduce((s, x, i) => s + (x - r.eigenvalues[0]! * r.eigenvectors[0]![i]!) ** 2, 0));
    expect(res).toBeLessThan(1e-2 * Math.abs(want[0]!));
  });

  it("PyHessian's defaults (100 iterations, tol 1e-3) give λmax to within 2 %", () => {
    const { values, problem } = get();
    const lmax = byMagnitude(values)[0]!;
    const r = topEigenvalues(problem, { key: random.key(8) });
    expect(Math.abs(r.eigenvalues[0]! - lmax) / Math.abs(lmax)).toBeLessThan(0.02);
  });

  it('the Hutchinson mean is within 3 standard errors of the exact trace', () => {
    const { n, h, problem } = get();
    let tr = 0;
    for (let i = 0; i < n; i++) tr += h[i * n + i]!;
    const r = hutchinsonTrace(problem, { key: random.key(9), maxSamples: 60, minSamples: 30 });
    expect(Math.abs(r.trace - tr)).toBeLessThanOrEqual(3 * r.stdErr);
    expect(r.stdErr).toBeGreaterThan(0);
  });

  it("the SLQ density's moments match the exact spectrum's: Σ τθᵏ = qᵀHᵏq per probe, and ≈ tr(Hᵏ)/n on average", () => {
    const { n, values, problem } = get();
    const d = slqDensity(problem, { key: random.key(10), steps: 12, runs: 8 });
    for (const k of [1, 2, 3, 4]) {
      const per = d.runs.map((r) => r.nodes.reduce((s, t, i) => s + r.weights[i]! * t ** k, 0));
      const mean = densityMoment(d, k);
      const se = Math.sqrt(per.reduce((a, b) => a + (b - mean) ** 2, 0) / (per.length - 1) / per.length);
      const want = values.reduce((a, l) => a + l ** k, 0) / n;
      expect(Math.abs(mean - want)).toBeLessThanOrEqual(3 * se + 1e-6 * Math.abs(want));
    }
    // The extreme Ritz values of 12 steps already sit on the extreme eigenvalues (Kaniel–Paige).
    expect(Math.abs(d.runs[0]!.nodes[0]! - values[0]!) / Math.abs(values[0]!)).toBeLessThan(0.05);
  });
});

describe('determinism', () => {
  it('the same key gives the same numbers on a network; another key other numbers', () => {
    const p = tinyMlp(1);
    const run = (s: number) => [
      topEigenvalues(p, { key: random.key(s), k: 2, maxIter: 10 }).eigenvalues,
      hutchinsonTrace(p, { key: random.key(s), maxSamples: 5 }).values,
      slqDensity(p, { key: random.key(s), steps: 5 }).runs,
    ];
    expect(run(3)).toEqual(run(3));
    expect(run(4)[1]).not.toEqual(run(3)[1]);
  });
});
