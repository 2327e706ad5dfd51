import { describe, expect, it } from 'vitest';
import { ArgumentError, ShapeError, random, tensor, tree, type Tensor } from '@ssam/tensor';
import { directionBetween, evaluate, grid, landscape1d, landscape2d, normalizeFilters, randomDirection } from './index.js';
import { tinyConv, tinyMlp } from './nets.test-util.js';

const rows = (t: Tensor): number[][] => {
  const out = t.shape[0]!, per = t.size / out, a = t.toArray();
  return Array.from({ length: out }, (_, i) => Array.from(a.subarray(i * per, (i + 1) * per)));
};
const l2 = (r: number[]) => Math.sqrt(r.reduce((s, x) => s + x * x, 0));

describe('directions (Li et al. 2018)', () => {
  it('filter normalisation gives each filter of the direction the norm of its weight filter (dense and conv)', () => {
    for (const p of [tinyMlp(0), tinyConv(0)]) {
      const d = randomDirection(p.params, random.key(1));
      const ws = tree.leaves(p.params), ds = tree.leaves(d);
      let checked = 0;
      ws.forEach((w, i) => {
        if (w.rank < 2) return;
        const wr = rows(w), dr = rows(ds[i]!);
        wr.forEach((r, j) => expect(Math.abs(l2(dr[j]!) - l2(r)) / l2(r)).toBeLessThan(1e-6));
        checked += wr.length;
      });
      expect(checked).toBeGreaterThan(0);
    }
  });

  it('excludes biases and BatchNorm by default (zero there), includes them as the weights on request', () => {
    const p = tinyConv(0);
    const d = randomDirection(p.params, random.key(2)) as Record<string, Record<string, Tensor>>;
    for (const t of [d.bn!.gamma!, d.bn!.beta!, d.fc!.b!]) expect(Array.from(t.toArray()).every((x) => x === 0)).toBe(true);
    const inc = randomDirection(p.params, random.key(2), { biasBn: 'include' }) as Record<string, Record<string, Tensor>>;
    expect(inc.bn!.gamma!.toArray()).toEqual((p.params as Record<string, Record<string, Tensor>>).bn!.gamma!.toArray());
    const raw = randomDirection(p.params, random.key(2), { filterNormalize: false }) as Record<string, Record<string, Tensor>>;
    expect(raw.fc!.w!.toArray()).not.toEqual(d.fc!.w!.toArray());
  });

  it('normalizeFilters leaves a zero filter zero and refuses mismatched shapes', () => {
    const d = tensor([0, 0, 3, 4], [2, 2]), w = tensor([1, 0, 0, 2], [2, 2]);
    expect(Array.from(normalizeFilters(d, w).toArray())).toEqual([0, 0, 1.2000000476837158, 1.600000023841858]);
    expect(() => normalizeFilters(tensor([1, 2], [2]), tensor([1, 2], [1, 2]))).toThrow(ShapeError);
  });
});

describe('landscapes', () => {
  it('at the origin the landscape is the loss at w, bit for bit (1-D and 2-D)', () => {
    for (const p of [tinyMlp(0), tinyConv(0)]) {
      const at = evaluate(p).loss;
      const l1 = landscape1d(p, randomDirection(p.params, random.key(3)), { points: 5 });
      expect(l1.alphas[2]).toBe(0);
      expect(l1.loss[2]).toBe(at);
      const l2d = landscape2d(p, [randomDirection(p.params, random.key(4)), randomDirection(p.params, random.key(5))], { points: 3 });
      expect(l2d.loss[1]![1]).toBe(at);
      expect(l2d.loss.length).toBe(3);
    }
  });

  it('between two checkpoints: α = 0 and α = 1 are the two points', () => {
    const a = tinyMlp(0), b = tinyMlp(1);
    const l = landscape1d(a, directionBetween(a.params, b.params), { range: [0, 1], points: 3 });
    expect(l.loss[0]).toBe(evaluate(a).loss);
    // b's params under a's batches; float32 a + (b − a) is b to rounding.
    expect(l.loss[2]).toBeCloseTo(evaluate({ ...a, params: b.params }).loss, 5);
  });

  it('is deterministic in the keys and reports progress', () => {
    const p = tinyMlp(2);
    const seen: number[] = [];
    const run = () => landscape2d(p, [randomDirection(p.params, random.key(6)), randomDirection(p.params, random.key(7))], { points: [3, 2], onProgress: (e) => seen.push(e.done) });
    const a = run(), b = run();
    expect(b).toEqual(a);
    expect(a.xs.length).toBe(3);
    expect(a.ys).toEqual([-1, 1]);
    expect(seen.slice(0, 6)).toEqual([1, 2, 3, 4, 5, 6]);
  });

  it('grid has exact ends and an exact 0 at the centre', () => {
    expect(grid([-1, 1], 21)[10]).toBe(0);
    expect(grid([-1, 1], 51)[25]).toBe(0);
    expect(grid([-0.5, 1.5], 3)).toEqual([-0.5, 0.5, 1.5]);
  });

  it('rejects bad grids and directions with @ssam errors naming the call', () => {
    const p = tinyMlp(0);
    const d = randomDirection(p.params, random.key(1));
    expect(() => landscape1d(p, d, { points: 1 })).toThrow(ArgumentError);
    expect(() => landscape1d(p, d, { range: [1, -1] })).toThrow(/landscape1d: range must be \[lo, hi\] with finite lo < hi/);
    expect(() => landscape1d(p, { w: d } as never)).toThrow(/landscape1d: direction must be shaped like the params/);
    expect(() => landscape2d(p, [d] as never)).toThrow(/landscape2d: directions must be a pair/);
  });
});
