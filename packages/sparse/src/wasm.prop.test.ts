import { describe, expect, it } from 'vitest';
import { fc, test } from '@fast-check/vitest';
import { conv2d, conv2dBackInput, matmul, mul, ones, referenceBackend, tensor, withBackend } from '@ssam/tensor';
import { expectAllClose } from '@ssam/tensor/testing';
import { compressNM } from './compress.js';
import { nmConv2dBackInputWasm, nmMatmulTWasm, nmMatmulWasm, wasmAvailable } from './wasm.js';
import { arbNMCase } from '../test/arb.js';

// float32 sums in the kernel vs float64 in the reference: equal to rounding.
const tol = { rtol: 1e-5, atol: 1e-5 };
const arbRows = fc.integer({ min: 1, max: 20 });
const floats = (k: number) => fc.array(fc.float({ min: -3, max: 3, noNaN: true, noDefaultInfinity: true }), { minLength: k, maxLength: k });
const ref = <T>(f: () => T): T => withBackend(referenceBackend, f);

describe('WebAssembly SIMD kernels equal the dense products with W ⊙ M', () => {
  it('the module is built by the vitest globalSetup', () => expect(wasmAvailable()).toBe(true));

  test.prop([arbNMCase({ rank: 2 }).chain((c) => fc.tuple(fc.constant(c), arbRows.chain((b) => floats(b * c.w.shape[1]!).map((v) => tensor(v, [b, c.w.shape[1]!])))))], { numRuns: 60 })(
    'nmMatmulWasm: y = x · (W ⊙ M)ᵀ, both axes, 2:4 and 1:2',
    ([{ w, mask, n, m, axis }, x]) => expectAllClose(nmMatmulWasm(x, compressNM(w, mask, { n, m, axis })), ref(() => matmul(x, mul(w, mask), { transposeB: true })), tol),
  );

  test.prop([arbNMCase({ rank: 2 }).chain((c) => fc.tuple(fc.constant(c), arbRows.chain((b) => floats(b * c.w.shape[0]!).map((v) => tensor(v, [b, c.w.shape[0]!])))))], { numRuns: 60 })(
    'nmMatmulTWasm: dx = dy · (W ⊙ M), both axes, 2:4 and 1:2',
    ([{ w, mask, n, m, axis }, dy]) => expectAllClose(nmMatmulTWasm(dy, compressNM(w, mask, { n, m, axis })), ref(() => matmul(dy, mul(w, mask))), tol),
  );

  const arbConv = arbNMCase({ rank: 4 }).chain((c) =>
    fc.record({
      c: fc.constant(c),
      batch: fc.integer({ min: 1, max: 3 }),
      h: fc.integer({ min: 3, max: 9 }),
      w: fc.integer({ min: 3, max: 9 }),
      stride: fc.constantFrom(1, 1, 2),
      dilation: fc.constantFrom(1, 2),
      padding: fc.constantFrom<'valid' | 'same' | number | [[number, number], [number, number]]>('valid', 'same', 1, 3, [[0, 2], [1, 0]]),
      seed: fc.integer(),
    }),
  );
  test.prop([arbConv], { numRuns: 80 })('nmConv2dBackInputWasm: random shapes, paddings, dilations (stride 2 falls back to TS)', ({ c, batch, h, w, stride, dilation, padding, seed }) => {
    const opts = { stride, dilation, padding };
    const xShape = [batch, c.w.shape[1]!, h, w];
    let yShape: readonly number[];
    try {
      yShape = conv2d(ones(xShape), c.w, opts).shape;
    } catch {
      return; // the filter does not fit this input
    }
    let s = seed >>> 0;
    const dy = tensor(Array.from({ length: yShape.reduce((a, b) => a * b, 1) }, () => ((s = (s * 1664525 + 1013904223) >>> 0) / 2 ** 32) * 2 - 1), yShape);
    const got = nmConv2dBackInputWasm(dy, compressNM(c.w, c.mask, { n: c.n, m: c.m, axis: c.axis }), xShape, opts);
    expectAllClose(got, ref(() => conv2dBackInput(dy, mul(c.w, c.mask), xShape, opts)), tol);
  });
});
