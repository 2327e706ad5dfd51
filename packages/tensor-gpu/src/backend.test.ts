import {
  add, argmax, concat, conv2d, conv2dBackFilter, exp, matmul, mul, referenceBackend, relu, reshape, slice, sum, tensor, withBackend, zeros,
  type Tensor,
} from '@ssam/tensor';
import { expectAllClose, seededTensor } from '@ssam/tensor/testing';
import { beforeAll, expect, it } from 'vitest';
import { describeGl } from './gl.test-util.js';
import { gpuBackend, isOnGpu, type GpuBackend } from './index.js';

const onRef = <T>(f: () => T): T => withBackend(referenceBackend, f);

describeGl('gpu backend (headless-gl)', () => {
  let gpu: GpuBackend;
  beforeAll(() => {
    gpu = gpuBackend({ mode: 'headlessgl', cpuThreshold: 0 });
  });
  const on = <T>(f: () => T): T => withBackend(gpu, f);

  it('says which gpu.js kernel class runs, and on what', () => {
    on(() => add(seededTensor([5], 1), seededTensor([5], 2))).toArray();
    expect(gpu.name).toBe('gpu');
    expect(gpu.runtime.kernelClass).toBe('HeadlessGLKernel');
    expect(gpu.describe!()).toMatch(/gpu\.js headlessgl mode running HeadlessGLKernel on .+, single precision/);
    expect(Object.keys(gpu.stats().kernelClasses)).toEqual(['HeadlessGLKernel']);
  });

  it('keeps results as textures between kernels and reads back only on toArray()', () => {
    const x = seededTensor([16, 8], 3), w = seededTensor([8, 4], 4);
    const before = gpu.stats().readbacks;
    const y = on(() => sum(exp(relu(matmul(x, w))), { axes: [1] }));
    expect(isOnGpu(y)).toBe(true);
    expect(gpu.stats().readbacks).toBe(before);
    expectAllClose(y, onRef(() => sum(exp(relu(matmul(x, w))), { axes: [1] })), { rtol: 1e-5 });
    expect(gpu.stats().readbacks).toBe(before + 1);
  });

  it('caches compiled kernels by primitive, shapes and attributes', () => {
    const a = seededTensor([7, 3], 5), b = seededTensor([3], 6);
    on(() => mul(a, b));
    const compiled = gpu.stats().compiled;
    on(() => mul(seededTensor([7, 3], 7), seededTensor([3], 8)));
    expect(gpu.stats().compiled).toBe(compiled); // same shapes: cache hit (uploads are cached too)
    on(() => mul(seededTensor([7, 4], 7), seededTensor([4], 8)));
    expect(gpu.stats().compiled).toBeGreaterThan(compiled); // a new shape compiles
  });

  it('runs int32 primitives on the CPU, exactly', () => {
    const i = tensor([3, -1, 7, 2], [4], { dtype: 'int32' });
    const before = gpu.stats().cpuRuns['add:int32'] ?? 0;
    const s = on(() => add(i, i));
    expect(s.dtype).toBe('int32');
    expect(Array.from(s.toArray())).toEqual([6, -2, 14, 4]);
    expect(gpu.stats().cpuRuns['add:int32']).toBe(before + 1);
    const x = seededTensor([6, 9], 9);
    expect(Array.from(on(() => argmax(exp(x), 1)).toArray())).toEqual(Array.from(onRef(() => argmax(exp(x), 1)).toArray()));
  });

  it('handles empty tensors and empty results', () => {
    expect(on(() => add(zeros([0, 3]), seededTensor([3], 1))).shape).toEqual([0, 3]);
    const g = on(() => exp(seededTensor([5], 2)));
    const e = on(() => slice(g, [{ start: 3, stop: 1 }]));
    expect(e.shape).toEqual([0]);
    expect(e.toArray().length).toBe(0);
    expectAllClose(on(() => sum(zeros([0, 4]), { axes: [0] })), zeros([4]));
  });

  it('matches the reference on non-power-of-two shapes, including the split paths', () => {
    const long = seededTensor([3, 10007], 11); // sum over a prime length: chunked two-pass reduction
    expectAllClose(on(() => sum(long, { axes: [1] })), onRef(() => sum(long, { axes: [1] })), { rtol: 1e-4, atol: 1e-3 });
    const x = seededTensor([3, 5, 13, 11], 12), dy = seededTensor([3, 7, 13, 11], 13); // N·H·W = 429 per tap
    const opts = { padding: 1 } as const;
    expectAllClose(on(() => conv2dBackFilter(x, dy, [7, 5, 3, 3], opts)), onRef(() => conv2dBackFilter(x, dy, [7, 5, 3, 3], opts)), { rtol: 1e-4, atol: 1e-4 });
    const big = seededTensor([2, 3, 37, 29], 14), bigDy = seededTensor([2, 4, 37, 29], 15); // 2146 > split threshold
    expectAllClose(on(() => conv2dBackFilter(big, bigDy, [4, 3, 3, 3], opts)), onRef(() => conv2dBackFilter(big, bigDy, [4, 3, 3, 3], opts)), { rtol: 1e-4, atol: 1e-3 });
    const w = seededTensor([4, 3, 3, 3], 16);
    expectAllClose(on(() => conv2d(big, w, opts)), onRef(() => conv2d(big, w, opts)), { rtol: 1e-4, atol: 1e-4 });
  });

  it('concatenates more parts than one kernel samples (chained kernels)', () => {
    const parts = Array.from({ length: 9 }, (_, i) => seededTensor([2, i + 1, 3], 30 + i));
    expectAllClose(on(() => concat(parts, 1)), onRef(() => concat(parts, 1)));
  });

  it('shares the texture on reshape', () => {
    const y = on(() => exp(seededTensor([4, 6], 17)));
    const r = on(() => reshape(y, [3, 8]));
    expect(r.storage).toBe(y.storage);
    expect(Array.from(r.toArray())).toEqual(Array.from(y.toArray()));
  });

  it('releases a texture on dispose() and says so when read afterwards', () => {
    const x = on(() => exp(seededTensor([9], 18)));
    const live = gpu.stats().liveTextures;
    const y = on(() => exp(x));
    expect(gpu.stats().liveTextures).toBe(live + 1);
    y.storage.dispose!();
    expect(gpu.stats().liveTextures).toBe(live);
    expect(() => y.toArray()).toThrow(/this tensor was disposed/);
  });

  const settle = async () => {
    expect((globalThis as { gc?: unknown }).gc, 'vitest runs this project with --expose-gc').toBeTypeOf('function');
    for (let i = 0; i < 3; i++) await gpu.collect();
  };
  const x = seededTensor([8, 32], 20);
  const step = (w: Tensor) => on(() => add(w, mul(-1e-3, matmul(x, matmul(x, w), { transposeA: true }))));

  it('frees the textures of unreachable tensors once the event loop turns (FinalizationRegistry)', async () => {
    let w: Tensor = on(() => exp(seededTensor([32, 16], 19)));
    for (let i = 0; i < 20; i++) w = step(w);
    await settle();
    const base = gpu.stats();
    for (let i = 0; i < 200; i++) {
      w = step(w);
      if (i % 50 === 49) await settle();
    }
    await settle();
    const after = gpu.stats();
    expect(after.launches - base.launches).toBeGreaterThanOrEqual(600);
    expect(after.liveTextures).toBeLessThanOrEqual(base.liveTextures + 2);
    expect(after.glTextures).toBeLessThanOrEqual(base.glTextures + 2);
  });

  it('scope(): a synchronous loop keeps GPU memory flat with no garbage collection at all', () => {
    let w: Tensor = gpu.scope(() => on(() => exp(seededTensor([32, 16], 21))));
    const leaky = gpu.stats();
    // Without `consume`, each step's input w is freed by nobody until the event loop turns.
    for (let i = 0; i < 50; i++) w = gpu.scope(() => step(w));
    expect(gpu.stats().liveTextures - leaky.liveTextures).toBeGreaterThanOrEqual(50);
    const base = gpu.stats();
    for (let i = 0; i < 200; i++) w = gpu.scope(() => step(w), { consume: w });
    const after = gpu.stats();
    expect(after.launches - base.launches).toBeGreaterThanOrEqual(600);
    expect(after.liveTextures - base.liveTextures).toBe(0);
    // GL textures: tensors' plus one per gpu.js kernel (its last output), so bounded by the kernels.
    expect(after.glTextures - base.glTextures).toBeLessThanOrEqual(5);
    const v = Array.from(w.toArray());
    expect(v.every(Number.isFinite)).toBe(true);
  });

  it('scope() keeps what its result reaches, moves it to the enclosing scope, and frees the rest', () => {
    const live = gpu.stats().liveTextures;
    const out = gpu.scope(() => {
      const inner = gpu.scope(() => {
        const a = on(() => exp(seededTensor([6], 22)));
        const b = on(() => mul(a, a));
        return { kept: [b] };
      });
      expect(gpu.stats().liveTextures - live).toBe(1); // b; a and the upload of the host input are freed
      return { y: on(() => add(inner.kept[0]!, 1)) };
    });
    expect(gpu.stats().liveTextures - live).toBe(1); // only y survives both scopes
    expectAllClose(out.y, onRef(() => add(mul(exp(seededTensor([6], 22)), exp(seededTensor([6], 22))), 1)), { rtol: 1e-5 });
    expect(() => gpu.scope(() => {
      on(() => exp(seededTensor([6], 23)));
      throw new Error('boom');
    })).toThrow('boom');
    expect(gpu.stats().liveTextures - live).toBe(1);
  });
});

