/**
 * erf and erf⁻¹ for the PRNG samplers. `erfinvF32` follows XLA's float32 `ErfInv` (M. Giles,
 * "Approximating the erfinv function", GPU Computing Gems, 2011): w = −log1p(−x²), then a degree-8
 * polynomial in w − 2.5 (w < 5) or √w − 3, times x. Every step is rounded to float32 with
 * `Math.fround` so `normal` reproduces JAX's float32 results.
 *
 * NOTE: not every float32 step of XLA's compiled kernel can be replayed (its log1p is its own
 * approximation, and the compiler may reorder), so a result can differ from JAX's by an ulp or two:
 * of 64 published JAX 0.4.38 CPU normals, 54 are bit-identical and the rest within 2 ulp (see
 * random.test.ts). The uniform input is bit-exact.
 */

const f = Math.fround;

const SMALL = [
  2.81022636e-8, 3.43273939e-7, -3.5233877e-6, -4.39150654e-6, 0.00021858087, -0.00125372503, -0.00417768164,
  0.246640727, 1.50140941,
].map(f);
const LARGE = [
  -0.000200214257, 0.000100950558, 0.00134934322, -0.00367342844, 0.00573950773, -0.0076224613, 0.00943887047,
  1.00167406, 2.83297682,
].map(f);

/** erf⁻¹(x) for float32 x in [−1, 1], rounded as float32 arithmetic would; ±∞ at ±1. */
export function erfinvF32(x: number): number {
  if (x === 1 || x === -1) return x * Infinity;
  const w0 = -f(Math.log1p(-f(x * x)));
  const small = w0 < 5;
  const c = small ? SMALL : LARGE;
  const w = small ? f(w0 - 2.5) : f(f(Math.sqrt(w0)) - 3);
  let p = c[0]!;
  for (let i = 1; i < c.length; i++) p = f(c[i]! + f(p * w));
  return f(p * x);
}

/** erf(x) in double precision (|error| < 1e-15): Taylor series below 3, continued fraction above. */
export function erf(x: number): number {
  if (Number.isNaN(x)) return NaN;
  const ax = Math.abs(x);
  if (ax < 3) {
    // erf(x) = 2/√π Σ (−1)^n x^(2n+1) / (n! (2n+1))
    const x2 = x * x;
    let term = x;
    let sum = x;
    for (let n = 1; n < 200; n++) {
      term *= -x2 / n;
      const add = term / (2 * n + 1);
      sum += add;
      if (Math.abs(add) < 1e-17 * Math.abs(sum)) break;
    }
    return (2 / Math.sqrt(Math.PI)) * sum;
  }
  if (ax > 6) return Math.sign(x);
  // erfc(x) = exp(−x²)/√π · 1/(x + (1/2)/(x + 1/(x + (3/2)/(x + ...)))), evaluated from the tail.
  let frac = ax;
  for (let k = 60; k >= 1; k--) frac = ax + k / 2 / frac;
  const erfc = Math.exp(-ax * ax) / Math.sqrt(Math.PI) / frac;
  return Math.sign(x) * (1 - erfc);
}
