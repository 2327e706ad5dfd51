// Test fixtures: symmetric matrices with a chosen spectrum, and a "model" whose loss is a quadratic.
import { fc } from '@fast-check/vitest';
import { add, matmul, mul, reshape, sum, tensor, zeros, type Tensor } from '@ssam/tensor';
import type { Layer } from '@ssam/models';
import type { Problem } from './problem.js';

/** A small deterministic PRNG (mulberry32) for host-side fixtures. */
export function rng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** A random orthogonal n×n matrix (Gram–Schmidt on Gaussian columns), row-major. */
export function randomOrthogonal(n: number, seed: number): Float64Array {
  const r = rng(seed);
  const gauss = () => Math.sqrt(-2 * Math.log(1 - r())) * Math.cos(2 * Math.PI * r());
  const cols: Float64Array[] = [];
  for (let j = 0; j < n; j++) {
    const v = Float64Array.from({ length: n }, gauss);
    for (let pass = 0; pass < 2; pass++)
      for (const u of cols) {
        let d = 0;
        for (let i = 0; i < n; i++) d += v[i]! * u[i]!;
        for (let i = 0; i < n; i++) v[i]! -= d * u[i]!;
      }
    const nv = Math.sqrt(v.reduce((a, x) => a + x * x, 0));
    cols.push(v.map((x) => x / nv));
  }
  const q = new Float64Array(n * n);
  for (let i = 0; i < n; i++) for (let j = 0; j < n; j++) q[i * n + j] = cols[j]![i]!;
  return q;
}

/** Q diag(λ) Qᵀ, row-major. */
export function withSpectrum(lambda: readonly number[], seed: number): Float64Array {
  const n = lambda.length, q = randomOrthogonal(n, seed);
  const a = new Float64Array(n * n);
  for (let i = 0; i < n; i++)
    for (let j = 0; j < n; j++) {
      let s = 0;
      for (let k = 0; k < n; k++) s += q[i * n + k]! * lambda[k]! * q[j * n + k]!;
      a[i * n + j] = s;
    }
  return a;
}

/**
 * Spectra with gaps at the top: λ₁ > λ₂ > λ₃ by factors ≥ `gap` in magnitude, then a bulk of
 * smaller eigenvalues (positive or negative), so that power iteration's rate is bounded.
 */
export const arbGappedSpectrum = (gap = 1.3) =>
  fc.record({
    top: fc.double({ min: 1, max: 50, noNaN: true }),
    ratios: fc.array(fc.double({ min: 1 / gap ** 3, max: 1 / gap, noNaN: true }), { minLength: 3, maxLength: 3 }),
    bulk: fc.array(fc.double({ min: -0.9, max: 0.9, noNaN: true }), { minLength: 2, maxLength: 12 }),
    seed: fc.integer({ min: 0, max: 2 ** 31 - 1 }),
  }).map(({ top, ratios, bulk, seed }) => {
    const l1 = top, l2 = l1 * ratios[0]!, l3 = l2 * ratios[1]!, floor = l3 * ratios[2]!;
    return { lambda: [l1, l2, l3, ...bulk.map((b) => b * floor)], seed };
  });

/** Any spectrum (no gaps assumed). */
export const arbSpectrum = fc.record({
  lambda: fc.array(fc.double({ min: -5, max: 20, noNaN: true }), { minLength: 2, maxLength: 16 }),
  seed: fc.integer({ min: 0, max: 2 ** 31 - 1 }),
});

/**
 * A one-parameter-tensor "model" whose output is the loss ½ (w − c)ᵀ A (w − c) itself, so a
 * Problem built on it has Hessian A (to float32 rounding) and gradient A (w − c).
 */
export function quadraticProblem(a: Float64Array, n: number, w: readonly number[], c: readonly number[] = new Array(n).fill(0)): Problem {
  const A = tensor(Float32Array.from(a), [n, n]);
  const C = tensor(Float32Array.from(c), [n]);
  const model: Layer = {
    init: () => {
      throw new Error('quadratic fixture: not initialisable');
    },
    apply: (p, s) => {
      const d = add((p as { w: Tensor }).w, mul(C, -1));
      const ad = reshape(matmul(A, reshape(d, [n, 1])), [n]);
      return [mul(sum(mul(d, ad)), 0.5), s];
    },
  };
  return {
    model,
    params: { w: tensor(Float32Array.from(w), [n]) },
    modelState: {},
    batches: [{ x: zeros([1, 1]), y: zeros([1], 'int32') }],
    loss: (out) => out,
  };
}
