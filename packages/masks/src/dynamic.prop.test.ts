import { describe, expect, it } from 'vitest';
import { fc, test } from '@fast-check/vitest';
import { random, tensor, tree } from '@ssam/tensor';
import { cosineDropRate, dropAndGrow, randomMask } from './dynamic.js';
import { countOnes } from './mask.js';
import { randomScores } from './scores.js';
import { excludeVectors } from './exclude.js';
import { topKMask } from './topk.js';
import { arbKey, arbScoreTree, arbSparsity, flatValues, leavesOf, onesOf, referenceTopK } from '../test/arb.js';

const finite = fc.integer({ min: -3, max: 3 }).map((x) => x / 2);

describe('randomMask', () => {
  test.prop([arbScoreTree(), arbSparsity, arbKey], { numRuns: 80 })('has exactly N − ceil(N·s) ones and is determined by the key', (params, s, key) => {
    const n = tree.size(params);
    const a = randomMask(key, params, { sparsity: s });
    expect(countOnes(a)).toBe(n - Math.ceil(n * s));
    expect(flatValues(randomMask(key, params, { sparsity: s }))).toEqual(flatValues(a));
    expect(tree.structureEqual(a, params)).toBe(true);
    // it is the top-k of the key's uniform scores
    expect(onesOf(flatValues(a))).toEqual(referenceTopK(flatValues(randomScores(key, params)), n - Math.ceil(n * s)));
  });

  test.prop([arbScoreTree(), arbSparsity, arbKey], { numRuns: 40 })('excluded groups stay empty and do not count in N', (params, s, key) => {
    const mask = randomMask(key, params, { sparsity: s, exclude: excludeVectors });
    const n = leavesOf(params).reduce((a, l) => a + (l.rank > 1 ? l.size : 0), 0);
    expect(countOnes(mask)).toBe(n - Math.ceil(n * s));
    leavesOf(mask).forEach((m, i) => leavesOf(params)[i]!.rank <= 1 && expect(countOnes(m)).toBe(0));
  });

  it('differs between keys and covers s = 0 / s = 1', () => {
    const p = { w: tensor(new Float32Array(1000), [10, 100]) };
    expect(flatValues(randomMask(random.key(1), p, { sparsity: 0.5 }))).not.toEqual(flatValues(randomMask(random.key(2), p, { sparsity: 0.5 })));
    expect(countOnes(randomMask(random.key(1), p, { sparsity: 0 }))).toBe(1000);
    expect(countOnes(randomMask(random.key(1), p, { sparsity: 1 }))).toBe(0);
    expect(() => randomMask(random.key(1), p, { sparsity: -0.1 })).toThrow(/randomMask: sparsity must be a number in \[0, 1\]/);
  });
});

const arbDG = arbScoreTree(finite).chain((scores) =>
  fc.record({
    scores: fc.constant(scores),
    s: arbSparsity,
    dr: fc.oneof(fc.constantFrom(0, 1, 0.5), fc.double({ min: 0, max: 1, noNaN: true })),
    key: arbKey,
    scope: fc.constantFrom('global' as const, 'per-tensor' as const),
  }),
);

