// 10,000 MLP training steps (784-256-128-10, batch 128, SGD) on the default wasm backend,
// sampling the resident set size; prints one JSON line. Run by run.ts in a child process so the
// figure is not mixed with TensorFlow.js's memory.
import { currentBackend } from '@ssam/tensor';
import { labels, randn, rng } from './data.js';
import { mlpTask, sgdStepper } from './ssam-models.js';

const steps = Number(process.env.RSS_STEPS ?? 10_000);
const every = Math.max(1, Math.floor(steps / 20));
const r = rng(7);
const step = sgdStepper(mlpTask(r, randn(r, [128, 784]), labels(r, 128, 10), 128), 0.01);
const mb = () => process.memoryUsage().rss / 2 ** 20;
const samples: [number, number][] = [[0, mb()]];
const t0 = performance.now();
let loss = 0;
for (let i = 1; i <= steps; i++) {
  loss = step();
  if (i % every === 0) samples.push([i, mb()]);
}
const seconds = (performance.now() - t0) / 1000;
const backend = currentBackend() as { describe?: () => string; memoryBytes?: () => number };
console.log(JSON.stringify({ steps, seconds, loss, samples, backend: backend.describe?.(), wasmBytes: backend.memoryBytes?.() ?? null }));
process.exit(0);
