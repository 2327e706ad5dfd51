/**
 * The statistics of a comparison over seeds: Student-t intervals for a mean and for a paired
 * difference, written out here (no statistics dependency).
 *
 *   t quantile: F(t; ν) = 1 − ½·I_{ν/(ν+t²)}(ν/2, ½) for t ≥ 0, inverted by bisection;
 *   I_x(a, b) is the regularized incomplete beta function, by its continued fraction
 *   (Numerical Recipes §6.4, modified Lentz).
 *
 * The t interval assumes the seeds' results are independent draws from one normal distribution;
 * with 2–5 seeds it is wide, which is the point: it says how little a handful of seeds tells.
 */

/** ln Γ(x) for x > 0 (Lanczos, g = 7, 9 terms; about 15 significant digits). */
export function logGamma(x: number): number {
  const c = [0.99999999999980993, 676.5203681218851, -1259.1392167224028, 771.32342877765313, -176.61502916214059, 12.507343278686905, -0.13857109526572012, 9.9843695780195716e-6, 1.5056327351493116e-7];
  if (x < 0.5) return Math.log(Math.PI / Math.abs(Math.sin(Math.PI * x))) - logGamma(1 - x);
  const z = x - 1;
  let a = c[0]!;
  const t = z + 7.5;
  for (let i = 1; i < 9; i++) a += c[i]! / (z + i);
  return 0.5 * Math.log(2 * Math.PI) + (z + 0.5) * Math.log(t) - t + Math.log(a);
}

/** The continued fraction of I_x(a, b), valid (fast) for x < (a + 1)/(a + b + 2). */
function betaFraction(x: number, a: number, b: number): number {
  const tiny = 1e-300;
  let c = 1;
  let d = 1 - ((a + b) * x) / (a + 1);
  if (Math.abs(d) < tiny) d = tiny;
  d = 1 / d;
  let h = d;
  for (let m = 1; m <= 500; m++) {
    const m2 = 2 * m;
    let aa = (m * (b - m) * x) / ((a + m2 - 1) * (a + m2));
    d = 1 + aa * d;
    if (Math.abs(d) < tiny) d = tiny;
    c = 1 + aa / c;
    if (Math.abs(c) < tiny) c = tiny;
    d = 1 / d;
    h *= d * c;
    aa = (-(a + m) * (a + b + m) * x) / ((a + m2) * (a + m2 + 1));
    d = 1 + aa * d;
    if (Math.abs(d) < tiny) d = tiny;
    c = 1 + aa / c;
    if (Math.abs(c) < tiny) c = tiny;
    d = 1 / d;
    const del = d * c;
    h *= del;
    if (Math.abs(del - 1) < 1e-15) break;
  }
  return h;
}

/**
 * The regularized incomplete beta function I_x(a, b), for a, b > 0 and x in [0, 1]. `y` = 1 − x
 * may be passed when the caller knows it more precisely than 1 − x rounds (x close to 1).
 */
export function incompleteBeta(x: number, a: number, b: number, y = 1 - x): number {
  if (x <= 0) return 0;
  if (y <= 0) return 1;
  const front = Math.exp(logGamma(a + b) - logGamma(a) - logGamma(b) + a * Math.log(x) + b * Math.log(y));
  // NOTE: the fraction converges for x below the mean of the beta; above it, use I_x(a,b) = 1 − I_{1−x}(b,a).
  return x < (a + 1) / (a + b + 2) ? (front * betaFraction(x, a, b)) / a : 1 - (front * betaFraction(y, b, a)) / b;
}

/** The Student t cumulative distribution function with `df` degrees of freedom. */
export function tCdf(t: number, df: number): number {
  if (Number.isNaN(t)) return Number.NaN;
  if (!Number.isFinite(t)) return t > 0 ? 1 : 0;
  // NOTE: near t = 0, ν/(ν+t²) rounds to 1; passing t²/(ν+t²) as 1 − x keeps the digits.
  const tail = 0.5 * incompleteBeta(df / (df + t * t), df / 2, 0.5, (t * t) / (df + t * t));
  return t >= 0 ? 1 - tail : tail;
}

/** The p-quantile of Student's t with `df` degrees of freedom (df ≥ 1, p in (0, 1)). */
export function tQuantile(p: number, df: number): number {
  if (!(df > 0) || !(p > 0 && p < 1)) return Number.NaN;
  if (p === 0.5) return 0;
  if (p < 0.5) return -tQuantile(1 - p, df);
  // Bracket, then bisect: F is increasing, and 1e-12 of relative width is far below what we print.
  let lo = 0;
  let hi = 1;
  while (tCdf(hi, df) < p) hi *= 2;
  for (let i = 0; i < 200 && hi - lo > 1e-12 * hi; i++) {
    const mid = (lo + hi) / 2;
    if (tCdf(mid, df) < p) lo = mid;
    else hi = mid;
  }
  return (lo + hi) / 2;
}

/** What a sample of seeds says about its mean. */
export interface SampleSummary {
  readonly n: number;
  readonly mean: number;
  /** Sample standard deviation (n − 1); 0 for one value, NaN for none. */
  readonly std: number;
  /** The two-sided `level` Student-t interval of the mean; NaN ends with fewer than 2 values. */
  readonly ci: readonly [number, number];
  readonly median: number;
  readonly min: number;
  readonly max: number;
}

export const CONFIDENCE = 0.95;

/** Mean, spread and the t interval of the finite values of `xs`. */
export function summarize(xs: readonly number[], level = CONFIDENCE): SampleSummary {
  const v = xs.filter(Number.isFinite).sort((a, b) => a - b);
  const n = v.length;
  if (n === 0) return { n: 0, mean: Number.NaN, std: Number.NaN, ci: [Number.NaN, Number.NaN], median: Number.NaN, min: Number.NaN, max: Number.NaN };
  const mean = v.reduce((a, b) => a + b, 0) / n;
  const std = n > 1 ? Math.sqrt(v.reduce((a, b) => a + (b - mean) ** 2, 0) / (n - 1)) : 0;
  const half = n > 1 ? tQuantile(1 - (1 - level) / 2, n - 1) * (std / Math.sqrt(n)) : Number.NaN;
  const m = n >> 1;
  return { n, mean, std, ci: [mean - half, mean + half], median: n % 2 ? v[m]! : (v[m - 1]! + v[m]!) / 2, min: v[0]!, max: v[n - 1]! };
}

/** The paired difference a − b over the keys (seeds) both samples have a finite value for. */
export function pairedDifference(a: ReadonlyMap<number, number>, b: ReadonlyMap<number, number>, level = CONFIDENCE): SampleSummary & { readonly keys: readonly number[] } {
  const keys = [...a.keys()].filter((k) => b.has(k) && Number.isFinite(a.get(k)) && Number.isFinite(b.get(k))).sort((x, y) => x - y);
  return { ...summarize(keys.map((k) => a.get(k)! - b.get(k)!), level), keys };
}
