// Winograd F(2×2, 3×3) convolutions of the wasm backend against the reference backend's direct
// convolution, within an error bound derived from the transforms (not a tuned tolerance).
//
// Bound (forward; back-input is the same computation on dy with C ↔ O): every transform entry is
// 0, ±1 or ±½, and every step is a sum or a product, so the computed output is the exact expanded
// expression with each monomial carrying at most k factors (1 + δ), |δ| ≤ u = 2⁻²⁴, where k is the
// longest chain of roundings: filter transform 4, input transform 2, the product 1, the channel sum
// C − 1, output transform 4, so k = C + 10. Hence |ŷ − y| ≤ γ_k · S with γ_k = ku / (1 − ku) and
// S = |Aᵀ| [Σ_c (|G||g_c||Gᵀ|) ⊙ (|Bᵀ||d_c||B|)] |A|. For each output, the coefficients of
// |g_ij||d_pq| in S add up to (Σ_{ξ,i,p} |Aᵀ_rξ||G_ξi||Bᵀ_ξp|)² = 8² = 64 (9 for the direct sum),
// so S ≤ 64 · Σ_c max|g_c| · max|d_c| ≤ 64 · C · max|w| · max|x|.
// Back-filter: dW = Gᵀ [Σ_t (A dY_t Aᵀ) ⊙ (Bᵀ d_t B)] G; the 1-D coefficient sums are ≤ 6, so
// S ≤ 36 · T · max|dy| · max|x| over the T = N·⌈Ho/2⌉·⌈Wo/2⌉ tiles, with k ≤ T + 9 (transforms 2 + 2,
// product 1, tile sum ≤ T − 1 plus the lane and band adds, Gᵀ·G in float64 and one final rounding).
// The reference backend's own float32 error, γ_m · Σ|terms| with m terms, is added on top.
import { afterAll, describe, expect, it } from 'vitest';
import { withBackend } from '../../backend.js';
import { conv2d, conv2dBackFilter, conv2dBackInput, type Conv2dOptions } from '../../ops/conv.js';
import { referenceBackend } from '../reference/index.js';
import { seededTensor } from '../../testing/conformance.js';
import type { Tensor } from '../../tensor.js';
import { createWasmBackend, defaultWinograd } from './backend.js';

const forced = { minElements: 0, minParallelWork: 0 };
const wino1 = createWasmBackend({ threads: 1, winograd: true });
const wino2 = createWasmBackend({ threads: 2, ...forced, winograd: true });
const im2col = createWasmBackend({ threads: 1, winograd: false });
afterAll(() => [wino1, wino2, im2col].forEach((b) => b.dispose()));

const U = 2 ** -24;
const gamma = (k: number) => (k * U) / (1 - k * U);
const maxAbs = (t: Tensor) => (t.toArray() as Float32Array).reduce((m, v) => Math.max(m, Math.abs(v)), 0);

/** Asserts |got − want| ≤ tol elementwise, naming the first offender. */
function expectWithin(got: Tensor, want: Tensor, tol: number, label: string): void {
  expect(got.shape).toEqual(want.shape);
  const g = got.toArray() as Float32Array, w = want.toArray() as Float32Array;
  for (let i = 0; i < g.length; i++) {
    const d = Math.abs(g[i]! - w[i]!);
    if (!(d <= tol)) throw new Error(`${label}: element ${i}: ${g[i]} vs reference ${w[i]} (|diff| ${d}, bound ${tol})`);
  }
  // a bound as large as the results themselves would let a kernel that writes zeros pass
  expect(maxAbs(want)).toBeGreaterThan(20 * tol);
}

// [label, x shape, filter shape, options]: odd sizes, every padding form, cout not a multiple of 4,
// several bands per image (16 channels, 32 px) and several back-filter parts (batch 9)
const CASES: readonly (readonly [string, number[], number[], Conv2dOptions])[] = [
  ['8→8, 8×8, pad 1', [2, 8, 8, 8], [8, 8, 3, 3], { padding: 1 }],
  ['12→9, 7×9 (odd), pad 1', [3, 12, 7, 9], [9, 12, 3, 3], { padding: 1 }],
  ['9→13, 6×5, no padding', [2, 9, 6, 5], [13, 9, 3, 3], {}],
  ['8→8, 5×3, pad 2 (output larger than input)', [1, 8, 5, 3], [8, 8, 3, 3], { padding: 2 }],
  ['8→8, 4×5, pad 3 (the back-input window starts inside dy)', [1, 8, 4, 5], [8, 8, 3, 3], { padding: 3 }],
  ['10→8, 6×7, asymmetric padding', [2, 10, 6, 7], [8, 10, 3, 3], { padding: [[0, 2], [1, 0]] }],
  ["8→12, 9×9, 'same'", [9, 8, 9, 9], [12, 8, 3, 3], { padding: 'same' }],
  ['16→16, 32×32, pad 1 (3 bands per image)', [2, 16, 32, 32], [16, 16, 3, 3], { padding: 1 }],
  ['16→16, 48×46, pad 1 (back-filter: 2 bands per image)', [1, 16, 48, 46], [16, 16, 3, 3], { padding: 1 }],
];

