import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { fc, test } from '@fast-check/vitest';
import { conv2dBackInput, mul, random, tensor, type Tensor } from '@ssam/tensor';
import { expectAllClose } from '@ssam/tensor/testing';
import { nmMask } from '@ssam/masks';
import { compressNM } from './compress.js';
import { nmConv2dBackInputWasm, nmMatmulTWasm, nmMatmulWasm } from './wasm.js';
import { need } from './wasm-module.js';
import { setSparseThreads, sparseThreads } from './wasm-threads.js';

// The threaded kernels split the output into fixed pieces (q ranges, image blocks), each summed
// by one thread in the one-thread order: 2 threads must give the same BITS as 1 thread. Shapes
// are big enough to pass the fork-join threshold and to span several image blocks.
const bits = (t: Tensor): Uint32Array => new Uint32Array(new Float32Array(t.toArray() as number[]).buffer);
function both(f: () => Tensor): [Uint32Array, Uint32Array] {
  setSparseThreads(1);
  const one = bits(f());
  setSparseThreads(2);
  const two = bits(f());
  setSparseThreads(undefined);
  return [one, two];
}
const arbRatio = fc.constantFrom({ n: 2, m: 4 }, { n: 1, m: 2 }, { n: 1, m: 4 });
const arbAxis = fc.constantFrom<'in' | 'out'>('in', 'out');

describe('sparse kernels on worker threads', () => {
  // start the worker now and wait until it runs, so the 2-thread runs below really fork
  beforeAll(async () => {
    const pool = need('test').pool;
    pool.ensure(2);
    for (let i = 0; i < 500 && pool.readyWorkers() < 1; i++) await new Promise((r) => setTimeout(r, 10));
  });
  afterAll(() => setSparseThreads(undefined));

  it('follows the dense backend unless fixed', () => {
    setSparseThreads(3);
    expect(sparseThreads()).toBe(3);
    setSparseThreads(undefined);
    expect(sparseThreads()).toBeGreaterThanOrEqual(1);
    expect(() => setSparseThreads(0)).toThrow(/positive integer/);
  });

  test.prop([arbRatio, arbAxis, fc.integer({ min: 1, max: 6 }), fc.integer({ min: 1, max: 6 }), fc.integer({ min: 40, max: 150 }), fc.integer()], { numRuns: 12 })(
    'nmMatmulWasm / nmMatmulTWasm: 2 threads give the 1-thread bits',
    (ratio, axis, r, c, b, seed) => {
      const [R, C] = [32 * r, 32 * c];
      const k = random.split(random.key(seed), 4);
      const w = random.normal(k[0]!, [R, C]);
      const mask = nmMask({ s: random.normal(k[1]!, [R, C]) }, { ...ratio, axis }).s as Tensor;
      const cw = compressNM(w, mask, { ...ratio, axis });
      const x = random.normal(k[2]!, [b, C]), dy = random.normal(k[3]!, [b, R]);
      const [y1, y2] = both(() => nmMatmulWasm(x, cw));
      expect(y2).toEqual(y1);
      const [z1, z2] = both(() => nmMatmulTWasm(dy, cw));
      expect(z2).toEqual(z1);
    },
  );

  test.prop(
    [
      arbRatio,
      fc.constantFrom(8, 16),
      fc.constantFrom(8, 16),
      fc.integer({ min: 64, max: 128 }),
      fc.integer({ min: 10, max: 16 }),
      fc.constantFrom(1, 2),
      fc.constantFrom<1 | 'same' | 'valid'>(1, 'same', 'valid'),
      fc.constantFrom(1, 1, 2),
      fc.integer(),
    ],
    { numRuns: 8 },
  )('nmConv2dBackInputWasm: 2 threads give the 1-thread bits (several image blocks, strides, groups)', (ratio, O, I, N, hw, stride, padding, groups, seed) => {
    const k = random.split(random.key(seed), 3);
    const Ig = I / groups; // the same work with and without groups
    const w = random.normal(k[0]!, [O, Ig, 3, 3]);
    const mask = nmMask({ s: random.normal(k[1]!, [O, Ig, 3, 3]) }, { ...ratio, axis: 'in' }).s as Tensor;
    const cw = compressNM(w, mask, { ...ratio, axis: 'in' });
    const opts = { stride, padding, groups };
    const ho = padding === 'valid' ? Math.floor((hw - 3) / stride) + 1 : padding === 1 ? Math.floor((hw - 1) / stride) + 1 : Math.ceil(hw / stride);
    const dy = random.normal(k[2]!, [N, O, ho, ho]);
    const [a, b] = both(() => nmConv2dBackInputWasm(dy, cw, [N, I, hw, hw], opts));
    expect(b).toEqual(a);
    // and both are the dense product with W ⊙ M (to float32 rounding)
    expectAllClose(tensor(Array.from(new Float32Array(b.buffer)), [N, I, hw, hw]), conv2dBackInput(dy, mul(w, mask), [N, I, hw, hw], opts), { rtol: 1e-4, atol: 1e-4 });
  });

  it('runs chunks on a worker when 2 threads are asked for', () => {
    expect(need('test').pool.workerCount).toBeGreaterThanOrEqual(1);
    expect(need('test').pool.workerChunks()).toBeGreaterThan(0);
    expect(need('test').pool.workerErrors).toEqual([]);
  });
});
