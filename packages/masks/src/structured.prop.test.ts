import { describe, expect, it } from 'vitest';
import { fc, test } from '@fast-check/vitest';
import { tensor, tree, type Tensor } from '@ssam/tensor';
import { structuredMask } from './structured.js';
import { countOnes, emptyMask, fullMask } from './mask.js';
import { excludeVectors } from './exclude.js';
import { arbScoreTree, arbSparsity, flatValues, leavesOf } from '../test/arb.js';

const finite = fc.integer({ min: -4, max: 4 }).map((x) => x / 2);

/** Blocks of each leaf (whole tensor, or slices along axis 0) as lists of element values, canonical order. */
function blocks(scores: Tree, granularity: 'tensor' | 'filter'): { leaf: number; b: number; vals: number[] }[] {
  const out: { leaf: number; b: number; vals: number[] }[] = [];
  leavesOf(scores).forEach((l, leaf) => {
    const v = Array.from(l.toArray());
    const nb = granularity === 'tensor' || l.rank === 0 ? 1 : l.shape[0]!;
    const per = v.length / nb;
    for (let b = 0; b < nb; b++) out.push({ leaf, b, vals: v.slice(b * per, (b + 1) * per) });
  });
  return out;
}
type Tree = Parameters<typeof tree.leaves>[0];

describe('structuredMask', () => {
  for (const granularity of ['tensor', 'filter'] as const) {
    test.prop([arbScoreTree(finite), arbSparsity], { numRuns: 120 })(
      `${granularity}: every block is all-0 or all-1 and the kept set is the smallest prefix of the ranking meeting the budget`,
      (scores, s) => {
        const mask = structuredMask(scores, { sparsity: s, granularity });
        const mb = blocks(mask, granularity);
        const sb = blocks(scores, granularity);
        const budget = Math.floor(tree.size(scores) * (1 - s));
        // all-0 or all-1
        mb.forEach(({ vals }) => expect(vals.every((v) => v === vals[0])).toBe(true));
        // ranking by mean (desc), ties by canonical order
        const mean = (v: number[]) => v.reduce((a, b) => a + b, 0) / v.length;
        const rank = sb.map((b, i) => i).sort((i, j) => mean(sb[j]!.vals) - mean(sb[i]!.vals) || i - j);
        const kept = rank.map((i) => mb[i]!.vals.length > 0 && mb[i]!.vals[0] === 1);
        const p = kept.filter(Boolean).length;
        expect(kept.slice(0, p).every(Boolean)).toBe(true); // a prefix of the ranking
        const size = (k: number) => rank.slice(0, k).reduce((a, i) => a + sb[i]!.vals.length, 0);
        expect(size(p)).toBeGreaterThanOrEqual(budget); // meets the budget
        if (p > 0) expect(size(p - 1)).toBeLessThan(budget); // and no shorter prefix does
        expect(countOnes(mask)).toBe(size(p));
      },
    );
  }

  test.prop([arbScoreTree(finite)], { numRuns: 40 })('sparsity 0 is full and sparsity 1 is empty', (scores) => {
    for (const granularity of ['tensor', 'filter'] as const) {
      expect(flatValues(structuredMask(scores, { sparsity: 0, granularity }))).toEqual(flatValues(fullMask(scores)));
      expect(flatValues(structuredMask(scores, { sparsity: 1, granularity }))).toEqual(flatValues(emptyMask(scores)));
    }
  });

  it('keeps whole tensors by mean score, greedily, and filters of a conv weight', () => {
    const scores = { a: tensor([[1, 1], [1, 1]]), b: tensor([5, 5]), c: tensor([3, 3, 3]) };
    // N = 9, s = 0.5 → budget 4: b (mean 5, 2 entries) then c (mean 3, 3 entries) → 5 ≥ 4.
    const m = structuredMask(scores, { sparsity: 0.5, granularity: 'tensor' }) as Record<string, Tensor>;
    expect([m.a!.toList(), m.b!.toList(), m.c!.toList()]).toEqual([[[0, 0], [0, 0]], [1, 1], [1, 1, 1]]);
    const conv = tensor([[[[1]], [[1]]], [[[9]], [[7]]], [[[2]], [[2]]]]); // [3, 2, 1, 1], filter means 1, 8, 2
    const f = structuredMask({ conv }, { sparsity: 0.5, granularity: 'filter' }) as { conv: Tensor };
    expect(f.conv.toList()).toEqual([[[[0]], [[0]]], [[[1]], [[1]]], [[[1]], [[1]]]]);
    expect(countOnes(structuredMask(scores, { sparsity: 0.5, granularity: 'tensor', exclude: excludeVectors }))).toBe(4);
    expect(() => structuredMask(scores, { sparsity: 0.5, granularity: 'row' as never })).toThrow(/structuredMask: granularity must be one of 'tensor', 'filter'/);
    expect(() => structuredMask({ a: tensor([NaN]) }, { sparsity: 0.5, granularity: 'tensor' })).toThrow(/structuredMask: scores of 'a' contain NaN/);
  });
});
