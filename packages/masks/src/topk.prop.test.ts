import { describe, expect, it } from 'vitest';
import { fc, test } from '@fast-check/vitest';
import { tensor, tree, type Tensor } from '@ssam/tensor';
import { topKMask, keepCount } from './topk.js';
import { countOnes, density, fullMask, emptyMask } from './mask.js';
import { excludeVectors } from './exclude.js';
import { arbScoreTree, arbSparsity, flatValues, leavesOf, onesOf, referenceTopK } from '../test/arb.js';

describe('topKMask', () => {
  test.prop([arbScoreTree(), arbSparsity], { numRuns: 150 })('global: exactly floor(N(1-s)) ones, the top scores, ties to the lower flat index', (scores, s) => {
    const mask = topKMask(scores, { sparsity: s });
    const n = tree.size(scores);
    expect(countOnes(mask)).toBe(Math.floor(n * (1 - s)));
    expect(tree.structureEqual(mask, scores)).toBe(true);
    expect(onesOf(flatValues(mask))).toEqual(referenceTopK(flatValues(scores), Math.floor(n * (1 - s))));
    expect(flatValues(mask).every((v) => v === 0 || v === 1)).toBe(true);
  });

  test.prop([arbScoreTree(), arbSparsity], { numRuns: 100 })('per-tensor: each tensor keeps floor(n_i(1-s)) of its own top scores', (scores, s) => {
    const mask = topKMask(scores, { sparsity: s, scope: 'per-tensor' });
    const ms = leavesOf(mask);
    leavesOf(scores).forEach((l, i) => {
      const k = Math.floor(l.size * (1 - s));
      expect(onesOf(Array.from(ms[i]!.toArray()))).toEqual(referenceTopK(Array.from(l.toArray()), k));
    });
  });

  test.prop([arbScoreTree()], { numRuns: 50 })('sparsity 0 is the full mask and sparsity 1 the empty mask', (scores) => {
    for (const scope of ['global', 'per-tensor'] as const) {
      expect(flatValues(topKMask(scores, { sparsity: 0, scope }))).toEqual(flatValues(fullMask(scores)));
      expect(flatValues(topKMask(scores, { sparsity: 1, scope }))).toEqual(flatValues(emptyMask(scores)));
    }
  });

  test.prop([arbScoreTree(), arbSparsity], { numRuns: 80 })('excluded groups are 0 and the budget counts only the others', (scores, s) => {
    const mask = topKMask(scores, { sparsity: s, exclude: excludeVectors });
    const sl = leavesOf(scores);
    const ml = leavesOf(mask);
    const eligible = sl.flatMap((l) => Array.from({ length: l.size }, () => l.rank > 1));
    const k = Math.floor(eligible.filter(Boolean).length * (1 - s));
    expect(onesOf(flatValues(mask))).toEqual(referenceTopK(flatValues(scores), k, false, eligible));
    sl.forEach((l, i) => {
      if (l.rank <= 1) expect(countOnes(ml[i]!)).toBe(0);
    });
  });

  test.prop([arbScoreTree(), fc.array(fc.boolean(), { minLength: 4, maxLength: 4 })], { numRuns: 40 })('a boolean pytree excludes the same leaves as the predicate', (scores, flags) => {
    const keys = Object.keys(scores).sort();
    const byTree = topKMask(scores, { sparsity: 0.5, exclude: Object.fromEntries(keys.map((k, i) => [k, flags[i]!])) });
    const byPred = topKMask(scores, { sparsity: 0.5, exclude: (path) => flags[keys.indexOf(path)]! });
    expect(flatValues(byTree)).toEqual(flatValues(byPred));
  });

  it('works on nested trees with arrays and reports bad options', () => {
    const scores = { layers: [{ w: tensor([[3, 1], [2, 4]]) }, { w: tensor([0.5, 5]) }], head: tensor([9]) };
    const mask = topKMask(scores, { sparsity: 0.5 });
    expect(tree.leaves(mask).map((t: Tensor) => t.toList())).toEqual([[1], [[0, 0], [0, 1]], [0, 1]]);
    expect(density(mask)).toBeCloseTo(3 / 7);
    expect(() => topKMask(scores, { sparsity: 1.5 })).toThrow(/topKMask: sparsity must be a number in \[0, 1\].*got 1.5/);
    expect(() => topKMask(scores, { sparsity: 0.5, scope: 'layer' as never })).toThrow(/topKMask: scope must be one of 'global', 'per-tensor'; got "layer"/);
    expect(() => topKMask(scores, undefined as never)).toThrow(/topKMask: options must be an object/);
    expect(() => topKMask({ a: tensor([1, NaN]) }, { sparsity: 0.5 })).toThrow(/topKMask: scores contain NaN/);
    expect(keepCount(10, 0.3)).toBe(7);
  });
});
