import { valueAndGrad } from '@ssam/autograd';
import { mlp, smallCnn, type Layer, type Params } from '@ssam/models';
import { logSoftmax, matmul, mean, random, referenceBackend, relu, tanh, tensor, tree, withBackend, type Tensor } from '@ssam/tensor';
import { expectAllClose, expectTreeAllClose, seededTensor } from '@ssam/tensor/testing';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { describeGl } from './gl.test-util.js';
import { gpuBackend, isOnGpu, type GpuBackend } from './index.js';
import { samStep, type SamStepResult } from './sam-step.test-util.js';

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
  const samBoth = (model: Layer, inShape: number[], classes: number): [SamStepResult, SamStepResult, Params] => {
    const [, params, state] = withBackend(referenceBackend, () => model.init(random.key(7), inShape));
    const n = inShape[0]!;
    const x = seededTensor(inShape, 11);
    const y = tensor(Array.from({ length: n }, (_, i) => (i * 7) % classes), [n], { dtype: 'int32' });
    const run = () => {
      const s = samStep(model);
      return s.step(params, state, s.init(params), x, y);
    };
    return [withBackend(gpu, run), withBackend(referenceBackend, run), params];
  };

  const compare = ([g, c, start]: [SamStepResult, SamStepResult, Params]) => {
    expect([g.gradFnCalls, c.gradFnCalls]).toEqual([1, 1]); // the SAM perturbed pass ran
    expect(g.loss).toBeCloseTo(c.loss, 4);
    expect(g.gradNorm).toBeCloseTo(c.gradNorm, 4);
    expect(tree.leaves(g.params).some((t) => isOnGpu(t as Tensor))).toBe(true);
    // The SAM step moved the parameters (by lr · the gradient at the perturbed point) ...
    const moved = withBackend(referenceBackend, () => tree.norm(tree.sub(c.params, start)).item());
    expect(moved).toBeGreaterThan(1e-3);
    // ... and identically on both backends.
    expectTreeAllClose(g.params, c.params, { rtol: 1e-4, atol: 1e-5 });
  };

  it('one SAM step of the MLP', () => {
    compare(samBoth(mlp([32, 10]), [16, 48], 10));
  });

  it('one SAM step of the small CNN', () => {
    const launches = gpu.stats().launches;
    compare(samBoth(smallCnn({ numClasses: 5 }), [4, 3, 8, 8], 5));
    expect(gpu.stats().launches - launches).toBeGreaterThan(100);
    expect(Object.keys(gpu.stats().cpuRuns).every((k) => /:(int32|empty)$/.test(k))).toBe(true);
  });

  it('relu through autograd on GPU tensors routes gradients like the CPU', () => {
    const x = seededTensor([4, 9], 5, { min: -1, max: 1 });
    const f = (t: Tensor) => mean(relu(t));
    expectAllClose(withBackend(gpu, () => valueAndGrad(f)(x)[1]), withBackend(referenceBackend, () => valueAndGrad(f)(x)[1]));
  });
});
