import { describe, expect, it } from 'vitest';
import { fc, test } from '@fast-check/vitest';
import { abs, conv2d, conv2dBackInput, matmul, mul, ones, referenceBackend, tensor, withBackend, type Tensor } from '@ssam/tensor';
import { expectAllClose, expectWithinSumBound } from '@ssam/tensor/testing';
import { compressNM } from './compress.js';
import { nmMatmul, nmMatmulT } from './kernels.js';
import { nmConv2dBackInput } from './conv.js';
import { arbNMCase } from '../test/arb.js';

const arbRows = fc.integer({ min: 1, max: 4 });
const floats = (k: number) => fc.array(fc.float({ min: -3, max: 3, noNaN: true, noDefaultInfinity: true }), { minLength: k, maxLength: k });
const plain = (t: { toArray(): ArrayLike<number> }) => Array.from(t.toArray(), (v) => v + 0);

// Bit-exact against the reference backend (the semantics; it also sums in float64, in order).
describe('nmMatmul / nmMatmulT equal the dense products with W ⊙ M', () => {
  test.prop([arbNMCase({ rank: 2 }).chain((c) => fc.tuple(fc.constant(c), arbRows.chain((b) => floats(b * c.w.shape[1]!).map((v) => tensor(v, [b, c.w.shape[1]!])))))], { numRuns: 60 })(
    'y = x · (W ⊙ M)ᵀ, both axes, 2:4 and 1:2',
    ([{ w, mask, n, m, axis }, x]) => {
      const got = nmMatmul(x, compressNM(w, mask, { n, m, axis }));
      expect(plain(got)).toEqual(plain(withBackend(referenceBackend, () => matmul(x, mul(w, mask), { transposeB: true }))));
    },
  );

  test.prop([arbNMCase({ rank: 2 }).chain((c) => fc.tuple(fc.constant(c), arbRows.chain((b) => floats(b * c.w.shape[0]!).map((v) => tensor(v, [b, c.w.shape[0]!])))))], { numRuns: 60 })(
    'dx = dy · (W ⊙ M), both axes, 2:4 and 1:2',
    ([{ w, mask, n, m, axis }, dy]) => {
      const got = nmMatmulT(dy, compressNM(w, mask, { n, m, axis }));
      expect(plain(got)).toEqual(plain(withBackend(referenceBackend, () => matmul(dy, mul(w, mask)))));
    },
  );

  it('keeps leading batch dims and rejects mismatched shapes', () => {
    const w = tensor([1, 2, 3, 4, 5, 6, 7, 8], [2, 4]);
    const c = compressNM(w, ones([2, 4]), { n: 4, m: 4 });
    expect(nmMatmul(ones([3, 2, 4]), c).shape).toEqual([3, 2, 2]);
    expect(() => nmMatmul(ones([3, 5]), c)).toThrow(/nmMatmul: x must have shape \[\.\.\., 4\]/);
    expect(() => nmMatmulT(ones([3, 4]), c)).toThrow(/nmMatmulT: dy must have shape \[\.\.\., 2\]/);
  });
});

const arbConvCase = arbNMCase({ rank: 4 }).chain((c) =>
  fc.record({
    c: fc.constant(c),
    batch: fc.integer({ min: 1, max: 2 }),
    h: fc.integer({ min: 3, max: 6 }),
    w: fc.integer({ min: 3, max: 6 }),
    stride: fc.constantFrom(1, 2),
    dilation: fc.constantFrom(1, 2),
    padding: fc.constantFrom<'valid' | 'same' | number>('valid', 'same', 1),
    groups: fc.constantFrom(1, 1, 2, 3),
    seed: fc.integer(),
  }),
);

describe('nmConv2dBackInput equals conv2dBackInput with W ⊙ M', () => {
  test.prop([arbConvCase], { numRuns: 60 })('random shapes, strides, dilations, paddings, groups, both axes and ratios', ({ c, batch, h, w, stride, dilation, padding, groups, seed }) => {
    const [O, I, KH, KW] = c.w.shape as [number, number, number, number];
    if ((KH - 1) * dilation + 1 > h + 2 || (KW - 1) * dilation + 1 > w + 2) return;
    const G = O % groups === 0 ? groups : 1;
    const opts = { stride, dilation, padding, groups: G };
    const xShape = [batch, G * I, h, w];
    let yShape: readonly number[];
    try {
      yShape = conv2d(ones(xShape), c.w, opts).shape;
    } catch {
      return; // the filter does not fit: not a case for the backward op
    }
    let s = seed >>> 0;
    const dyv = Array.from({ length: yShape.reduce((a, b) => a * b, 1) }, () => ((s = (s * 1664525 + 1013904223) >>> 0) / 2 ** 32) * 2 - 1);
    const dy = tensor(dyv, yShape);
    const got = nmConv2dBackInput(dy, compressNM(c.w, c.mask, { n: c.n, m: c.m, axis: c.axis }), xShape, opts);
    // float32 accumulation into dx: within the float32 error bound of a sum of (O / G)·kH·kW terms
    const wm = mul(c.w, c.mask);
    const ref = (a: Tensor, b: Tensor) => withBackend(referenceBackend, () => conv2dBackInput(a, b, xShape, opts));
    expectWithinSumBound(got, ref(dy, wm), ref(abs(dy), abs(wm)), (O / G) * KH * KW);
    expect(O).toBeGreaterThan(0);
  });
});
