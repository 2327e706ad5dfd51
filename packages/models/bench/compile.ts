// `pnpm bench:compile` for @ssam/models: a value-and-grad training step (forward, loss, backward)
// eager against compile(step), interleaved round by round in this one process (the order flips
// every round), with the median of the per-round ratios, and the GC pause time per step (from
// perf_hooks 'gc' entries inside each step's window). Run pinned:
// `taskset -c 0 node --conditions=source --import tsx bench/compile.ts` (SSAM_THREADS=1).
import { PerformanceObserver } from 'node:perf_hooks';
import { compile, random, tree, withBackend, type Tensor } from '@ssam/tensor';
import { createWasmBackend } from '@ssam/tensor/wasm';
import { valueAndGrad } from '@ssam/autograd';
import { mlp, resnet20, softmaxCrossEntropy, type Layer, type Params } from '../src/index.js';
import { machineLine, markdownTable, writeSection } from '../../../tools/bench-report.js';

const backend = createWasmBackend({ threads: Number(process.env.SSAM_THREADS ?? 1) });
const gcs: { start: number; duration: number }[] = [];
const obs = new PerformanceObserver((list) => list.getEntries().forEach((e) => gcs.push({ start: e.startTime, duration: e.duration })));
obs.observe({ entryTypes: ['gc'] });
const flush = () => new Promise<void>((r) => setImmediate(r));
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;

function workload(model: Layer, shape: number[]) {
  const [, params, state] = model.init(random.key(0), shape);
  const x = random.normal(random.key(1), shape);
  const y = random.randint(random.key(2), [shape[0]!], 0, 10);
  const step = (p: Params, xb: Tensor, yb: Tensor) =>
    valueAndGrad((q: Params) => {
      const [logits, s] = model.apply(q, state, xb, { train: true });
      return [softmaxCrossEntropy(logits as Tensor, yb), s] as const;
    }, { hasAux: true })(p);
  return { params, x, y, step };
}

const bitsOf = (r: unknown) => tree.leaves(r as tree.Tree).flatMap((t) => Array.from(new Uint32Array(t.toArray().buffer)));

async function compare(label: string, model: Layer, shape: number[], rounds: number): Promise<(string | number)[]> {
  const { params, x, y, step } = workload(model, shape);
  const compiled = compile(step);
  const run = { eager: () => step(params, x, y), compiled: () => compiled(params, x, y) };
  const same = bitsOf(run.eager()).join() === bitsOf(run.compiled()).join();
  for (let w = 0; w < 2; w++) [run.eager(), run.compiled()];
  const t: Record<'eager' | 'compiled', number[]> = { eager: [], compiled: [] };
  const gc: Record<'eager' | 'compiled', number[]> = { eager: [], compiled: [] };
  const ratios: number[] = [];
  for (let r = 0; r < rounds; r++) {
    const order = r % 2 === 0 ? (['eager', 'compiled'] as const) : (['compiled', 'eager'] as const);
    const windows: Record<string, [number, number]> = {};
    for (const k of order) {
      const t0 = performance.now();
      run[k]();
      const t1 = performance.now();
      windows[k] = [t0, t1];
      t[k].push(t1 - t0);
      await flush();
    }
    await flush();
    for (const k of order) {
      const [a, b] = windows[k]!;
      gc[k].push(gcs.filter((g) => g.start >= a && g.start < b).reduce((s, g) => s + g.duration, 0));
    }
    ratios.push(t.eager.at(-1)! / t.compiled.at(-1)!);
  }
  const row = [label, median(t.eager).toFixed(1), median(t.compiled).toFixed(1), `${median(ratios).toFixed(2)}×`, median(gc.eager).toFixed(1), median(gc.compiled).toFixed(1), same ? 'yes' : 'NO'];
  console.log(row.join(' | '));
  return row;
}

await withBackend(backend, async () => {
  const rows = [
    await compare('MLP 784-256-128-10, batch 128', mlp([256, 128, 10]), [128, 1, 28, 28], Number(process.env.BENCH_ROUNDS ?? 30)),
    await compare('ResNet-20, batch 32', resnet20(), [32, 3, 32, 32], Number(process.env.BENCH_ROUNDS_R20 ?? 8)),
  ];
  const body = `## compile: resident plans against eager (@ssam/models)

Value-and-grad step (forward + softmax cross-entropy + backward, BatchNorm in training mode) on random input, eager against \`compile(step)\` on the wasm backend (${backend.describe?.()}). Interleaved in one process, the order flipping every round; times are medians (ms); "speedup" is the median of the per-round ratios eager/compiled; GC is the median per step of the V8 GC pauses (perf_hooks 'gc' entries) inside the step. "same bits" checks the compiled loss and gradients against eager. The machine was NOT quiet (other jobs shared it).
Command: \`cd packages/models && SSAM_THREADS=1 pnpm bench:compile\` (\`taskset -c 0 node --conditions=source --import tsx bench/compile.ts\`). Machine: ${machineLine()}.

${markdownTable(['step', 'eager ms', 'compiled ms', 'speedup', 'GC ms/step eager', 'GC ms/step compiled', 'same bits'], rows)}`;
  writeSection('compile', body);
  console.log(body);
});
obs.disconnect();
backend.dispose();
