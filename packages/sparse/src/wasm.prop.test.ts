import { describe, expect, it } from 'vitest';
import { fc, test } from '@fast-check/vitest';
import { abs, conv2d, conv2dBackInput, matmul, mul, ones, referenceBackend, tensor, withBackend, zeros, type Conv2dOptions, type Tensor } from '@ssam/tensor';
import { nmMask } from '@ssam/masks';
import { expectWithinSumBound } from '@ssam/tensor/testing';
import { compressNM, compressView } from './compress.js';
import { nmConv2dBackInputWasm, nmMatmulTWasm, nmMatmulWasm, wasmAvailable } from './wasm.js';
import { arbNMCase } from '../test/arb.js';

// float32 sums in the kernel vs float64 in the reference: equal to rounding, within the float32
// error bound of a sum (a fixed tolerance fails now and then on sums whose large terms cancel).
const arbRows = fc.integer({ min: 1, max: 40 });
const floats = (k: number) => fc.array(fc.float({ min: -3, max: 3, noNaN: true, noDefaultInfinity: true }), { minLength: k, maxLength: k });
const ref = <T>(f: () => T): T => withBackend(referenceBackend, f);

describe('WebAssembly SIMD kernels equal the dense products with W ⊙ M', () => {
  it('the module is built by the vitest globalSetup', () => expect(wasmAvailable()).toBe(true));

  test.prop([arbNMCase({ rank: 2 }).chain((c) => fc.tuple(fc.constant(c), arbRows.chain((b) => floats(b * c.w.shape[1]!).map((v) => tensor(v, [b, c.w.shape[1]!])))))], { numRuns: 60 })(
    'nmMatmulWasm: y = x · (W ⊙ M)ᵀ, both axes, 2:4 and 1:2',
    ([{ w, mask, n, m, axis }, x]) => {
      const wm = mul(w, mask);
      const want = ref(() => matmul(x, wm, { transposeB: true })), bound = ref(() => matmul(abs(x), abs(wm), { transposeB: true }));
      expectWithinSumBound(nmMatmulWasm(x, compressNM(w, mask, { n, m, axis })), want, bound, w.shape[1]!);
    },
  );

  test.prop([arbNMCase({ rank: 2 }).chain((c) => fc.tuple(fc.constant(c), arbRows.chain((b) => floats(b * c.w.shape[0]!).map((v) => tensor(v, [b, c.w.shape[0]!])))))], { numRuns: 60 })(
    'nmMatmulTWasm: dx = dy · (W ⊙ M), both axes, 2:4 and 1:2',
    ([{ w, mask, n, m, axis }, dy]) => {
      const wm = mul(w, mask);
      expectWithinSumBound(nmMatmulTWasm(dy, compressNM(w, mask, { n, m, axis })), ref(() => matmul(dy, wm)), ref(() => matmul(abs(dy), abs(wm))), w.shape[0]!);
    },
  );

  test.prop([arbNMCase({ rank: 2 }).chain((c) => fc.tuple(fc.constant(c), arbRows.chain((b) => floats(b * c.w.shape[0]!).map((v) => tensor(v, [b, c.w.shape[0]!])))))], { numRuns: 60 })(
    'compressView (no gather: the kernel reads the dense weight) gives the bits of compressNM, and the same values when read',
    ([{ w, mask, n, m, axis }, dy]) => {
      const view = compressView(w, mask, { n, m, axis }), full = compressNM(w, mask, { n, m, axis });
      expect(Array.from(nmMatmulTWasm(dy, view).toArray())).toEqual(Array.from(nmMatmulTWasm(dy, full).toArray()));
      expect(Array.from(nmMatmulWasm(dy.shape[1] === w.shape[1] ? dy : tensor(new Array(w.shape[1]!).fill(0.5), [1, w.shape[1]!]), view).toArray())).toEqual(
        Array.from(nmMatmulWasm(dy.shape[1] === w.shape[1] ? dy : tensor(new Array(w.shape[1]!).fill(0.5), [1, w.shape[1]!]), full).toArray()),
      );
      expect(Array.from(view.values)).toEqual(Array.from(full.values));
      expect(view.positions).toBe(full.positions);
    },
  );

  const arbConv = arbNMCase({ rank: 4 }).chain((c) =>
    fc.record({
      c: fc.constant(c),
      batch: fc.integer({ min: 1, max: 3 }),
      h: fc.integer({ min: 1, max: 9 }),
      w: fc.integer({ min: 1, max: 9 }),
      stride: fc.constantFrom<number | [number, number]>(1, 1, 2, 3, [2, 1], [1, 3]),
      dilation: fc.constantFrom<number | [number, number]>(1, 1, 2, [1, 2]),
      padding: fc.constantFrom<'valid' | 'same' | number | [[number, number], [number, number]]>('valid', 'same', 1, 3, [[0, 2], [1, 0]], [[2, 0], [0, 1]]),
      // conv groups (used when they divide the filter's output channels)
      groups: fc.constantFrom(1, 1, 2, 3),
      seed: fc.integer(),
    }),
  );
  const lcg = (seed: number, n: number): number[] => {
    let s = seed >>> 0;
    return Array.from({ length: n }, () => ((s = (s * 1664525 + 1013904223) >>> 0) / 2 ** 32) * 2 - 1);
  };
  /** Checks one case; false when the filter does not fit the input (no case). */
  const checkConv = (w: Tensor, mask: Tensor, ratio: { n: number; m: number; axis: 'in' | 'out' }, xShape: number[], opts: Conv2dOptions, seed: number): boolean => {
    let yShape: readonly number[];
    try {
      yShape = conv2d(ones(xShape), w, opts).shape;
    } catch {
      return false; // the filter does not fit this input
    }
    const dy = tensor(lcg(seed, yShape.reduce((a, b) => a * b, 1)), yShape);
    const got = nmConv2dBackInputWasm(dy, compressNM(w, mask, ratio), xShape, opts);
    const wm = mul(w, mask), terms = (w.shape[0]! / (opts.groups ?? 1)) * w.shape[2]! * w.shape[3]!;
    expectWithinSumBound(got, ref(() => conv2dBackInput(dy, wm, xShape, opts)), ref(() => conv2dBackInput(abs(dy), abs(wm), xShape, opts)), terms);
    // the gather-free compression (the kernel reads the dense weight) gives the same bits
    expect(Array.from(nmConv2dBackInputWasm(dy, compressView(w, mask, ratio), xShape, opts).toArray())).toEqual(Array.from(got.toArray()));
    return true;
  };
  test.prop([arbConv], { numRuns: 120 })(
    'nmConv2dBackInputWasm: random shapes, strides (stride phases), paddings, dilations, groups, both axes and ratios',
    ({ c, batch, h, w, stride, dilation, padding, groups, seed }) => {
      const G = c.w.shape[0]! % groups === 0 ? groups : 1;
      checkConv(c.w, c.mask, c, [batch, G * c.w.shape[1]!, h, w], { stride, dilation, padding, groups: G }, seed);
    },
  );

  // Wider layers: many 4-row blocks and lists, q spans longer than one kernel chunk, several image
  // blocks (the batch is cut so that a block's planes stay in L2), odd channel counts for 1:2.
  const arbWide = fc
    .constantFrom([2, 4] as const, [1, 2] as const)
    .chain((ratio) =>
      fc.record({
        ratio: fc.constant(ratio),
        axis: fc.constantFrom('in' as const, 'out' as const),
        // multiples of m; for 1:2 odd group counts (a 4-row block with one group)
        o: ratio[1] === 4 ? fc.constantFrom(4, 8, 12) : fc.constantFrom(2, 6, 10),
        i: ratio[1] === 4 ? fc.constantFrom(4, 12, 20) : fc.constantFrom(6, 10, 14),
        stride: fc.constantFrom(1, 2),
        seed: fc.integer(),
      }),
    );
  test.prop([arbWide], { numRuns: 6 })('nmConv2dBackInputWasm: wider layers and batches over several image blocks', ({ ratio: [n, m], axis, o, i, stride, seed }) => {
    const shape = [o, i, 3, 3];
    const w = tensor(lcg(seed, 9 * o * i), shape);
    const mask = nmMask({ s: tensor(lcg(seed + 1, 9 * o * i), shape) }, { n, m, axis }).s as Tensor;
    expect(checkConv(w, mask, { n, m, axis }, [70, i, 30, 30], { stride, padding: 1 }, seed + 2)).toBe(true);
  });

  it('grouped convolutions: pair kernel (channels per group a multiple of 4), CSR (1:2 with 2 or 6 per group), both axes, strides', () => {
    const cases: [number, number, number, [number, number], 'in' | 'out', number][] = [
      // [groups, out per group, in per group, ratio, axis, stride]
      [2, 4, 4, [2, 4], 'in', 1], [3, 4, 8, [2, 4], 'in', 2], [2, 2, 2, [1, 2], 'in', 1], [3, 6, 6, [1, 2], 'in', 2],
      [2, 4, 3, [2, 4], 'out', 1], [4, 2, 5, [1, 2], 'out', 2], [2, 6, 4, [1, 2], 'out', 1],
    ];
    cases.forEach(([G, og, ig, [n, m], axis, stride], k) => {
      const shape = [G * og, ig, 3, 3], size = shape.reduce((a, b) => a * b, 1);
      const w = tensor(lcg(10 + k, size), shape);
      const mask = nmMask({ s: tensor(lcg(20 + k, size), shape) }, { n, m, axis }).s as Tensor;
      expect(checkConv(w, mask, { n, m, axis }, [3, G * ig, 9, 7], { stride, padding: 1, groups: G }, 30 + k)).toBe(true);
    });
  });

  it('refuses groups that do not divide the output channels, naming the op and the value', () => {
    const w = tensor(lcg(1, 4 * 4 * 9), [4, 4, 3, 3]);
    const c = compressNM(w, nmMask({ s: w }, { n: 2, m: 4, axis: 'in' }).s as Tensor, { n: 2, m: 4, axis: 'in' });
    const dy = zeros([1, 4, 5, 5]);
    expect(() => nmConv2dBackInputWasm(dy, c, [1, 12, 5, 5], { padding: 1, groups: 3 })).toThrow(
      /nmConv2dBackInputWasm: groups must be a positive integer that divides the filter's 4 output channels, got 3/,
    );
    expect(() => nmConv2dBackInputWasm(dy, c, [1, 8, 5, 5], { padding: 1, groups: 1 })).toThrow(/inputShape \[1, 8, 5, 5\] must be \[N, 4, H, W\] for the filter \[4, 4, 3, 3\]/);
    expect(() => nmConv2dBackInputWasm(dy, c, [1, 4, 5, 5], { padding: 1, groups: 2 })).toThrow(/must be \[N, 8, H, W\] for the filter \[4, 4, 3, 3\] with groups = 2/);
  });

  it('an empty reduced axis gives zeros of the output shape', () => {
    const out = compressNM(zeros([0, 4]), zeros([0, 4]), { n: 2, m: 4, axis: 'out' });
    expect(nmMatmulTWasm(zeros([3, 0]), out).shape).toEqual([3, 4]);
    expect(Array.from(nmMatmulTWasm(zeros([3, 0]), out).toArray())).toEqual(new Array(12).fill(0));
    const inn = compressNM(zeros([4, 0]), zeros([4, 0]), { n: 2, m: 4, axis: 'in' });
    expect(Array.from(nmMatmulWasm(zeros([2, 0]), inn).toArray())).toEqual(new Array(8).fill(0));
  });
});
