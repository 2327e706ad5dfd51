import { afterAll, describe, expect, it } from 'vitest';
import { withBackend } from '../../backend.js';
import { conv2d, conv2dBackFilter, conv2dBackInput, convAttrs, type Conv2dOptions } from '../../ops/conv.js';
import { exp, log, add, mul, maximum, where, greater, sub, div } from '../../ops/elementwise.js';
import { matmul } from '../../ops/linalg.js';
import { avgPool2d, avgPool2dBackward, maxPool2d, maxPool2dBackward, poolAttrs, type Pool2dOptions } from '../../ops/pool.js';
import { max, sum } from '../../ops/reduce.js';
import { tensor } from '../../ops/creation.js';
import { compareTensors, seededTensor } from '../../testing/conformance.js';
import type { Tensor } from '../../tensor.js';
import { referenceBackend } from '../reference/index.js';
import { createWasmBackend } from './backend.js';

// Shapes the shared suite does not reach: blocking boundaries of the GEMM (KC = 256, MC = 120,
// MR = 5, NR = 8), several im2col bands, more images than back-filter parts, the SIMD pooling path
// with ragged widths, tensors big enough to be split across threads. Every case is compared with
// the reference and, bit for bit, across 1, 2 and 3 threads.
const forced = { minElements: 0, minParallelWork: 0 };
const backends = [
  createWasmBackend({ threads: 1, ...forced }),
  createWasmBackend({ threads: 2, ...forced }),
  createWasmBackend({ threads: 3, ...forced }),
];
afterAll(() => backends.forEach((b) => b.dispose()));

let seed = 1;
const R = (shape: number[], min = -1, max = 1) => seededTensor(shape, seed++, { min, max });

function check(name: string, f: () => Tensor, tolScale = 1): void {
  it(name, () => {
    const want = withBackend(referenceBackend, f);
    const outs = backends.map((b) => withBackend(b, f));
    const diff = compareTensors(outs[0]!, want, 1e-5, 1e-6 * tolScale);
    expect(diff, `${name}: ${diff}`).toBe('');
    const first = new Uint32Array(outs[0]!.toArray().buffer);
    for (const [t, o] of outs.entries()) {
      const bits = new Uint32Array(o.toArray().buffer);
      const i = bits.findIndex((v, j) => v !== first[j]);
      expect(i, `${name}: ${t + 1} threads differ from 1 thread at element ${i}`).toBe(-1);
    }
  });
}

describe('matmul blocking edges', () => {
  for (const [m, k, n] of [[1, 1, 1], [5, 8, 8], [6, 9, 9], [121, 257, 17], [250, 600, 33], [4, 513, 130], [37, 3, 1000], [1, 300, 70], [70, 300, 1], [1, 5000, 1], [2, 784, 3]])
    for (const [ta, tb] of [[false, false], [true, false], [false, true], [true, true]] as const) {
      const a = R(ta ? [k!, m!] : [m!, k!]), b = R(tb ? [n!, k!] : [k!, n!]);
      check(`[${m}, ${k}] · [${k}, ${n}] ta=${ta} tb=${tb}`, () => matmul(a, b, { transposeA: ta, transposeB: tb }), k);
    }
  const a = R([3, 1, 20, 30]), b = R([4, 30, 11]);
  check('batched broadcast [3, 1, 20, 30] · [4, 30, 11]', () => matmul(a, b), 30);
  const v1 = R([3, 1, 30]), v2 = R([30, 11]), v3 = R([4, 30, 1]);
  check('batched vector · matrix [3, 1, 30] · [30, 11]', () => matmul(v1, v2), 30);
  check('batched matrix · vector [30, 11]ᵀ · [4, 30, 1]', () => matmul(v2, v3, { transposeA: true }), 30);
  const a2 = R([20, 30]), bt = R([2, 11, 30]);
  check('batched a broadcast [20, 30] · [2, 11, 30]ᵀ', () => matmul(a2, bt, { transposeB: true }), 30);
  const [e1, e2, e3, e4, e5, e6] = [R([0, 4]), R([4, 3]), R([3, 4]), R([4, 0]), R([9, 0]), R([0, 11])];
  check('empty m', () => matmul(e1, e2));
  check('empty n', () => matmul(e3, e4));
  check('empty k gives zeros', () => matmul(e5, e6));
});

