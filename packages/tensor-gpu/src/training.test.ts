import { valueAndGrad } from '@ssam/autograd';
import { mlp, smallCnn, softmaxCrossEntropy, type Layer } from '@ssam/models';
import { makeTrainStep, sam, sgd, type TrainStepResult } from '@ssam/optim';
import { logSoftmax, matmul, mean, random, referenceBackend, relu, tanh, tensor, tree, withBackend, type Tensor } from '@ssam/tensor';
import { expectAllClose, expectTreeAllClose, seededTensor } from '@ssam/tensor/testing';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { describeGl } from './gl.test-util.js';
import { gpuBackend, isOnGpu, type GpuBackend } from './index.js';

// Autograd and the optimizers run unchanged on the gpu backend: the same code, another backend.
describeGl('training on the gpu backend matches the CPU', () => {
  let gpu: GpuBackend;
  beforeAll(() => {
    gpu = gpuBackend({ mode: 'headlessgl', cpuThreshold: 0 });
  });
  afterAll(() => gpu.destroy());

  it('valueAndGrad of a two-layer network', () => {
    const x = seededTensor([6, 5], 1);
    const params = { w1: seededTensor([5, 7], 2), w2: seededTensor([7, 3], 3) };
    const f = (p: typeof params) => mean(logSoftmax(matmul(tanh(matmul(x, p.w1)), p.w2), -1));
    const [vg, gg] = withBackend(gpu, () => valueAndGrad(f)(params));
    const [vc, gc] = withBackend(referenceBackend, () => valueAndGrad(f)(params));
    expect(isOnGpu(gg.w1)).toBe(true);
    expectAllClose(vg, vc, { rtol: 1e-5 });
    expectTreeAllClose(gg, gc, { rtol: 1e-4, atol: 1e-6 });
  });

  /** One SAM(SGD) step of `model` on both backends from the same parameters and batch. */
  const samStep = (model: Layer, inShape: number[], classes: number): [TrainStepResult, TrainStepResult] => {
    const [, params, state] = withBackend(referenceBackend, () => model.init(random.key(7), inShape));
    const n = inShape[0]!;
    const batch = { x: seededTensor(inShape, 11), y: tensor(Array.from({ length: n }, (_, i) => (i * 7) % classes), [n], { dtype: 'int32' }) };
    const step = makeTrainStep({ model, loss: softmaxCrossEntropy, optimizer: sam({ rho: 0.05, base: sgd({ lr: 0.1, momentum: 0.9 }) }) });
    const run = () => {
      const optimizer = sam({ rho: 0.05, base: sgd({ lr: 0.1, momentum: 0.9 }) });
      return step(params, state, optimizer.init(params), batch, random.key(3));
    };
    return [withBackend(gpu, run), withBackend(referenceBackend, run)];
  };

  const compare = ([g, c]: [TrainStepResult, TrainStepResult]) => {
    expect(g.metrics.gradFnCalls).toBe(1); // the SAM second pass really ran
    expect(g.metrics.loss).toBeCloseTo(c.metrics.loss, 4);
    expect(g.metrics.gradNorm).toBeCloseTo(c.metrics.gradNorm, 4);
    expect(g.metrics.epsNorm).toBeCloseTo(c.metrics.epsNorm, 5);
    expect(g.metrics.perturbedLoss).toBeCloseTo(c.metrics.perturbedLoss, 4);
    expectTreeAllClose(g.params, c.params, { rtol: 1e-4, atol: 1e-5 });
    expect(tree.leaves(g.params).some((t) => isOnGpu(t as Tensor))).toBe(true);
  };

  it('one SAM step of the MLP', () => {
    compare(samStep(mlp([32, 10]), [16, 48], 10));
  });

  it('one SAM step of the small CNN', () => {
    const launches = gpu.stats().launches;
    compare(samStep(smallCnn({ numClasses: 5 }), [4, 3, 8, 8], 5));
    expect(gpu.stats().launches - launches).toBeGreaterThan(100);
    expect(Object.keys(gpu.stats().cpuRuns).every((k) => /:(int32|empty)$/.test(k))).toBe(true);
  });

  it('relu through autograd on GPU tensors routes gradients like the CPU', () => {
    const x = seededTensor([4, 9], 5, { min: -1, max: 1 });
    const f = (t: Tensor) => mean(relu(t));
    expectAllClose(withBackend(gpu, () => valueAndGrad(f)(x)[1]), withBackend(referenceBackend, () => valueAndGrad(f)(x)[1]));
  });
});
