import { fc, test } from '@fast-check/vitest';
import { afterAll, describe, expect } from 'vitest';
import { withBackend } from '../../backend.js';
import { conv2d, conv2dBackFilter, conv2dBackInput, convAttrs } from '../../ops/conv.js';
import { matmul } from '../../ops/linalg.js';
import { maxPool2d, maxPool2dBackward, poolAttrs } from '../../ops/pool.js';
import { compareTensors, seededTensor } from '../../testing/conformance.js';
import type { Tensor } from '../../tensor.js';
import { referenceBackend } from '../reference/index.js';
import { createWasmBackend } from './backend.js';

// Laws over random geometries: (1) the wasm kernels agree with the reference within float32
// accumulation error; (2) the result does not depend on the thread count, bit for bit (every
// chunking of the work runs the same per-element arithmetic).
const forced = { minElements: 0, minParallelWork: 0 };
const one = createWasmBackend({ threads: 1, ...forced });
const two = createWasmBackend({ threads: 2, ...forced });
afterAll(() => [one, two].forEach((b) => b.dispose()));

function agree(f: () => Tensor, tolScale: number): void {
  const want = withBackend(referenceBackend, f);
  const a = withBackend(one, f), b = withBackend(two, f);
  expect(compareTensors(a, want, 1e-5, 1e-6 * tolScale)).toBe('');
  const x = new Uint32Array(a.toArray().buffer), y = new Uint32Array(b.toArray().buffer);
  expect(x.findIndex((v, i) => v !== y[i])).toBe(-1);
}

const dim = (max: number) => fc.integer({ min: 1, max });

describe('wasm backend laws', () => {
  test.prop([dim(3), dim(40), dim(40), dim(40), fc.boolean(), fc.boolean(), fc.integer({ min: 0, max: 1000 })], { numRuns: 40 })(
    'matmul (batched, transposed) agrees with the reference and with itself across thread counts',
    (batch, m, k, n, ta, tb, seed) => {
      const a = seededTensor(ta ? [batch, k, m] : [batch, m, k], seed), b = seededTensor(tb ? [n, k] : [k, n], seed + 1);
      agree(() => matmul(a, b, { transposeA: ta, transposeB: tb }), k);
    },
  );

  const geometry = fc
    .record({
      n: dim(3), groups: dim(3), cg: dim(3), og: dim(3), h: dim(9), w: dim(9), kh: dim(3), kw: dim(3),
      sh: dim(3), sw: dim(3), dh: dim(2), dw: dim(2), ph: fc.integer({ min: 0, max: 2 }), pw: fc.integer({ min: 0, max: 2 }),
      seed: fc.integer({ min: 0, max: 1000 }),
    })
    .filter((g) => g.h + 2 * g.ph >= (g.kh - 1) * g.dh + 1 && g.w + 2 * g.pw >= (g.kw - 1) * g.dw + 1);

  test.prop([geometry], { numRuns: 40 })('conv2d and both backward convolutions, any geometry', (g) => {
    const xs = [g.n, g.cg * g.groups, g.h, g.w], ws = [g.og * g.groups, g.cg, g.kh, g.kw];
    const opts = { stride: [g.sh, g.sw] as [number, number], dilation: [g.dh, g.dw] as [number, number], padding: [g.ph, g.pw] as [number, number], groups: g.groups };
    const [, ys] = convAttrs('test', xs, ws, opts);
    const x = seededTensor(xs, g.seed), w = seededTensor(ws, g.seed + 1), dy = seededTensor(ys, g.seed + 2);
    const taps = g.cg * g.kh * g.kw;
    agree(() => conv2d(x, w, opts), taps);
    agree(() => conv2dBackInput(dy, w, xs, opts), taps * g.og);
    agree(() => conv2dBackFilter(x, dy, ws, opts), g.n * ys[2]! * ys[3]!);
  });

  test.prop([dim(2), dim(3), dim(12), dim(12), dim(3), dim(3), dim(3), fc.integer({ min: 0, max: 1000 })], { numRuns: 40 })(
    'max pooling routes the gradient to the window maximum, with ties, on any window',
    (n, c, h, w, k, s, ints, seed) => {
      const kernel = Math.min(k, h, w);
      const xs = [n, c, h, w];
      const opts = { kernel, stride: s };
      const [, ys] = poolAttrs('test', xs, opts);
      const x = seededTensor(xs, seed, { min: 0, max: ints, integers: true }), dy = seededTensor(ys, seed + 1);
      agree(() => maxPool2d(x, opts), 1);
      agree(() => maxPool2dBackward(dy, x, opts), kernel * kernel);
    },
  );
});
