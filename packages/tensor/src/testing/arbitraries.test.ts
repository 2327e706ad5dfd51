import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { broadcastShapes, isTensor, random, tree, type Tensor } from '../index.js';
import { arbBroadcastPair, arbBroadcastTensors, arbKey, arbPositiveTensor, arbShape, arbTensor, arbTree, arbTreeLike, arbTrees, arbValue } from './index.js';

const RUNS = { numRuns: 100 };

function depth(t: unknown): number {
  if (Array.isArray(t)) return 1 + Math.max(0, ...t.map(depth));
  if (t !== null && typeof t === 'object' && !isTensor(t)) return 1 + Math.max(0, ...Object.values(t).map(depth));
  return 0;
}

describe('arbitraries', () => {
  it('arbShape respects rank and dimension bounds', () => {
    fc.assert(
      fc.property(arbShape({ minRank: 1, maxRank: 3, minDim: 2, maxDim: 5 }), (s) =>
        s.length >= 1 && s.length <= 3 && s.every((d) => Number.isInteger(d) && d >= 2 && d <= 5)),
      RUNS,
    );
    expect(() => arbShape({ minRank: 3, maxRank: 1 })).toThrow(/arbShape/);
  });

  it('arbBroadcastPair gives shapes that broadcast', () => {
    fc.assert(fc.property(arbBroadcastPair({ maxRank: 4 }), ([a, b]) => {
      const out = broadcastShapes('test', a, b);
      expect(out.length).toBe(Math.max(a.length, b.length));
    }), RUNS);
    fc.assert(fc.property(arbBroadcastTensors(), ([x, y]) => {
      broadcastShapes('test', x.shape, y.shape);
    }), { numRuns: 30 });
  });

  it('arbValue spreads values over the whole range, not only near 0', () => {
    const xs = fc.sample(arbValue({ min: -10, max: 10 }), 2000);
    expect(xs.every((x) => x >= -10 && x <= 10 && Math.fround(x) === x)).toBe(true);
    expect(xs.filter((x) => Math.abs(x) > 5).length).toBeGreaterThan(600);
    expect(fc.sample(arbValue({ min: 0.5, max: 3.5, integers: true }), 200).every((x) => [1, 2, 3].includes(x))).toBe(true);
    expect(() => arbValue({ min: 0.2, max: 0.8, integers: true })).toThrow(/no integer/);
  });

  it('arbTensor honours shape, dtype and value range', () => {
    fc.assert(fc.property(arbTensor({ shape: [2, 3], min: -1, max: 2 }), (t) => {
      expect(t.shape).toEqual([2, 3]);
      expect(t.dtype).toBe('float32');
      expect(t.toArray().every((v) => v >= -1 && v <= 2)).toBe(true);
    }), RUNS);
    fc.assert(fc.property(arbTensor({ dtype: 'int32', min: -3, max: 3, maxRank: 2 }), (t) => {
      expect(t.dtype).toBe('int32');
      expect(t.rank).toBeLessThanOrEqual(2);
      expect(t.toArray().every((v) => v >= -3 && v <= 3)).toBe(true);
    }), RUNS);
    fc.assert(fc.property(arbPositiveTensor(), (t) => t.toArray().every((v) => v > 0)), RUNS);
    expect(() => arbPositiveTensor({ min: 0 })).toThrow(/min must be > 0/);
  });

  it('arbTree draws nested objects and arrays of tensors within the depth bound', () => {
    const trees = fc.sample(arbTree({ maxDepth: 2, withNone: true }), 300);
    for (const t of trees) {
      expect(tree.leaves(t).every(isTensor)).toBe(true);
      expect(depth(t)).toBeLessThanOrEqual(3);
    }
    expect(trees.some((t) => Array.isArray(t))).toBe(true);
    expect(trees.some((t) => t !== null && typeof t === 'object' && !Array.isArray(t) && !isTensor(t))).toBe(true);
    expect(trees.some((t) => tree.count(t) >= 3)).toBe(true);
  });

  it('arbTreeLike and arbTrees share structure, shapes and dtypes', () => {
    fc.assert(fc.property(arbTrees(3), (ts) => {
      for (const u of ts.slice(1)) {
        expect(tree.structureEqual(u, ts[0])).toBe(true);
        tree.zipMap((x: Tensor, y: Tensor) => expect([x.shape, x.dtype]).toEqual([y.shape, y.dtype]), u, ts[0]);
      }
    }), { numRuns: 50 });
    const like = { k: random.key(3), w: [tensor0()] };
    const [u] = fc.sample(arbTreeLike(like), 1);
    expect((u as { k: unknown }).k).toBe(like.k);
  });

  it('arbKey gives valid keys', () => {
    fc.assert(fc.property(arbKey(), (k) => k instanceof random.Key && random.split(k).length === 2), RUNS);
  });
});

function tensor0(): Tensor {
  return random.normal(random.key(0), [2, 2]);
}
