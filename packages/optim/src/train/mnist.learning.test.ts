import { epochBatches, loadMnist, numBatches } from '@ssam/data';
import { mlp, softmaxCrossEntropy } from '@ssam/models';
import { argmax, div, equal, random, sub, sum, type Key, type Tensor } from '@ssam/tensor';
import { describe, expect, it } from 'vitest';
import { sam } from '../sam/sam.js';
import { ssamD } from '../sam/ssamD.js';
import { ssamF } from '../sam/ssamF.js';
import { warmupCosineSchedule } from '../schedules.js';
import { sgd } from '../sgd.js';
import type { GradientTransformation, Params } from '../types.js';
import { makeTrainStep } from './trainStep.js';

// Learning for real: an MLP (784 → 256 → 10) trained on the first 5,000 MNIST training images for
// 5 epochs must reach ≥ 95 % on all 10,000 test images with each optimizer. Recipe: inputs
// standardised, batch 32, SGD momentum 0.9 with a cosine learning rate from 0.05, label smoothing
// 0.1; ρ = 0.05; SSAM at s = 0.5 (SSAM-F: 128 Fisher examples from the training set, once per epoch).
// Everything is seeded, so the run is deterministic on a given backend.

const EPOCHS = 5;
const BATCH = 32;
const train = loadMnist({ split: 'train' }).subset(5000);
const test = loadMnist({ split: 'test' });
const standardise = (x: Tensor) => div(sub(x, 0.1307), 0.3081);
const stepsPerEpoch = numBatches(train.length, BATCH);
const base = () => sgd({ lr: warmupCosineSchedule({ peak: 0.05, totalSteps: EPOCHS * stepsPerEpoch }), momentum: 0.9 });
const fisherSample = (key: Key, n: number) => {
  const b = train.batch(random.permutation(key, train.length).toArray().subarray(0, n));
  return { x: standardise(b.x), y: b.y };
};

const model = mlp([256, 10]);
const [, params0, state0] = model.init(random.key(0), [-1, 1, 28, 28]);

function testAccuracy(params: Params, state: unknown): number {
  let correct = 0;
  for (let i = 0; i < test.length; i += 2500) {
    const b = test.batch(Int32Array.from({ length: Math.min(2500, test.length - i) }, (_, j) => i + j));
    const [logits] = model.apply(params, state as never, standardise(b.x), { train: false });
    correct += sum(equal(argmax(logits as Tensor, 1), b.y)).item();
  }
  return correct / test.length;
}

function trainWith(optimizer: GradientTransformation<any>): { accuracy: number; passes: number } {
  const step = makeTrainStep({
    model,
    loss: (logits, y) => softmaxCrossEntropy(logits, y, { labelSmoothing: 0.1 }),
    optimizer,
    fisher: { sample: fisherSample },
  });
  let [params, state, opt] = [params0 as Params, state0, optimizer.init(params0 as Params)];
  let passes = 0;
  let t = 0;
  for (let e = 0; e < EPOCHS; e++)
    for (const b of epochBatches(train, { batchSize: BATCH, key: random.key(1), epoch: e })) {
      const r = step(params, state, opt, { x: standardise(b.x), y: b.y }, random.foldIn(random.key(2), t++));
      expect(r.metrics.skipped).toBe(0);
      passes += 1 + r.metrics.gradFnCalls;
      [params, state, opt] = [r.params, r.modelState, r.optState];
    }
  return { accuracy: testAccuracy(params, state), passes };
}

describe('learning MNIST for real (5,000 training images, 5 epochs, 10,000 test images)', () => {
  const steps = EPOCHS * stepsPerEpoch;
  const cases: [string, () => GradientTransformation<any>, number][] = [
    ['SGD', base, steps],
    ['SAM', () => sam({ rho: 0.05, base: base() }), 2 * steps],
    ['SSAM-F (s = 0.5)', () => ssamF({ rho: 0.05, base: base(), sparsity: 0.5, numSamples: 128, stepsPerEpoch }), 2 * steps],
    ['SSAM-D (s = 0.5)', () => ssamD({ rho: 0.05, base: base(), sparsity: 0.5, totalEpochs: EPOCHS, stepsPerEpoch }), 2 * steps],
  ];
  for (const [name, make, passes] of cases)
    it(`${name} reaches ≥ 95 % test accuracy`, () => {
      const r = trainWith(make());
      console.log(`${name}: test accuracy ${(100 * r.accuracy).toFixed(2)} %, ${r.passes} gradient passes`);
      expect(r.passes).toBe(passes);
      expect(r.accuracy).toBeGreaterThanOrEqual(0.95);
    });
});
