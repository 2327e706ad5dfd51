import { describe, expect, it } from 'vitest';
import { fc, test } from '@fast-check/vitest';
import { tensor, tree, type Tensor } from '@ssam/tensor';
import { applyMask, combine, complement, countOnes, density, emptyMask, fullMask, intersect, partition, union } from './mask.js';
import { topKMask } from './topk.js';
import { arbScoreTree, arbSparsity, flatValues } from '../test/arb.js';

const arbMaskAndTree = fc
  .tuple(arbScoreTree(), arbSparsity)
  .map(([t, s]) => ({ t, mask: topKMask(tree.map((x: Tensor) => x, t), { sparsity: s }) }));

const bitsEqual = (a: Tensor, b: Tensor) => expect(new Uint32Array(a.toArray().buffer)).toEqual(new Uint32Array(b.toArray().buffer));

describe('mask helpers', () => {
  test.prop([arbMaskAndTree], { numRuns: 60 })('applyMask is idempotent, keeps the structure and zeroes exactly the masked-out entries', ({ t, mask }) => {
    const once = applyMask(mask, t);
    expect(tree.structureEqual(once, t)).toBe(true);
    tree.leaves(applyMask(mask, once)).forEach((l, i) => bitsEqual(l, tree.leaves(once)[i]!));
    const m = flatValues(mask);
    const x = flatValues(t);
    flatValues(once).forEach((v, i) => expect(Object.is(v, m[i] ? x[i] : 0)).toBe(true));
  });

  test.prop([arbMaskAndTree], { numRuns: 60 })('combine(mask, ...partition(mask, t)) is t, bit for bit', ({ t, mask }) => {
    const [inside, outside] = partition(mask, t);
    const back = combine(mask, inside, outside);
    tree.leaves(back).forEach((l, i) => bitsEqual(l, tree.leaves(t)[i]!));
    expect(countOnes(applyMask(complement(mask), fullMask(t)))).toBe(tree.size(t) - countOnes(mask));
  });

  test.prop([fc.tuple(arbScoreTree(), arbSparsity, arbSparsity)], { numRuns: 40 })('union and intersect are elementwise or / and', ([t, s1, s2]) => {
    const a = topKMask(t, { sparsity: s1 });
    const b = topKMask(t, { sparsity: s2, scope: 'per-tensor' });
    const fa = flatValues(a);
    const fb = flatValues(b);
    expect(flatValues(union(a, b))).toEqual(fa.map((x, i) => Math.max(x, fb[i]!)));
    expect(flatValues(intersect(a, b))).toEqual(fa.map((x, i) => x * fb[i]!));
    expect(countOnes(union(a, b)) + countOnes(intersect(a, b))).toBe(countOnes(a) + countOnes(b));
  });

  it('full and empty masks, density and counts', () => {
    const p = { w: tensor([[1, 2], [3, 4]]), b: tensor([5, 6]) };
    expect(density(fullMask(p))).toBe(1);
    expect(density(emptyMask(p))).toBe(0);
    expect(countOnes(fullMask(p))).toBe(6);
    expect(density({ a: tensor([1, 0, 0, 1]) })).toBe(0.5);
    expect(density({})).toBe(0);
  });

  it('reports layout mismatches with the operation and the path', () => {
    const mask = { w: tensor([1, 0]) };
    expect(() => applyMask(mask, { w: tensor([1, 2, 3]) })).toThrow(/applyMask: tree at 'w' has shape \[3\], mask has \[2\]/);
    expect(() => applyMask(mask, { v: tensor([1, 2]) })).toThrow(/applyMask: tree must have the pytree structure of mask/);
    expect(() => countOnes({ w: 3 } as never)).toThrow(/countOnes: mask must be a pytree of tensors/);
  });
});
