import { fc, test } from '@fast-check/vitest';
import { describe, expect, it } from 'vitest';
import { incompleteBeta, logGamma, pairedDifference, summarize, tCdf, tQuantile } from './stats.js';

describe('logGamma and the incomplete beta', () => {
  it('matches Γ at integers and halves', () => {
    expect(logGamma(1)).toBeCloseTo(0, 12);
    expect(logGamma(5)).toBeCloseTo(Math.log(24), 12);
    expect(logGamma(0.5)).toBeCloseTo(Math.log(Math.sqrt(Math.PI)), 12);
    expect(logGamma(10.5)).toBeCloseTo(Math.log(1133278.3889487855), 9);
  });

  // Closed forms from the definition I_x(a, b) = ∫₀ˣ t^(a−1)(1−t)^(b−1) dt / B(a, b).
  test.prop([fc.double({ min: 0, max: 1, noNaN: true }), fc.double({ min: 0.1, max: 30, noNaN: true })])('I_x(a, 1) = x^a and I_x(1, b) = 1 − (1 − x)^b', (x, a) => {
    expect(incompleteBeta(x, a, 1)).toBeCloseTo(x ** a, 9);
    expect(incompleteBeta(x, 1, a)).toBeCloseTo(1 - (1 - x) ** a, 9);
  });

  // x = k/1024, so that 1 − x is exact in floating point.
  test.prop([fc.integer({ min: 0, max: 1024 }), fc.double({ min: 0.2, max: 40, noNaN: true }), fc.double({ min: 0.2, max: 40, noNaN: true })])('I_x(a, b) = 1 − I_{1−x}(b, a)', (k, a, b) => {
    const x = k / 1024;
    expect(incompleteBeta(x, a, b)).toBeCloseTo(1 - incompleteBeta(1 - x, b, a), 9);
  });
});

describe('Student t', () => {
  it('has the tabulated 97.5 % quantiles (scipy.stats.t.ppf(0.975, df))', () => {
    const table: [number, number][] = [[1, 12.7062047], [2, 4.3026527], [3, 3.1824463], [4, 2.7764451], [9, 2.2621572], [29, 2.0452296], [100, 1.9839715]];
    for (const [df, q] of table) expect(tQuantile(0.975, df)).toBeCloseTo(q, 5);
    expect(tQuantile(0.95, 4)).toBeCloseTo(2.1318468, 5);
    expect(tQuantile(0.995, 2)).toBeCloseTo(9.9248432, 5);
    expect(tQuantile(0.025, 9)).toBeCloseTo(-2.2621572, 5);
    expect(tQuantile(0.5, 3)).toBe(0);
    expect(tQuantile(1, 3)).toBeNaN();
    expect(tQuantile(0.9, 0)).toBeNaN();
  });

  // df = 1 is Cauchy: F(t) = ½ + atan(t)/π; df = 2: F(t) = ½ + t / (2√(2 + t²)).
  test.prop([fc.double({ min: -1e3, max: 1e3, noNaN: true })])('has the closed-form CDFs for 1 and 2 degrees of freedom', (t) => {
    expect(tCdf(t, 1)).toBeCloseTo(0.5 + Math.atan(t) / Math.PI, 10);
    expect(tCdf(t, 2)).toBeCloseTo(0.5 + t / (2 * Math.sqrt(2 + t * t)), 10);
  });

  test.prop([fc.double({ min: 0.001, max: 0.999, noNaN: true }), fc.integer({ min: 1, max: 200 })])('the quantile inverts the CDF', (p, df) => {
    expect(tCdf(tQuantile(p, df), df)).toBeCloseTo(p, 9);
  });
});

describe('summarize', () => {
  it('gives the t interval of the mean, n = 2 included', () => {
    const s = summarize([5, 1, 3, 2, 4]);
    expect(s).toMatchObject({ n: 5, mean: 3, median: 3, min: 1, max: 5 });
    expect(s.std).toBeCloseTo(Math.sqrt(2.5), 12);
    const half = 2.7764451 * Math.sqrt(2.5) / Math.sqrt(5);
    expect(s.ci[0]).toBeCloseTo(3 - half, 5);
    expect(s.ci[1]).toBeCloseTo(3 + half, 5);
    // Two seeds: s/√n = √2/√2 = 1, so the half-width is t(0.975, 1) itself.
    const two = summarize([1, 3]);
    expect(two.ci[0]).toBeCloseTo(2 - 12.7062047, 5);
    expect(two.ci[1]).toBeCloseTo(2 + 12.7062047, 5);
    expect(two.median).toBe(2);
  });

  it('has no interval for one value and nothing for none; skips non-finite values', () => {
    const one = summarize([0.9, Number.NaN, Number.POSITIVE_INFINITY]);
    expect(one).toMatchObject({ n: 1, mean: 0.9, std: 0, median: 0.9 });
    expect(one.ci[0]).toBeNaN();
    expect(summarize([]).n).toBe(0);
    expect(summarize([]).mean).toBeNaN();
  });

  test.prop([fc.array(fc.double({ min: -1e3, max: 1e3, noNaN: true }), { minLength: 2, maxLength: 12 }), fc.double({ min: -1e3, max: 1e3, noNaN: true })])('shifts with the data and keeps its width; contains the mean', (xs, c) => {
    const a = summarize(xs);
    const b = summarize(xs.map((x) => x + c));
    expect(b.mean).toBeCloseTo(a.mean + c, 6);
    expect(b.ci[1] - b.ci[0]).toBeCloseTo(a.ci[1] - a.ci[0], 6);
    expect(a.ci[0]).toBeLessThanOrEqual(a.mean + 1e-9);
    expect(a.ci[1]).toBeGreaterThanOrEqual(a.mean - 1e-9);
    expect(a.min).toBeLessThanOrEqual(a.median);
    expect(a.median).toBeLessThanOrEqual(a.max);
  });
});

describe('pairedDifference', () => {
  it('pairs by seed, skips unpaired and non-finite seeds, and gives the t interval of the mean difference', () => {
    const a = new Map([[0, 0.9], [1, 0.8], [2, 0.85], [3, 0.7], [7, 0.5]]);
    const b = new Map([[0, 0.88], [1, 0.79], [2, 0.8], [3, Number.NaN], [5, 0.1]]);
    const d = pairedDifference(a, b);
    expect(d.keys).toEqual([0, 1, 2]);
    // d = (0.02, 0.01, 0.05): mean 0.02667, s = 0.020817, half = t(0.975, 2)·s/√3.
    expect(d.mean).toBeCloseTo(0.08 / 3, 12);
    expect(d.std).toBeCloseTo(0.0208167, 6);
    expect(d.ci[0]).toBeCloseTo(0.08 / 3 - 4.3026527 * 0.0208167 / Math.sqrt(3), 5);
    expect(d.ci[1]).toBeCloseTo(0.08 / 3 + 4.3026527 * 0.0208167 / Math.sqrt(3), 5);
  });

  it('is narrower than the unpaired spread when the seeds move both optimizers together', () => {
    const base = [0.8, 0.9, 0.7, 0.85];
    const a = new Map(base.map((v, i) => [i, v + 0.01] as const));
    const b = new Map(base.map((v, i) => [i, v] as const));
    const d = pairedDifference(a, b);
    expect(d.mean).toBeCloseTo(0.01, 12);
    expect(d.ci[1] - d.ci[0]).toBeLessThan(1e-9);
    expect(summarize(base).std).toBeGreaterThan(0.05);
  });
});
