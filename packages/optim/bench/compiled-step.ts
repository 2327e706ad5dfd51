// makeTrainStep eager vs { compile: true }: SGD and SAM steps of the MNIST MLP (b128) and
// ResNet-20 (b32), interleaved round by round in one process (order flipped every round); medians
// of per-round ratios.
//   cd packages/optim && SSAM_THREADS=1 taskset -c 0 node --conditions=source --import tsx bench/compiled-step.ts [rounds]
import { cpus } from 'node:os';
import { currentBackend } from '@ssam/tensor';
import { mlp, resnet20 } from '@ssam/models';
import { sam, sgd, type Model } from '../src/index.js';
import { stepTimer } from './step-timer.js';

const rounds = Number(process.argv[2] ?? 5);
const base = () => sgd({ lr: 0.05, momentum: 0.9, weightDecay: 5e-4 });
const median = (a: number[]) => [...a].sort((x, y) => x - y)[Math.floor(a.length / 2)]!;


console.log(`CPU: ${cpus()[0]?.model}; rounds ${rounds}; SSAM_THREADS=${process.env.SSAM_THREADS ?? 'default'}; backend: ${currentBackend().describe()}`);
console.log('| step | eager ms | compiled ms | eager / compiled |\n| --- | --- | --- | --- |');
for (const [name, model, shape, n] of [['MLP 784-256-128-10 b128', mlp([256, 128, 10]), [-1, 1, 28, 28], 128], ['ResNet-20 b32', resnet20(), [-1, 3, 32, 32], 32]] as const)
  for (const [oname, make] of [['SGD', base], ['SAM', () => sam({ rho: 0.05, base: base() })]] as const) {
    const e = stepTimer(model as unknown as Model, [...shape], n, make(), false);
    const c = stepTimer(model as unknown as Model, [...shape], n, make(), true);
    e(); c(); // warm-up (and the trace)
    const te: number[] = [], tc: number[] = [], ratio: number[] = [];
    for (let r = 0; r < rounds; r++) {
      // the order flips every round, so neither contender always runs on a warm cache
      const [a, b] = r % 2 === 0 ? [e(), c()] : (([bb, aa]) => [aa, bb])([c(), e()]);
      te.push(a); tc.push(b); ratio.push(a / b);
    }
    console.log(`| ${name} ${oname} | ${median(te).toFixed(1)} | ${median(tc).toFixed(1)} | ${median(ratio).toFixed(2)}× |`);
  }
