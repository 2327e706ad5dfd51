// One timed training step of the optim benches: `makeTrainStep` (eager or compiled) on a fixed
// random batch, carrying its params, model state and optimizer state from call to call.
import { softmaxCrossEntropy } from '@ssam/models';
import { random, tensor, type Tensor, type Tree } from '@ssam/tensor';
import { makeTrainStep, type GradientTransformation, type Model, type OptState } from '../src/index.js';

/** A function that runs one step and returns its wall time in ms. */
export function stepTimer(model: Model, inShape: number[], n: number, optimizer: GradientTransformation<OptState>, compiled: boolean): () => number {
  const [, p0, s0] = (model as unknown as { init(k: unknown, s: number[]): [unknown, Tree, Tree] }).init(random.key(0), inShape);
  const step = makeTrainStep({ model, loss: softmaxCrossEntropy, optimizer, compile: compiled });
  let params = p0 as Tree<Tensor>, state = s0, opt = optimizer.init(params);
  const x = random.normal(random.key(1), [n, ...inShape.slice(1)]);
  const y = tensor(Array.from({ length: n }, (_, i) => i % 10), [n], { dtype: 'int32' });
  return () => {
    const t0 = performance.now();
    const r = step(params, state, opt, { x, y }, random.key(2));
    [params, state, opt] = [r.params as Tree<Tensor>, r.modelState, r.optState];
    return performance.now() - t0;
  };
}
