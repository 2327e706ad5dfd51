// makeTrainStep eager vs { compile: true }: SGD and SAM steps of the MNIST MLP (b128) and
// ResNet-20 (b32), interleaved round by round in one process (order flipped every round); medians
// of per-round ratios.
//   cd packages/optim && SSAM_THREADS=1 taskset -c 0 node --conditions=source --import tsx bench/compiled-step.ts [rounds]
import { cpus } from 'node:os';
import { mlp, resnet20, softmaxCrossEntropy } from '@ssam/models';
import { random, tensor, type Tensor, type Tree } from '@ssam/tensor';
import { makeTrainStep, sam, sgd, type GradientTransformation, type Model, type OptState } from '../src/index.js';

const rounds = Number(process.argv[2] ?? 5);
const base = () => sgd({ lr: 0.05, momentum: 0.9, weightDecay: 5e-4 });
const median = (a: number[]) => [...a].sort((x, y) => x - y)[Math.floor(a.length / 2)]!;

function setup(model: Model, inShape: number[], n: number, optimizer: GradientTransformation<OptState>, compiled: boolean) {
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

console.log(`CPU: ${cpus()[0]?.model}; rounds ${rounds}; SSAM_THREADS=${process.env.SSAM_THREADS ?? 'default'}`);
console.log('| step | eager ms | compiled ms | eager / compiled |\n| --- | --- | --- | --- |');
for (const [name, model, shape, n] of [['MLP 784-256-128-10 b128', mlp([256, 128, 10]), [-1, 1, 28, 28], 128], ['ResNet-20 b32', resnet20(), [-1, 3, 32, 32], 32]] as const)
  for (const [oname, make] of [['SGD', base], ['SAM', () => sam({ rho: 0.05, base: base() })]] as const) {
    const e = setup(model as unknown as Model, [...shape], n, make(), false);
    const c = setup(model as unknown as Model, [...shape], n, make(), true);
    e(); c(); // warm-up (and the trace)
    const te: number[] = [], tc: number[] = [], ratio: number[] = [];
    for (let r = 0; r < rounds; r++) {
      // the order flips every round, so neither contender always runs on a warm cache
      const [a, b] = r % 2 === 0 ? [e(), c()] : (([bb, aa]) => [aa, bb])([c(), e()]);
      te.push(a); tc.push(b); ratio.push(a / b);
    }
    console.log(`| ${name} ${oname} | ${median(te).toFixed(1)} | ${median(tc).toFixed(1)} | ${median(ratio).toFixed(2)}× |`);
  }