describe('convolution edges', () => {
  const CONVS: [string, number[], number[], Conv2dOptions][] = [
    ['several im2col bands (K·Wo > 64k floats)', [2, 40, 6, 200], [3, 40, 3, 3], { padding: 1 }],
    ['bands with stride 2 and dilation 2', [1, 30, 9, 300], [4, 30, 3, 3], { stride: 2, dilation: 2, padding: 2 }],
    ['37 images: more than 16 back-filter parts', [37, 2, 5, 5], [3, 2, 3, 3], { padding: 1 }],
    ['groups 4 with odd channels per group', [3, 12, 7, 9], [8, 3, 3, 2], { groups: 4, padding: [[1, 0], [0, 1]] }],
    ['pointwise with groups', [2, 6, 5, 7], [9, 2, 1, 1], { groups: 3 }],
    ['pointwise with stride 2', [2, 4, 6, 6], [5, 4, 1, 1], { stride: 2 }],
    ['filter larger than the image', [2, 3, 2, 3], [4, 3, 5, 5], { padding: 2 }],
    ['stride larger than the filter', [1, 3, 13, 11], [2, 3, 2, 2], { stride: [4, 3] }],
    ['many output channels (M > MC)', [2, 3, 6, 6], [130, 3, 3, 3], { padding: 1 }],
    ['the CNN benchmark layer (smaller batch)', [4, 16, 16, 16], [32, 16, 3, 3], { padding: 1 }],
  ];
  for (const [label, xs, ws, opts] of CONVS) {
    const [, ys] = convAttrs('test', xs, ws, opts);
    const x = R(xs), w = R(ws), dy = R(ys);
    const taps = ws[1]! * ws[2]! * ws[3]!;
    check(`conv2d: ${label}`, () => conv2d(x, w, opts), taps);
    check(`conv2dBackInput: ${label}`, () => conv2dBackInput(dy, w, xs, opts), taps * ws[0]!);
    check(`conv2dBackFilter: ${label}`, () => conv2dBackFilter(x, dy, ws, opts), xs[0]! * ys[2]! * ys[3]!);
  }
});

describe('pooling edges', () => {
  const POOLS: [string, number[], Pool2dOptions][] = [
    ['2×2/2 SIMD path, width 13 (ragged tail), odd height', [2, 3, 9, 13], { kernel: 2 }],
    ['2×2/2 with 40 planes', [5, 8, 8, 8], { kernel: 2 }],
    ['3×3/1 overlapping, padding 1', [2, 2, 7, 5], { kernel: 3, stride: 1, padding: 1 }],
    ['kernel [1, 4], stride [1, 4]', [1, 3, 4, 17], { kernel: [1, 4] }],
    ['2×2/2 with bottom/right padding (windows hang over the edge)', [2, 2, 5, 7], { kernel: 2, padding: [[0, 1], [0, 1]] }],
    ['2×2/2 on a single row with right padding', [1, 1, 1, 7], { kernel: 2, padding: [[0, 1], [0, 1]] }],
  ];
  for (const [label, xs, opts] of POOLS) {
    const [, ys] = poolAttrs('test', xs, opts);
    const x = R(xs), ties = seededTensor(xs, seed++, { min: 0, max: 2, integers: true }), dy = R(ys);
    check(`maxPool2d: ${label}`, () => maxPool2d(x, opts));
    check(`maxPool2d with ties: ${label}`, () => maxPool2d(ties, opts));
    check(`maxPool2dBackward with ties: ${label}`, () => maxPool2dBackward(dy, ties, opts), 9);
    check(`avgPool2d: ${label}`, () => avgPool2d(x, { ...opts, countIncludePad: false }), 9);
    check(`avgPool2dBackward: ${label}`, () => avgPool2dBackward(dy, xs, opts), 9);
  }
  const nan = tensor([NaN, 1, 2, 3, 4, NaN, 5, -Infinity, -Infinity, -Infinity, 0, -0, -0, 0, 7, 7], [1, 1, 2, 8]);
  check('maxPool2d SIMD path: NaN, −∞ and signed zeros', () => maxPool2d(nan, { kernel: 2 }));
  const dnan = R([1, 1, 1, 4]);
  check('maxPool2dBackward SIMD-shaped: NaN routes to the NaN', () => maxPool2dBackward(dnan, nan, { kernel: 2 }));
});

