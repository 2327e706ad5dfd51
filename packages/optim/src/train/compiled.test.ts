import { mlp, resnet20, smallCnn, softmaxCrossEntropy } from '@ssam/models';
import { add, random, tensor, type Tensor, type Tree } from '@ssam/tensor';
import { describe, expect, it } from 'vitest';
import { sam } from '../sam/sam.js';
import { ssamF } from '../sam/ssamF.js';
import { sgd } from '../sgd.js';
import { treesIdentical } from '../testing/index.js';
import type { GradientTransformation, OptState } from '../types.js';
import { makeTrainStep, type Model } from './trainStep.js';

// makeTrainStep({ compile: true }) runs each pass as one compiled plan; it must be the eager step,
// bit for bit (no reassociation happens in a plan), over several steps, for the two-pass SAM family too.
function run(model: Model, inShape: number[], optimizer: () => GradientTransformation<OptState>, compiled: boolean, steps: number) {
  const [, p0, s0] = (model as unknown as { init(k: unknown, s: number[]): [unknown, Tree, Tree] }).init(random.key(0), inShape);
  const opt = optimizer();
  const step = makeTrainStep({ model, loss: softmaxCrossEntropy, optimizer: opt, compile: compiled });
  let params = p0 as Tree<Tensor>, state = s0, optState = opt.init(params);
  const metrics: number[] = [];
  for (let t = 0; t < steps; t++) {
    const [kx, ky] = random.split(random.key(100 + t), 2);
    const n = 8;
    const x = random.normal(kx!, [n, ...inShape.slice(1)]);
    const y = tensor(Array.from(random.uniform(ky!, [n]).toArray(), (u) => Math.floor(u * 10) % 10), [n], { dtype: 'int32' });
    const r = step(params, state, optState, { x, y }, random.key(7 + t));
    [params, state, optState] = [r.params as Tree<Tensor>, r.modelState, r.optState];
    metrics.push(r.metrics.loss, r.metrics.accuracy, r.metrics.gradNorm, r.metrics.epsNorm, r.metrics.gradFnCalls);
  }
  return { params, state, optState, metrics };
}

const base = () => sgd({ lr: 0.05, momentum: 0.9, weightDecay: 5e-4 });
const cases: [string, Model, number[], () => GradientTransformation<OptState>][] = [
  ['MLP, SGD', mlp([32, 10]) as unknown as Model, [-1, 1, 6, 6], base],
  ['MLP, SAM', mlp([32, 10]) as unknown as Model, [-1, 1, 6, 6], () => sam({ rho: 0.05, base: base() })],
  ['small CNN, SAM', smallCnn() as unknown as Model, [-1, 1, 12, 12], () => sam({ rho: 0.05, base: base() })],
  ['small CNN, SSAM-F 50 %', smallCnn() as unknown as Model, [-1, 1, 12, 12], () => ssamF({ rho: 0.05, base: base(), sparsity: 0.5, numSamples: 4, interval: 1, intervalUnit: 'step' })],
];

describe('makeTrainStep({ compile: true })', () => {
  for (const [name, model, shape, optimizer] of cases)
    it(`${name}: the eager step's bits over 3 steps`, () => {
      const eager = run(model, shape, optimizer, false, 3);
      const compiled = run(model, shape, optimizer, true, 3);
      expect(compiled.metrics).toEqual(eager.metrics);
      expect(treesIdentical(compiled.params, eager.params)).toBe(true);
      expect(treesIdentical(compiled.state, eager.state)).toBe(true);
      expect(treesIdentical(compiled.optState, eager.optState)).toBe(true);
    });
  it('ResNet-20 (Winograd convs, BatchNorm, option-A shortcuts), SAM: one step, the same bits', () => {
    const opt = () => sam({ rho: 0.05, base: base() });
    const eager = run(resnet20() as unknown as Model, [-1, 3, 8, 8], opt, false, 1);
    const compiled = run(resnet20() as unknown as Model, [-1, 3, 8, 8], opt, true, 1);
    expect(compiled.metrics).toEqual(eager.metrics);
    expect(treesIdentical(compiled.params, eager.params)).toBe(true);
  });
  it('a model that draws from its key (dropout) is refused with compile: true, not run with a repeated draw', () => {
    const inner = mlp([4, 10]) as unknown as Model & { init(k: unknown, s: number[]): [unknown, Tree, Tree] };
    const noisy = { ...inner, apply: (p: never, st: never, x: Tensor, ctx: { train: boolean; key?: unknown }) => inner.apply(p, st, add(x, random.normal(ctx.key as never, x.shape)), ctx as never) } as unknown as Model;
    expect(() => run(noisy, [-1, 1, 6, 6], base, false, 1)).not.toThrow();
    expect(() => run(noisy, [-1, 1, 6, 6], base, true, 1)).toThrow(/random\.normal: draws random numbers on the host/);
  });
});
