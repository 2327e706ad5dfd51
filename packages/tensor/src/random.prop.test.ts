import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { random } from './index.js';
import { arbKey } from './testing/index.js';

const { key, split, foldIn, bits, uniform, normal, truncatedNormal, bernoulli, randint, permutation } = random;
const RUNS = { numRuns: 40 };

function moments(x: ArrayLike<number>): { mean: number; variance: number; skew: number; kurtosis: number } {
  const n = x.length;
  let s = 0;
  for (let i = 0; i < n; i++) s += x[i]!;
  const mean = s / n;
  let m2 = 0, m3 = 0, m4 = 0;
  for (let i = 0; i < n; i++) {
    const d = x[i]! - mean;
    m2 += d * d;
    m3 += d * d * d;
    m4 += d * d * d * d;
  }
  m2 /= n; m3 /= n; m4 /= n;
  return { mean, variance: m2, skew: m3 / m2 ** 1.5, kurtosis: m4 / (m2 * m2) };
}

function correlation(a: ArrayLike<number>, b: ArrayLike<number>): number {
  const ma = moments(a).mean, mb = moments(b).mean;
  let sab = 0, saa = 0, sbb = 0;
  for (let i = 0; i < a.length; i++) {
    const x = a[i]! - ma, y = b[i]! - mb;
    sab += x * y; saa += x * x; sbb += y * y;
  }
  return sab / Math.sqrt(saa * sbb);
}

/** Kolmogorov–Smirnov distance between a sample and a continuous CDF. */
function ksDistance(x: ArrayLike<number>, cdf: (v: number) => number): number {
  const s = Float64Array.from(x).sort();
  let d = 0;
  for (let i = 0; i < s.length; i++) {
    const c = cdf(s[i]!);
    d = Math.max(d, Math.abs(c - i / s.length), Math.abs((i + 1) / s.length - c));
  }
  return d;
}

/** Standard normal CDF via a high-accuracy erfc (Numerical Recipes' erfcc, |error| < 1.2e-7). */
function phi(z: number): number {
  const x = Math.abs(z) / Math.SQRT2;
  const t = 1 / (1 + 0.5 * x);
  const erfc = t * Math.exp(-x * x - 1.26551223 + t * (1.00002368 + t * (0.37409196 + t * (0.09678418 + t * (-0.18628806 +
    t * (0.27886807 + t * (-1.13520398 + t * (1.48851587 + t * (-0.82215223 + t * 0.17087277)))))))));
  return z >= 0 ? 1 - erfc / 2 : erfc / 2;
}

const N = 100_000;
const KEYS = [key(0), key(1), key(20240601)];

describe('determinism', () => {
  it('the same key gives the same bits, uniforms and normals', () => {
    fc.assert(
      fc.property(arbKey(), fc.integer({ min: 0, max: 65 }), (k, n) => {
        const again = random.keyFromWords(k.words[0], k.words[1]);
        expect([...bits(again, n)]).toEqual([...bits(k, n)]);
        expect([...uniform(again, [n]).toArray()]).toEqual([...uniform(k, [n]).toArray()]);
        expect([...normal(again, [n]).toArray()]).toEqual([...normal(k, [n]).toArray()]);
        expect(split(again, 3).map(String)).toEqual(split(k, 3).map(String));
      }),
      RUNS,
    );
  });

  it('shape only matters through its size', () => {
    fc.assert(
      fc.property(arbKey(), fc.integer({ min: 1, max: 6 }), fc.integer({ min: 1, max: 6 }), (k, a, b) => {
        expect([...normal(k, [a, b]).toArray()]).toEqual([...normal(k, [a * b]).toArray()]);
      }),
      RUNS,
    );
  });
});

