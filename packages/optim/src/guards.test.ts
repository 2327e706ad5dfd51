import { tensor, type Tensor } from '@ssam/tensor';
import { describe, expect, it } from 'vitest';
import { adam, adamw } from './adamw.js';
import { chain } from './combine.js';
import { addDecayedWeights } from './decay.js';
import { scaleByAdam } from './adam.js';
import { scaleByMomentum } from './momentum.js';
import { scaleByLearningRate } from './scale.js';
import { sgd } from './sgd.js';
import type { GradientTransformation, Params } from './types.js';

// Issue #20 item 3: elementwise ops broadcast, so a gradient of a broadcastable wrong shape used
// to be spread silently over the parameter; and a schedule was probed at step 0 only.
const params: Params = { fc: { w: tensor([[1, 2, 3, 4], [5, 6, 7, 8]]), b: tensor([0, 0]) } };
const good = { fc: { w: tensor([[1, 1, 1, 1], [1, 1, 1, 1]]), b: tensor([1, 1]) } };
const rowOnly = { fc: { w: tensor([[1, 1, 1, 1]]), b: tensor([1, 1]) } };

function steps(opt: GradientTransformation<any>, n: number): void {
  let state = opt.init(params);
  for (let t = 0; t < n; t++) state = opt.update(good, state, params)[1];
}

describe('optimizers: the gradient tree must match the params exactly', () => {
  it('sgd / adam / adamw refuse a broadcastable wrong shape, naming the leaf and both shapes', () => {
    for (const [name, opt] of [['sgd', sgd({ lr: 0.1 })], ['adam', adam({ lr: 0.1 })], ['adamw', adamw({ lr: 0.1 })]] as const) {
      expect(() => opt.update(rowOnly, opt.init(params), params)).toThrow(`${name}.update: grads leaf 'fc.w' has shape [1, 4] but params has [2, 4]`);
    }
  });

  it('sgd refuses a missing or an extra leaf, and a dtype change', () => {
    const opt = sgd({ lr: 0.1 });
    expect(() => opt.update({ fc: { w: good.fc.w } }, opt.init(params), params)).toThrow(/sgd\.update: grads must have the tree structure of params \(2 leaves\); grads has 1 leaf: missing 'fc\.b'/);
    expect(() => opt.update({ fc: { ...good.fc, v: good.fc.b } }, opt.init(params), params)).toThrow(/unexpected 'fc\.v'/);
    const intB = { fc: { w: good.fc.w, b: tensor([1, 1], [2], { dtype: 'int32' }) } };
    expect(() => opt.update(intB, opt.init(params), params)).toThrow("sgd.update: grads leaf 'fc.b' has dtype int32 but params has float32");
  });

  it('without params, the momentum buffer and the Adam moments still pin the layout', () => {
    const m = scaleByMomentum({ momentum: 0.9 });
    expect(() => m.update(rowOnly, m.init(params))).toThrow(/scaleByMomentum\.update: grads leaf 'fc\.w' has shape \[1, 4\] but the momentum buffer .* has \[2, 4\]/);
    const a = scaleByAdam();
    expect(() => a.update(rowOnly, a.init(params))).toThrow(/scaleByAdam\.update: grads leaf 'fc\.w' has shape \[1, 4\]/);
    const d = addDecayedWeights(0.1);
    expect(() => d.update(rowOnly, d.init(params), params)).toThrow(/addDecayedWeights\.update: grads leaf 'fc\.w' has shape \[1, 4\] but params has \[2, 4\]/);
    // the right layout still goes through, with and without params
    const sgdM = sgd({ lr: 0.1, momentum: 0.9 });
    const [u] = sgdM.update(good, sgdM.init(params));
    expect(((u as { fc: { w: Tensor } }).fc.w).shape).toEqual([2, 4]);
  });
});

describe('optimizers: a learning-rate schedule is checked at every step, not only at step 0', () => {
  for (const [what, bad] of [['NaN', Number.NaN], ['Infinity', Number.POSITIVE_INFINITY], ['-0.1', -0.1]] as const) {
    it(`a schedule that returns ${what} at step 2 throws there, naming the optimizer and the step`, () => {
      const lr = (t: number) => (t < 2 ? 0.1 : bad);
      for (const [name, make] of [['sgd', () => sgd({ lr, momentum: 0.9 })], ['adam', () => adam({ lr })], ['adamw', () => adamw({ lr })]] as const) {
        expect(() => steps(make(), 2)).not.toThrow();
        expect(() => steps(make(), 3)).toThrow(`${name}: lr schedule returned ${what} at step 2; a schedule must return finite numbers ≥ 0 at every step`);
      }
    });
  }

  it('chain members built by hand are checked too (scaleByLearningRate names itself)', () => {
    const opt = chain(scaleByLearningRate((t) => (t === 0 ? 0.1 : Number.NaN)));
    expect(() => steps(opt, 2)).toThrow(/scaleByLearningRate: lr schedule returned NaN at step 1/);
  });
});
