// Where the time of one training step goes, per primitive: wraps a backend's kernels with timers.
// `node --conditions=source --import tsx scripts/profile.ts mlp|cnn [threads] [sgd|sam]`
import { PRIMITIVES, withBackend, referenceBackend, type Backend, type Kernels } from '@ssam/tensor';
import { createWasmBackend } from '@ssam/tensor/wasm';
import { labels, randn, rng } from '../src/data.js';
import { cnnTask, mlpTask, samStepper, sgdStepper } from '../src/ssam-models.js';

const [model = 'mlp', threadsArg = '1', opt = 'sgd'] = process.argv.slice(2);
const base: Backend = threadsArg === 'ref' ? referenceBackend : createWasmBackend({ threads: Number(threadsArg) });
const time = new Map<string, number>(), calls = new Map<string, number>();
const kernels = Object.fromEntries(
  PRIMITIVES.map((p) => [p, (inputs: never, attrs: never) => {
    const t0 = performance.now();
    const out = (base.kernels[p] as (i: never, a: never) => unknown)(inputs, attrs);
    const key = `${p} ${(inputs as { shape: number[] }[]).map((t) => `[${t.shape.join(',')}]`).join(' ')}`;
    time.set(key, (time.get(key) ?? 0) + performance.now() - t0);
    calls.set(key, (calls.get(key) ?? 0) + 1);
    return out;
  }]),
) as unknown as Kernels;
const timed: Backend = { name: 'timed', kernels };
const r = rng(2);
const batch = model === 'mlp' ? 128 : 64;
const x = randn(r, model === 'mlp' ? [batch, 784] : [batch, 3, 32, 32]), y = labels(r, batch, 10);
const task = (model === 'mlp' ? mlpTask : cnnTask)(rng(3), x, y, batch);
const step = withBackend(timed, () => (opt === 'sam' ? samStepper : sgdStepper)(task));
for (let i = 0; i < 5; i++) withBackend(timed, step);
time.clear();
calls.clear();
const N = 20;
const t0 = performance.now();
for (let i = 0; i < N; i++) withBackend(timed, step);
const total = (performance.now() - t0) / N;
const kernelTotal = [...time.values()].reduce((a, b) => a + b, 0) / N;
console.log(`${model} ${opt} on ${base.describe?.()}: ${total.toFixed(2)} ms/step, kernels ${kernelTotal.toFixed(2)} ms, other (autograd, optimizer, JS) ${(total - kernelTotal).toFixed(2)} ms`);
for (const [k, v] of [...time].sort((a, b) => b[1] - a[1]).slice(0, 25))
  console.log(`${(v / N).toFixed(3).padStart(8)} ms  ${String(calls.get(k)! / N).padStart(4)}×  ${k}`);
process.exit(0);
