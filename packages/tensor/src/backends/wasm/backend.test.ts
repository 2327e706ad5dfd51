import { afterAll, describe, expect, it } from 'vitest';
import { currentBackend, withBackend } from '../../backend.js';
import { matmul } from '../../ops/linalg.js';
import { seededTensor } from '../../testing/conformance.js';
import { createWasmBackend, defaultThreadCount } from './backend.js';

describe('wasm backend record', () => {
  const created: { dispose(): void }[] = [];
  afterAll(() => created.forEach((b) => b.dispose()));

  it('is the default backend of @ssam/tensor and says so', async () => {
    await import('../../index.js');
    const d = currentBackend().describe?.() ?? '';
    if (process.env.SSAM_BACKEND === 'reference') expect(d).toMatch(/^reference/);
    else expect(d).toMatch(/^wasm \(WebAssembly SIMD, \d+ threads?\)$/);
  });

  it('lists the primitives that run the reference kernel', () => {
    const b = createWasmBackend({ threads: 1 });
    created.push(b);
    expect(b.fallbacks).toEqual(['pow', 'reshape', 'broadcastTo', 'transpose', 'slice', 'pad', 'concat', 'gather', 'scatterAdd', 'cast']);
    expect(b.describe?.()).toBe('wasm (WebAssembly SIMD, 1 thread)');
  });

  it('takes the thread count from the option, else SSAM_THREADS, else the available cores', () => {
    const saved = process.env.SSAM_THREADS;
    try {
      process.env.SSAM_THREADS = '3';
      expect(defaultThreadCount()).toBe(3);
      process.env.SSAM_THREADS = 'two';
      expect(() => defaultThreadCount()).toThrow(/SSAM_THREADS must be a positive integer, got "two"/);
      delete process.env.SSAM_THREADS;
      expect(defaultThreadCount()).toBeGreaterThanOrEqual(1);
    } finally {
      if (saved === undefined) delete process.env.SSAM_THREADS;
      else process.env.SSAM_THREADS = saved;
    }
    expect(() => createWasmBackend({ threads: 0 })).toThrow(/threads must be a positive integer, got 0/);
  });

  it('spreads chunks over the threads and keeps working after dispose (on the calling thread)', () => {
    const b = createWasmBackend({ threads: 2, minParallelWork: 0 });
    const a = seededTensor([64, 96], 1), c = seededTensor([96, 80], 2);
    const before = withBackend(b, () => matmul(a, c)).toArray();
    const chunks = b.chunksByThread();
    expect(chunks).toHaveLength(2);
    expect(chunks[0]! + chunks[1]!).toBeGreaterThan(1);
    b.dispose();
    expect(withBackend(b, () => matmul(a, c)).toArray()).toEqual(before);
  });
});