describeGl('gpu backend limits and routing', () => {
  it('refuses a result larger than one texture with an error that says what to do', () => {
    const small = gpuBackend({ mode: 'headlessgl', cpuThreshold: 0, maxTextureSize: 8 });
    const ok = withBackend(small, () => exp(seededTensor([64], 1)));
    expect(ok.shape).toEqual([64]);
    expect(() => withBackend(small, () => exp(seededTensor([5, 13], 2)))).toThrow(
      /exp: the gpu backend cannot hold an input of shape \[5, 13\] \(65 elements\): one texture holds at most 8² = 64 elements.*smaller batch.*referenceBackend/,
    );
    expect(() => withBackend(small, () => add(ok, seededTensor([2, 1], 3)))).toThrow(
      /add: the gpu backend cannot hold a result of shape \[2, 64\] \(128 elements\)/,
    );
    small.destroy();
  });

  it('runs small host-resident work on the CPU below the threshold, and large work on the GPU', () => {
    const g = gpuBackend({ mode: 'headlessgl', cpuThreshold: 100 });
    const small = withBackend(g, () => add(seededTensor([9, 9], 1), seededTensor([9, 9], 2)));
    expect(isOnGpu(small)).toBe(false);
    expect(g.stats().cpuRuns['add:small']).toBe(1);
    const large = withBackend(g, () => add(seededTensor([11, 11], 1), seededTensor([9, 9, 1, 1], 2)));
    expect(isOnGpu(large)).toBe(true);
    // A small op on a GPU-resident tensor stays on the GPU (no read-back stall).
    const tail = withBackend(g, () => sum(large, { axes: [0, 1, 2, 3] }));
    expect(isOnGpu(tail)).toBe(true);
    g.destroy();
  });
});