describe('wasm Winograd F(2×2, 3×3) convolutions', () => {
  for (const [label, xs, ws, opts] of CASES) {
    it(`stay within the derived float32 bound of the direct convolution: ${label}`, () => {
      const x = seededTensor(xs, 1), w = seededTensor(ws, 2);
      const y = withBackend(referenceBackend, () => conv2d(x, w, opts));
      const dy = seededTensor(y.shape, 3);
      const [n, c] = xs as [number, number];
      const o = ws[0]!;
      const [mx, mw, mdy] = [maxAbs(x), maxAbs(w), maxAbs(dy)];
      const tiles = n * Math.ceil(y.shape[2]! / 2) * Math.ceil(y.shape[3]! / 2);
      const outputs = n * y.shape[2]! * y.shape[3]!;
      // Winograd bound + the reference's own (m terms, each |term| ≤ the product of the maxima)
      const fwdTol = gamma(c + 10) * 64 * c * mw * mx + gamma(9 * c) * 9 * c * mw * mx;
      const inTol = gamma(o + 10) * 64 * o * mw * mdy + gamma(9 * o) * 9 * o * mw * mdy;
      const filTol = gamma(tiles + 9) * 36 * tiles * mdy * mx + gamma(outputs) * outputs * mdy * mx;
      expectWithin(withBackend(wino1, () => conv2d(x, w, opts)), y, fwdTol, `conv2d ${label}`);
      expectWithin(
        withBackend(wino1, () => conv2dBackInput(dy, w, xs, opts)),
        withBackend(referenceBackend, () => conv2dBackInput(dy, w, xs, opts)), inTol, `conv2dBackInput ${label}`,
      );
      expectWithin(
        withBackend(wino1, () => conv2dBackFilter(x, dy, ws, opts)),
        withBackend(referenceBackend, () => conv2dBackFilter(x, dy, ws, opts)), filTol, `conv2dBackFilter ${label}`,
      );
    });
  }

  it('give the same bits on 2 threads as on 1 (several bands, several back-filter parts)', () => {
    const opts = { padding: 1 };
    // 16 channels, 24 px: 2 bands of tile rows per image; batch 9: 5 back-filter parts of 2 images
    const x = seededTensor([9, 16, 24, 24], 4), w = seededTensor([16, 16, 3, 3], 5), dy = seededTensor([9, 16, 24, 24], 6);
    const run = (b: typeof wino1) =>
      withBackend(b, () => [conv2d(x, w, opts), conv2dBackInput(dy, w, x.shape, opts), conv2dBackFilter(x, dy, w.shape, opts)]);
    const bits = (t: Tensor) => new Uint32Array((t.toArray() as Float32Array).slice().buffer);
    const one = run(wino1);
    // NOTE: on a loaded machine the calling thread may claim every chunk before the worker wakes
    // (the pool's stall fallback); repeat until the worker took part, checking the bits each time.
    for (let attempt = 0; attempt < 10; attempt++) {
      const two = run(wino2);
      for (let i = 0; i < 3; i++) expect(bits(two[i]!)).toEqual(bits(one[i]!));
      if (wino2.chunksByThread()[1]! > 0) break;
    }
    expect(wino2.chunksByThread()[1]).toBeGreaterThan(0);
  }, 30_000);

  it('run only where they apply: other convolutions give the im2col bits, eligible ones do not', () => {
    const bits = (t: Tensor) => Array.from(new Uint32Array((t.toArray() as Float32Array).slice().buffer));
    const both = (xs: number[], ws: number[], opts: Conv2dOptions) => {
      const x = seededTensor(xs, 7), w = seededTensor(ws, 8);
      const y = withBackend(referenceBackend, () => conv2d(x, w, opts));
      const dy = seededTensor(y.shape, 9);
      const run = (b: typeof wino1) =>
        withBackend(b, () => [conv2d(x, w, opts), conv2dBackInput(dy, w, xs, opts), conv2dBackFilter(x, dy, ws, opts)].map(bits));
      return [run(wino1), run(im2col)] as const;
    };
    const fallbacks: [number[], number[], Conv2dOptions][] = [
      [[2, 8, 9, 9], [8, 8, 3, 3], { stride: 2, padding: 1 }],
      [[1, 8, 9, 9], [8, 8, 3, 3], { dilation: 2, padding: 2 }],
      [[1, 8, 6, 6], [8, 4, 3, 3], { groups: 2, padding: 1 }],
      [[2, 3, 8, 8], [16, 3, 3, 3], { padding: 1 }], // 3 input channels: below WINOGRAD_MIN_CHANNELS
      [[2, 8, 6, 6], [8, 8, 1, 1], {}],
    ];
    for (const [xs, ws, opts] of fallbacks) {
      const [w1, ref] = both(xs, ws, opts);
      expect(w1).toEqual(ref);
    }
    const [w1, ref] = both([2, 8, 6, 6], [8, 8, 3, 3], { padding: 1 });
    for (let i = 0; i < 3; i++) expect(w1[i]).not.toEqual(ref[i]);
    expect([wino1.winograd, im2col.winograd]).toEqual([true, false]);
  });

  it('are on by default and turned off by SSAM_WINOGRAD=0', () => {
    const saved = process.env.SSAM_WINOGRAD;
    try {
      delete process.env.SSAM_WINOGRAD;
      expect(defaultWinograd()).toBe(true);
      process.env.SSAM_WINOGRAD = '0';
      expect(defaultWinograd()).toBe(false);
      const b = createWasmBackend({ threads: 1 });
      expect(b.winograd).toBe(false);
      b.dispose();
      process.env.SSAM_WINOGRAD = 'off';
      expect(() => defaultWinograd()).toThrow(/SSAM_WINOGRAD must be 0 or 1, got "off"/);
    } finally {
      if (saved === undefined) delete process.env.SSAM_WINOGRAD;
      else process.env.SSAM_WINOGRAD = saved;
    }
  });
});