describe('split and foldIn give independent streams', () => {
  it('children differ from each other and from the parent', () => {
    fc.assert(
      fc.property(arbKey(), fc.integer({ min: 2, max: 16 }), (k, n) => {
        const ks = split(k, n).map(String);
        expect(new Set([...ks, String(k)]).size).toBe(n + 1);
      }),
      RUNS,
    );
  });

  it('distinct data fold into distinct keys', () => {
    fc.assert(
      fc.property(arbKey(), fc.uniqueArray(fc.integer({ min: 0, max: 2 ** 32 - 1 }), { minLength: 2, maxLength: 20 }), (k, data) => {
        expect(new Set(data.map((d) => String(foldIn(k, d)))).size).toBe(data.length);
      }),
      RUNS,
    );
  });

  it('sibling, parent and folded streams are uncorrelated', () => {
    const n = 20_000;
    const bound = 5 / Math.sqrt(n); // five standard errors of a null correlation
    for (const k of KEYS) {
      const [a, b] = split(k);
      const streams = [uniform(k, [n]), uniform(a!, [n]), uniform(b!, [n]), uniform(foldIn(k, 1), [n]), uniform(foldIn(k, 2), [n])].map((t) => t.toArray());
      for (let i = 0; i < streams.length; i++)
        for (let j = i + 1; j < streams.length; j++) expect(Math.abs(correlation(streams[i]!, streams[j]!))).toBeLessThan(bound);
      // Lag-1 autocorrelation inside one stream.
      const s = streams[1]!;
      expect(Math.abs(correlation(s.subarray(0, n - 1), s.subarray(1)))).toBeLessThan(bound);
    }
  });

  it('sibling bit streams agree on about half their bits', () => {
    for (const k of KEYS) {
      const [a, b] = split(k);
      const x = bits(a!, 4096), y = bits(b!, 4096);
      let same = 0;
      for (let i = 0; i < x.length; i++) same += 32 - popcount((x[i]! ^ y[i]!) >>> 0);
      const total = 32 * x.length;
      expect(Math.abs(same / total - 0.5)).toBeLessThan(5 * 0.5 / Math.sqrt(total));
    }
  });
});

function popcount(v: number): number {
  v = v - ((v >>> 1) & 0x55555555);
  v = (v & 0x33333333) + ((v >>> 2) & 0x33333333);
  return (((v + (v >>> 4)) & 0x0f0f0f0f) * 0x01010101) >>> 24;
}

