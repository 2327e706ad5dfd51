import { random, tree, type Tensor } from '@ssam/tensor';
import { describe, expect, it } from 'vitest';
import { serial } from './combinators.js';
import { byKind, byPath, groupMask, paramGroups } from './groups.js';
import { batchNorm } from './layers/batchnorm.js';
import { conv2d } from './layers/conv.js';
import { dense } from './layers/dense.js';
import { flatten } from './layers/reshape.js';
import { resnet20 } from './models/resnet.js';
import { countParams, evalShape, getPath, namedParams } from './params.js';

const key = random.key(2);
const model = serial({ conv: conv2d(4, 3, { bias: false }), bn: batchNorm(), flat: flatten, fc: dense(3) });
const [, params] = model.init(key, [-1, 2, 4, 4]);

describe('paramGroups', () => {
  it('labels leaves by kind, keeping the params structure', () => {
    const g = paramGroups(params);
    expect(g).toEqual({ conv: { w: 'conv' }, bn: { gamma: 'bn', beta: 'bn' }, fc: { w: 'dense', b: 'bias' } });
    expect(tree.structureEqual(g as never, params as never)).toBe(true);
  });

  it('groupMask gives booleans for the wanted labels; byPath overrides by path', () => {
    const m = groupMask(paramGroups(params), 'conv', 'dense');
    expect(m).toEqual({ conv: { w: true }, bn: { gamma: false, beta: false }, fc: { w: true, b: false } });
    const head = paramGroups(params, byPath([[/^fc\./, 'head']], byKind));
    expect(head).toEqual({ conv: { w: 'conv' }, bn: { gamma: 'bn', beta: 'bn' }, fc: { w: 'head', b: 'head' } });
    expect(() => groupMask(paramGroups(params))).toThrow(/at least one group/);
  });

  it('partitions a ResNet-20: weights + biases + BN add up to all parameters', () => {
    const [, p] = resnet20().init(key, [-1, 3, 32, 32]);
    const groups = tree.leaves(paramGroups(p) as never) as unknown as string[];
    const sizes = (tree.leaves(p) as Tensor[]).map((t) => t.size);
    const by: Record<string, number> = {};
    groups.forEach((g, i) => (by[g] = (by[g] ?? 0) + sizes[i]!));
    // 19 convs (option A shortcuts have no params), 19 BNs, one linear.
    expect(by).toEqual({ conv: 267_696, bn: 1_376, dense: 640, bias: 10 });
    expect(Object.values(by).reduce((a, b) => a + b)).toBe(countParams(p));
  });
});

describe('namedParams, getPath, evalShape', () => {
  it('lists dotted paths in tree.flatten order', () => {
    const names = namedParams(params).map(([n, t]) => `${n}:${t.shape.join('x')}`);
    expect(names).toEqual(['bn.beta:4', 'bn.gamma:4', 'conv.w:4x2x3x3', 'fc.b:3', 'fc.w:3x16']);
    const [leaves] = tree.flatten(params);
    expect(namedParams(params).map(([, t]) => t)).toEqual(leaves);
  });

  it('getPath walks dotted paths and names a missing key', () => {
    expect((getPath(params, 'fc.w') as Tensor).shape).toEqual([3, 16]);
    const [, p] = resnet20().init(key, [-1, 3, 32, 32]);
    expect((getPath(p, 'layer2.0.main.conv1.w') as Tensor).shape).toEqual([32, 16, 3, 3]);
    expect(() => getPath(params, 'fc.weight')).toThrow(/no key "weight" at "fc"; keys there: w, b/);
  });

  it('evalShape gives shapes and counts without sampling', () => {
    const r = evalShape(model, [-1, 2, 4, 4]);
    expect(r.outShape).toEqual([-1, 3]);
    expect(r.count).toBe(countParams(params));
    expect(r.params).toEqual({ conv: { w: [4, 2, 3, 3] }, bn: { gamma: [4], beta: [4] }, fc: { w: [3, 16], b: [3] } });
    expect(r.state).toEqual({ bn: { runningMean: [4], runningVar: [4] } });
  });
});
