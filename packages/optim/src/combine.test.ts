import { tensor, tree, type Tensor } from '@ssam/tensor';
import { describe, expect, it } from 'vitest';
import { clipByGlobalNorm } from './clip.js';
import { applyUpdates, chain, identity } from './combine.js';
import { addDecayedWeights } from './decay.js';
import { masked } from './masked.js';
import { scaleByMomentum } from './momentum.js';
import { scale, scaleByLearningRate } from './scale.js';

const params = { a: tensor([[1, 2], [3, 4]]), b: [tensor([1]), tensor([-1, 2])] };
const grads = { a: tensor([[1, 1], [1, 1]]), b: [tensor([2]), tensor([0.5, 0.5])] };
const list = (t: unknown) => tree.leaves(t as never).map((x) => Array.from((x as Tensor).toArray()));

describe('combinators', () => {
  it('identity passes updates through', () => {
    const [u] = identity().update(grads, identity().init(params), params);
    expect(u).toBe(grads);
  });
  it('chain threads updates left to right and keeps one state per member', () => {
    const t = chain(scale(2), scaleByLearningRate(0.5));
    const s = t.init(params);
    expect(Array.isArray(s) && s.length).toBe(2);
    const [u] = t.update(grads, s, params);
    expect(list(u)).toEqual(list(tree.scale(-1, grads)));
  });
  it('chain rejects a non-transformation and a wrong state', () => {
    expect(() => chain(scale(1), {} as never)).toThrow(/chain: argument 1 is not a GradientTransformation/);
    expect(() => chain(scale(1)).update(grads, [] as never, params)).toThrow(/state must be the array of 1 member states/);
  });
  it('applyUpdates is plain addition and checks the exact layout', () => {
    expect(list(applyUpdates(params, grads))).toEqual(list(tree.add(params, grads)));
    expect(() => applyUpdates(params, { a: grads.a })).toThrow(/applyUpdates: updates must have the tree structure of params/);
    // #20: a broadcastable wrong shape ([1, 2] for a [2, 2] param) was added by broadcasting.
    expect(() => applyUpdates(params, { ...grads, a: tensor([[1, 1]]) })).toThrow(/applyUpdates: updates leaf 'a' has shape \[1, 2\] but params has \[2, 2\]/);
  });
  it('scaleByLearningRate flips the sign', () => {
    const [u] = scaleByLearningRate(0.1).update(grads, scaleByLearningRate(0.1).init(params));
    expect(tree.leaves(u)[0]!.toArray()[0]).toBeCloseTo(-0.1, 7);
  });
  it('addDecayedWeights needs params', () => {
    expect(() => addDecayedWeights(0.1).update(grads, {})).toThrow(/needs params/);
  });
  it('clipByGlobalNorm rescales to maxNorm only when above it', () => {
    const g = { x: tensor([3, 4]) };
    const [big] = clipByGlobalNorm(1).update(g, {});
    expect(tree.norm(big).item()).toBeCloseTo(1, 6);
    expect(list(big)).toEqual([[0.6000000238418579, 0.800000011920929]]);
    const [small] = clipByGlobalNorm(10).update(g, {});
    expect(small).toBe(g);
    expect(() => clipByGlobalNorm(0)).toThrow(/maxNorm must be > 0/);
  });
  it('masked applies the inner transformation to the selected leaves only', () => {
    const t = masked(chain(scaleByMomentum({ momentum: 0.9 }), scale(10)), (p) => tree.map((w: Tensor) => w.rank >= 2, p));
    const s0 = t.init(params);
    // inner state covers only `a`
    expect(tree.count(s0 as never)).toBe(2); // count + trace of a
    const [u, s1] = t.update(grads, s0, params);
    expect(list(u)).toEqual([[10, 10, 10, 10], [2], [0.5, 0.5]]);
    const [u2] = t.update(grads, s1, params);
    expect(list(u2)[0]).toEqual([19, 19, 19, 19]);
    expect(list(u2).slice(1)).toEqual([[2], [0.5, 0.5]]);
  });
  it('masked explains a mask of the wrong shape', () => {
    const t = masked(scale(2), { a: true });
    expect(() => t.init(params)).toThrow(/mask has 1 leaves, the tree has 3/);
    expect(() => masked(scale(2), { a: 1, b: [true, true] } as never).init(params)).toThrow(/mask leaf 0 is 1/);
  });
});