describe('distributions (n = 1e5, bounds of about five standard errors)', () => {
  it('uniform: mean 1/2, variance 1/12, KS distance', () => {
    for (const k of KEYS) {
      const x = uniform(k, [N]).toArray();
      const m = moments(x);
      expect(Math.abs(m.mean - 0.5)).toBeLessThan(5 * Math.sqrt(1 / 12 / N));
      expect(Math.abs(m.variance - 1 / 12)).toBeLessThan(5 * Math.sqrt((1 / 80 - 1 / 144) / N));
      expect(ksDistance(x, (v) => Math.min(1, Math.max(0, v)))).toBeLessThan(1.95 / Math.sqrt(N));
      for (const v of x) if (!(v >= 0 && v < 1)) throw new Error(`uniform left [0, 1): ${v}`);
    }
  });

  it('normal: mean 0, variance 1, skew 0, kurtosis 3, KS distance', () => {
    for (const k of KEYS) {
      const x = normal(k, [N]).toArray();
      const m = moments(x);
      expect(Math.abs(m.mean)).toBeLessThan(5 / Math.sqrt(N));
      expect(Math.abs(m.variance - 1)).toBeLessThan(5 * Math.sqrt(2 / N));
      expect(Math.abs(m.skew)).toBeLessThan(5 * Math.sqrt(6 / N));
      expect(Math.abs(m.kurtosis - 3)).toBeLessThan(5 * Math.sqrt(24 / N));
      expect(ksDistance(x, phi)).toBeLessThan(1.95 / Math.sqrt(N));
    }
  });

  it('normal with mean and std', () => {
    const m = moments(normal(key(8), [N], { mean: -2, std: 3 }).toArray());
    expect(Math.abs(m.mean + 2)).toBeLessThan(5 * 3 / Math.sqrt(N));
    expect(Math.abs(Math.sqrt(m.variance) - 3)).toBeLessThan(0.05);
  });

  it('truncatedNormal on (−2, 2): mean 0, variance 0.7737', () => {
    // Var of N(0,1) truncated to (−a, a) is 1 − 2aφ(a)/(Φ(a) − Φ(−a)).
    const a = 2;
    const pdf = Math.exp(-a * a / 2) / Math.sqrt(2 * Math.PI);
    const v = 1 - (2 * a * pdf) / (phi(a) - phi(-a));
    for (const k of KEYS) {
      const m = moments(truncatedNormal(k, [N]).toArray());
      expect(Math.abs(m.mean)).toBeLessThan(5 * Math.sqrt(v / N));
      expect(Math.abs(m.variance - v)).toBeLessThan(0.01);
    }
  });

  it('bernoulli: the rate is p', () => {
    fc.assert(
      fc.property(arbKey(), fc.double({ min: 0, max: 1, noNaN: true }), (k, p) => {
        const n = 20_000;
        const x = bernoulli(k, p, [n]).toArray();
        let ones = 0;
        for (const v of x) {
          if (v !== 0 && v !== 1) return false;
          ones += v;
        }
        return Math.abs(ones / n - p) <= 5 * Math.sqrt((p * (1 - p)) / n) + 1e-6;
      }),
      { numRuns: 25 },
    );
  });

  it('randint: values in [min, max) and all bins equally likely (chi-square)', () => {
    fc.assert(
      fc.property(arbKey(), fc.integer({ min: -1000, max: 1000 }), fc.integer({ min: 1, max: 500 }), (k, min, span) => {
        const x = randint(k, [500], min, min + span).toArray();
        return x.every((v) => Number.isInteger(v) && v >= min && v < min + span);
      }),
      RUNS,
    );
    const bins = 10;
    for (const k of KEYS) {
      const counts = new Array<number>(bins).fill(0);
      for (const v of randint(k, [N], -3, bins - 3).toArray()) counts[v + 3]!++;
      const e = N / bins;
      const chi2 = counts.reduce((s, c) => s + ((c - e) * (c - e)) / e, 0);
      expect(chi2).toBeLessThan(27.9); // 99.9th percentile of chi-square with 9 degrees of freedom
    }
  });

  it('permutation: a permutation of 0..n−1, and every position equally likely', () => {
    fc.assert(
      fc.property(arbKey(), fc.integer({ min: 0, max: 300 }), (k, n) => {
        const p = permutation(k, n).toArray();
        expect([...p].sort((a, b) => a - b)).toEqual(Array.from({ length: n }, (_, i) => i));
      }),
      RUNS,
    );
    // n = 1700 takes two sort rounds.
    const big = permutation(key(3), 1700).toArray();
    expect(new Set(big).size).toBe(1700);
    expect(Math.min(...big)).toBe(0);
    expect(Math.max(...big)).toBe(1699);
    // Where element 0 lands over 3000 keys: uniform over 6 positions.
    const counts = new Array<number>(6).fill(0);
    for (const k of split(key(4), 3000)) counts[permutation(k, 6).toArray().indexOf(0)]!++;
    const e = 3000 / 6;
    expect(counts.reduce((s, c) => s + ((c - e) * (c - e)) / e, 0)).toBeLessThan(20.5); // chi-square(5), 99.9%
  });

  it('uniform stays inside arbitrary [min, max)', () => {
    fc.assert(
      fc.property(arbKey(), fc.double({ min: -1e6, max: 1e6, noNaN: true }), fc.double({ min: 1e-3, max: 1e6, noNaN: true }), (k, lo, width) => {
        const min = Math.fround(lo), max = Math.fround(lo + width);
        fc.pre(min < max);
        const x = uniform(k, [200], { min, max }).toArray();
        return x.every((v) => v >= min && v < max);
      }),
      RUNS,
    );
  });
});
