import { random, sum, tensor, type Key, type Tensor } from '@ssam/tensor';
import { checkVjp } from '@ssam/autograd/testing';
import { describe, it } from 'vitest';
import { fanInConcat, fanOut, parallel, residual, serial } from './combinators.js';
import type { Layer, Params, State, Value } from './layer.js';
import { gelu, identity, relu, sigmoid, tanh } from './layers/activations.js';
import { batchNorm } from './layers/batchnorm.js';
import { conv2d } from './layers/conv.js';
import { dense } from './layers/dense.js';
import { dropout } from './layers/dropout.js';
import { avgPool, globalAvgPool, maxPool } from './layers/pooling.js';
import { flatten } from './layers/reshape.js';
import { softmaxCrossEntropy } from './losses.js';
import { resnetCifar } from './models/resnet.js';
import { lenet5 } from './models/simple.js';
import { wideResNet } from './models/wide-resnet.js';

// Every layer's reverse-mode derivatives, through small models, against central differences
// (checkVjp: ⟨pullback(ct), t⟩ vs ⟨ct, (f(x + ht) − f(x − ht)) / 2h⟩ along random directions).
// Inputs are random; ReLU and max-pool kinks are measure-zero and the fixed seeds stay clear of them.
const opts = { eps: 1e-3, rtol: 2e-2, atol: 1e-3 };

function check(model: Layer, inShape: number[], ctx: { train: boolean; key?: Key }, seed = 0) {
  const [, params, state] = model.init(random.key(seed), inShape);
  const x = random.normal(random.key(seed + 100), inShape);
  const out = (p: Params, s: State, v: Value) => model.apply(p, s, v, ctx)[0];
  checkVjp((p: Params) => out(p, state, x), params, opts);
  checkVjp((v: Tensor) => out(params, state, v), x, opts);
  return { params, state, x };
}

describe('checkVjp through layers', () => {
  it('dense, gelu, tanh, sigmoid (MLP)', () => {
    check(serial({ fc1: dense(5), gelu, fc2: dense(4), tanh, fc3: dense(3, { bias: false }), sigmoid }), [3, 4], { train: false });
  });

  it('conv2d (bias, stride, padding, groups, dilation), relu, maxPool, avgPool, flatten', () => {
    check(
      serial({
        c1: conv2d(4, 3, { padding: 1 }),
        relu,
        c2: conv2d(4, 3, { stride: 2, padding: 'same', groups: 2, bias: false }),
        mp: maxPool({ kernel: 2, stride: 1 }),
        c3: conv2d(2, 2, { dilation: 2, padding: 1 }),
        ap: avgPool({ kernel: 2, padding: 1, countIncludePad: false }),
        flatten,
        fc: dense(3),
      }),
      [2, 2, 6, 6],
      { train: false },
    );
  });

  it('batchNorm in training (through the batch statistics) and in evaluation, on [N, C, H, W] and [N, C]', () => {
    check(serial({ conv: conv2d(3, 3, { padding: 1, bias: false }), bn: batchNorm(), pool: globalAvgPool }), [3, 2, 4, 4], { train: true });
    check(serial({ fc: dense(3), bn: batchNorm() }), [5, 4], { train: true });
    const m = serial({ conv: conv2d(3, 1), bn: batchNorm() });
    const [, p, s] = m.init(random.key(1), [2, 2, 3, 3]);
    const [, trained] = m.apply(p, s, random.normal(random.key(2), [2, 2, 3, 3], { mean: 1 }), { train: true });
    const x = random.normal(random.key(3), [2, 2, 3, 3]);
    checkVjp((q: Params) => m.apply(q, trained, x, { train: false })[0], p, opts);
  });

  it('dropout with a fixed key, identity, fanOut / parallel / fanInConcat', () => {
    check(serial({ fc: dense(6), drop: dropout(0.5), id: identity }), [4, 3], { train: true, key: random.key(9) });
    check(serial(fanOut(2), parallel({ a: dense(2), b: serial({ fc: dense(3), tanh }) }), fanInConcat(1), dense(2)), [3, 4], { train: false });
  });

  it('residual with a projection shortcut and a post activation', () => {
    check(residual(serial({ fc1: dense(4), tanh, fc2: dense(3) }), dense(3, { bias: false }), { post: gelu }), [3, 2], { train: false });
  });
});

describe('checkVjp through models and the loss', () => {
  const labels = tensor([0, 2, 1], [3], { dtype: 'int32' });
  const lossCheck = (model: Layer, inShape: number[], ctx: { train: boolean; key?: Key }, loss = (z: Tensor) => softmaxCrossEntropy(z, labels)) => {
    const [, params, state] = model.init(random.key(4), inShape);
    const x = random.normal(random.key(5), inShape);
    checkVjp((p: Params) => loss(model.apply(p, state, x, ctx)[0] as Tensor), params, opts);
  };

  it('a CIFAR ResNet (option A and option B shortcuts) in training mode, small widths', () => {
    lossCheck(resnetCifar({ depth: 8, widths: [2, 4, 8], numClasses: 3 }), [3, 3, 8, 8], { train: true });
    lossCheck(resnetCifar({ depth: 8, widths: [2, 3, 4], shortcut: 'B', numClasses: 3 }), [3, 3, 8, 8], { train: true });
  });

  it('a WideResNet with dropout (key given), and LeNet-5 with a label-smoothed loss', () => {
    lossCheck(wideResNet({ depth: 10, width: 1, dropRate: 0.2, numClasses: 3 }), [3, 3, 8, 8], { train: true, key: random.key(6) });
    lossCheck(lenet5({ numClasses: 3, padding: 2 }), [3, 1, 12, 12], { train: false }, (z) => softmaxCrossEntropy(z, labels, { labelSmoothing: 0.1, smoothing: 'kl' }));
  });

  it('the losses themselves, in both smoothing forms', () => {
    const z = random.normal(random.key(7), [3, 4], { std: 2 });
    for (const o of [{}, { labelSmoothing: 0.2 }, { labelSmoothing: 0.2, smoothing: 'kl' as const }, { reduction: 'none' as const }])
      checkVjp((v: Tensor) => softmaxCrossEntropy(v, labels, o), z, opts);
    checkVjp((v: Tensor) => sum(softmaxCrossEntropy(v, labels, { reduction: 'sum' })), z, opts);
  });
});