describe('dropAndGrow', () => {
  test.prop([arbDG], { numRuns: 150 })('dropped ⊆ old active, grown ⊆ old inactive, disjoint, live count exactly preserved', ({ scores, s, dr, key, scope }) => {
    const [k1, k2] = random.split(key);
    const mask = randomMask(k1!, scores, { sparsity: s });
    const growScores = randomScores(k2!, scores);
    const next = dropAndGrow(mask, { dropScores: scores, growScores, dropRate: dr, scope });
    const ranges = scope === 'global' ? [[mask, next, scores, growScores]] : leavesOf(mask).map((m, i) => [m, leavesOf(next)[i]!, leavesOf(scores)[i]!, leavesOf(growScores)[i]!]);
    for (const [m0, m1, ds, gs] of ranges) {
      const old = flatValues(m0!);
      const now = flatValues(m1!);
      const dropped = old.flatMap((v, i) => (v === 1 && now[i] === 0 ? [i] : []));
      const grown = old.flatMap((v, i) => (v === 0 && now[i] === 1 ? [i] : []));
      const active = old.map((v) => v === 1);
      const a = active.filter(Boolean).length;
      const k = Math.min(Math.floor(a * dr), old.length - a);
      expect(now.reduce((x, y) => x + y, 0)).toBe(a); // live count exact
      expect(dropped.length).toBe(k);
      expect(grown.length).toBe(k);
      // the dropped are the k smallest drop scores among the active, the grown the k largest grow scores among the inactive
      expect(new Set(dropped)).toEqual(referenceTopK(flatValues(ds!), k, true, active));
      expect(new Set(grown)).toEqual(referenceTopK(flatValues(gs!), k, false, active.map((x) => !x)));
    }
  });

  test.prop([arbScoreTree(finite), arbKey], { numRuns: 40 })('dropRate 0 is the identity; the result is deterministic', (scores, key) => {
    const mask = topKMask(scores, { sparsity: 0.5 });
    const growScores = randomScores(key, scores);
    expect(flatValues(dropAndGrow(mask, { dropScores: scores, growScores, dropRate: 0 }))).toEqual(flatValues(mask));
    const a = dropAndGrow(mask, { dropScores: scores, growScores, dropRate: 0.5 });
    expect(flatValues(dropAndGrow(mask, { dropScores: scores, growScores: randomScores(key, scores), dropRate: 0.5 }))).toEqual(flatValues(a));
  });

  it('leaves excluded leaves alone and validates its inputs', () => {
    const mask = { b: tensor([1, 0]), w: tensor([[1, 0], [0, 1]]) };
    const drop = { b: tensor([0, 0]), w: tensor([[1, 0], [0, 2]]) };
    const grow = { b: tensor([9, 9]), w: tensor([[0, 5], [3, 0]]) };
    const next = dropAndGrow(mask, { dropScores: drop, growScores: grow, dropRate: 0.5, exclude: excludeVectors }) as typeof mask;
    expect(next.b.toList()).toEqual([1, 0]);
    expect(next.w.toList()).toEqual([[0, 1], [0, 1]]);
    expect(() => dropAndGrow({ w: tensor([0.5, 1]) }, { dropScores: { w: tensor([0, 0]) }, growScores: { w: tensor([0, 0]) }, dropRate: 0.5 })).toThrow(/dropAndGrow: mask must hold only 0 and 1; 'w' holds 0.5/);
    expect(() => dropAndGrow(mask, { dropScores: { w: drop.w }, growScores: grow, dropRate: 0.5 })).toThrow(/dropAndGrow: dropScores must have the pytree structure of mask/);
    expect(() => dropAndGrow(mask, { dropScores: drop, growScores: grow, dropRate: 2 })).toThrow(/dropAndGrow: dropRate must be a number in \[0, 1\]; got 2/);
  });
});

describe('cosineDropRate', () => {
  test.prop([fc.double({ min: 0, max: 1, noNaN: true }), fc.integer({ min: 1, max: 1000 })])('dr0 at 0, dr0/2 at the midpoint, 0 at the end, monotone between', (dr0, total) => {
    expect(cosineDropRate(0, { initial: dr0, total })).toBe(dr0);
    expect(cosineDropRate(total / 2, { initial: dr0, total })).toBeCloseTo(dr0 / 2, 12);
    expect(cosineDropRate(total, { initial: dr0, total })).toBe(0);
    expect(cosineDropRate(total + 5, { initial: dr0, total })).toBe(0);
    const e = total / 3;
    expect(cosineDropRate(e, { initial: dr0, total })).toBeGreaterThanOrEqual(cosineDropRate(2 * e, { initial: dr0, total }));
  });

  it('defaults dr0 to 0.5 and validates', () => {
    expect(cosineDropRate(0, { total: 10 })).toBe(0.5);
    expect(() => cosineDropRate(-1, { total: 10 })).toThrow(/cosineDropRate: epoch must be a number ≥ 0; got -1/);
    expect(() => cosineDropRate(1, { total: 0 })).toThrow(/cosineDropRate: total must be a positive number of epochs; got 0/);
  });
});
