// `pnpm bench` for @ssam/autograd: the cost of taping (valueAndGrad vs the same kernels called by
// hand), exact hvp / jvp costs, and memory over 10,000 valueAndGrad calls.
// Run pinned: `taskset -c 0 node --conditions=source --import tsx bench/run.ts`.
import v8 from 'node:v8';
import vm from 'node:vm';
import { tree, type Tree } from '@ssam/tensor';
import { hvp, jvp, valueAndGrad } from '../src/index.js';
import { batch, handValueAndGrad, initMlp, mlpLoss, sgd, type Mlp } from './mlp.js';
import { machineLine, markdownTable, timeIt, writeSection } from '../../../tools/bench-report.js';

v8.setFlagsFromString('--expose-gc');
const gc = vm.runInNewContext('gc') as () => void;
const fmt = (ms: number) => (ms >= 1000 ? `${(ms / 1000).toFixed(2)} s` : `${ms.toFixed(1)} ms`);
const mb = (b: number) => `${(b / 2 ** 20).toFixed(1)} MiB`;

// 1. Speed: MLP 784-256-128-10, batch 128.
const [x, y] = batch(128, 784, 10);
const p = initMlp([784, 256, 128, 10]);
const loss = mlpLoss(x, y);
const auto = valueAndGrad(loss);
const [la, ga] = auto(p);
const [lh, gh] = handValueAndGrad(x, y, p);
const maxDiff = Math.max(...tree.leaves(tree.sub(ga as unknown as Tree, gh as unknown as Tree)).map((d) => Array.from(d.toArray(), Math.abs).reduce((m, v) => Math.max(m, v), 0)));
console.log(`loss autograd ${la.item()} by hand ${lh.item()}, max |grad difference| ${maxDiff.toExponential(2)}`);

const reps = 15;
// Interleave the two so that drift in machine load hits both alike.
const times = { auto: [] as number[], hand: [] as number[], fwd: [] as number[] };
for (let r = 0; r < reps + 2; r++) {
  const a = timeIt(() => void auto(p), { reps: 1, warmup: 0 }).median;
  const h = timeIt(() => void handValueAndGrad(x, y, p), { reps: 1, warmup: 0 }).median;
  const f = timeIt(() => void loss(p), { reps: 1, warmup: 0 }).median;
  if (r >= 2) (times.auto.push(a), times.hand.push(h), times.fwd.push(f));
}
const med = (s: number[]) => [...s].sort((a, b) => a - b)[Math.floor(s.length / 2)]!;
const [tAuto, tHand, tFwd] = [med(times.auto), med(times.hand), med(times.fwd)];
const ratio = tAuto / tHand;
console.log(`valueAndGrad ${fmt(tAuto)}, by hand ${fmt(tHand)}, ratio ${ratio.toFixed(3)}, forward ${fmt(tFwd)}`);

const v = tree.map((l) => l, p as unknown as Tree) as unknown as Mlp;
const tHvp = timeIt(() => void hvp(loss, p, v), { reps: 5, warmup: 1 }).median;
const tJvp = timeIt(() => void jvp(loss, p, v), { reps: 5, warmup: 1 }).median;
console.log(`hvp ${fmt(tHvp)}, jvp ${fmt(tJvp)}`);

// 2. Memory: 10,000 valueAndGrad + SGD steps of a small MLP (20-32-32-10, batch 16).
const CALLS = 10_000, EVERY = 1_000;
const [xs, ys] = batch(16, 20, 10);
const small = valueAndGrad(mlpLoss(xs, ys));
let q = initMlp([20, 32, 32, 10]);
const settle = () => { for (let i = 0; i < 3; i++) gc(); };
const samples: { calls: number; heap: number; rss: number; buffers: number }[] = [];
const sample = (calls: number) => {
  settle();
  const m = process.memoryUsage();
  samples.push({ calls, heap: m.heapUsed, rss: m.rss, buffers: m.arrayBuffers });
};
for (let i = 0; i < 200; i++) q = sgd(q, small(q)[1], 0.01); // warm up the JIT before the baseline
sample(0);
const t0 = performance.now();
for (let i = 1; i <= CALLS; i++) {
  q = sgd(q, small(q)[1], 0.01);
  if (i % EVERY === 0) sample(i);
}
const perCall = (performance.now() - t0) / CALLS;
const first = samples[0]!, last = samples[samples.length - 1]!, mid = samples[Math.floor(samples.length / 2)]!;
const maxHeap = Math.max(...samples.map((s) => s.heap)), maxRss = Math.max(...samples.map((s) => s.rss));
console.log(`memory: heap ${mb(first.heap)} → ${mb(last.heap)} (max ${mb(maxHeap)}), rss ${mb(first.rss)} → ${mb(last.rss)} (max ${mb(maxRss)})`);

writeSection(
  'autograd',
  `## @ssam/autograd

Command: \`cd packages/autograd && pnpm bench\` (\`taskset -c 0 node --conditions=source --import tsx bench/run.ts\`), reference backend. Machine: ${machineLine()}.

### Cost of the tape: MLP 784-256-128-10 (relu), batch 128, softmax cross-entropy

"By hand" calls the same kernels in the right order with the closed-form loss gradient (softmax − onehot) / B and no input gradient; the two results agree to ${maxDiff.toExponential(1)}. Medians of ${reps} interleaved runs after 2 warm-ups.

${markdownTable(['operation', 'median', 'relative to by hand'], [
    ['forward only (loss)', fmt(tFwd), (tFwd / tHand).toFixed(2)],
    ['forward + backward by hand', fmt(tHand), '1.00'],
    ['**valueAndGrad** (forward + backward)', fmt(tAuto), `**${ratio.toFixed(2)}**`],
    ['hvp (exact, reverse over reverse)', fmt(tHvp), (tHvp / tHand).toFixed(2)],
    ['jvp (exact, by linear transposition)', fmt(tJvp), (tJvp / tHand).toFixed(2)],
  ])}

Target: valueAndGrad ≤ 1.3 × by hand. Measured: **${ratio.toFixed(2)} ×**.

### Memory over ${CALLS.toLocaleString('en')} valueAndGrad calls

MLP 20-32-32-10, batch 16, each call followed by an SGD update (new parameter tensors every step); measured after a forced GC every ${EVERY.toLocaleString('en')} calls (after 200 warm-up calls). ${perCall.toFixed(2)} ms per call.

${markdownTable(['calls', 'heap used', 'array buffers', 'RSS'], samples.filter((_, i) => i % 2 === 0 || i === samples.length - 1).map((s) => [s.calls.toLocaleString('en'), mb(s.heap), mb(s.buffers), mb(s.rss)]))}

Heap growth from call 0 to ${CALLS.toLocaleString('en')}: ${mb(last.heap - first.heap)} (max ${mb(maxHeap - first.heap)} above the start); RSS growth ${mb(last.rss - first.rss)} in all, ${mb(last.rss - mid.rss)} over the second half. ${last.heap - first.heap < 2 ** 20 && last.rss - mid.rss < 2 * 2 ** 20 ? 'Flat' : 'NOT flat: investigate'}. The tape holds its intermediates only until the pullback has used them, and nothing global keeps a tensor after a call.
`,
);