describe('elementwise and reduction edges', () => {
  const big = R([300, 1000]), row = R([1000]), col = R([300, 1]), big4 = R([16, 8, 16, 16]);
  check('add: a large [300, 1000] + [1000] (split across threads)', () => add(big, row));
  check('mul: [300, 1000] · [300, 1]', () => mul(big, col));
  check('maximum with a scalar (relu)', () => maximum(big, 0));
  check('where(x > 0, g, 0) (relu gradient)', () => where(greater(big, 0), col, 0));
  const [s1, s2, s3] = [R([2, 1, 3, 1, 5, 1]), R([2, 1, 3, 1, 5]), R([1, 2, 1, 3, 1, 1], 0.5, 2)];
  check('sub/div broadcast over six axes (falls back past four collapsed axes)', () => div(sub(s1, s2), s3));
  const special = tensor([0, -0, 1e-38, 1e-45, -1, 88.7, 89, -87.3, -104, Infinity, -Infinity, NaN, 0.5, 2, 1e30, 3e-39]);
  check('exp of special values', () => exp(special));
  check('log of special values', () => log(special));
  const r10k = R([10000], -20, 20);
  check('exp of [10000] random', () => exp(r10k));
  check('sum over the rows of [300, 1000]', () => sum(big, { axes: [1] }), 1000);
  check('sum over the batch of [300, 1000] (bias gradient)', () => sum(big, { axes: [0] }), 300);
  check('sum over all of [300, 1000]', () => sum(big), 3e5);
  const [m1, m2, m3, m4] = [R([4, 300, 25]), R([6, 5, 70]), R([70, 1, 3]), R([3, 4, 5, 6])];
  check('max over the middle of [4, 300, 25]', () => max(m1, { axes: [1], keepdims: true }));
  check('sum over axes [0, 2] of [6, 5, 70] (both sides of the kept axis)', () => sum(m2, { axes: [0, 2] }), 420);
  check('max over axes [0, 2] of [6, 5, 70]', () => max(m2, { axes: [0, 2], keepdims: true }));
  check('bias gradient: sum of NCHW over [0, 2, 3]', () => sum(big4, { axes: [0, 2, 3], keepdims: true }), 4096);
  check('sum over axes [0, 2] of [3, 4, 5, 6] (reduced, kept, reduced, kept: reference fallback)', () => sum(m4, { axes: [0, 2] }), 15);
  check('sum over size-1 axes only', () => sum(m3, { axes: [1] }));
});

describe('memory', () => {
  it('repeated kernels reuse the arena: wasm memory stops growing', () => {
    const b = backends[1]!;
    const x = R([8, 8, 12, 12]), w = R([16, 8, 3, 3]);
    const step = () => withBackend(b, () => sum(maxPool2d(maximum(conv2d(x, w, { padding: 1 }), 0), { kernel: 2 })));
    for (let i = 0; i < 3; i++) step();
    const before = b.memoryBytes();
    for (let i = 0; i < 50; i++) step();
    expect(b.memoryBytes()).toBe(before);
  });
});

describe('operand cache', () => {
  // A tiny ring (64 KiB) wraps every few kernels, so stale cache entries would show up at once.
  const tiny = [createWasmBackend({ threads: 1, ...forced, cacheBytes: 1 << 16 }), createWasmBackend({ threads: 2, ...forced, cacheBytes: 1 << 16 })];
  afterAll(() => tiny.forEach((b) => b.dispose()));
  const chain = (x: Tensor, w: Tensor) => {
    let h = x;
    const keep: Tensor[] = [];
    for (let i = 0; i < 12; i++) {
      h = maximum(add(matmul(h, w), i % 3 === 0 ? h : keep[i - 1] ?? h), 0);
      keep.push(h);
    }
    // reuse early results after the ring has wrapped many times
    return keep.reduce((acc, t, i) => (i % 4 === 0 ? sub(acc, mul(t, 0.5)) : acc), h);
  };
  const x = R([40, 40]), w = R([40, 40], -0.2, 0.2);
  it('reuses operands made by earlier kernels and gives the reference result when the ring wraps', () => {
    const want = withBackend(referenceBackend, () => chain(x, w));
    for (const b of [...tiny, backends[0]!]) {
      const got = withBackend(b, () => chain(x, w));
      expect(compareTensors(got, want, 1e-5, 1e-4)).toBe('');
    }
    const stats = tiny[0]!.copyStats();
    expect(stats.reused).toBeGreaterThan(0);
    expect(backends[0]!.copyStats().reused).toBeGreaterThan(0);
  });
});
