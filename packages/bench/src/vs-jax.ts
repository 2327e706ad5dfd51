// `pnpm --filter @ssam/bench bench:jax`: @ssam's wasm backend (1 thread) against jax-js
// (@jax-js/jax 0.1.25, `init('wasm')`) on one pinned core, in one process, interleaved round by
// round: matmul 512³ and the MLP 784-256-128-10 batch-128 SGD step (jax-js: value-and-grad and the
// update under one `jit`; @ssam: sgdStepper, eager autograd as in the main table). The figure that
// counts is the median of the per-round ratios, which a busy neighbour moves less than either time.
// Run: `taskset -c 0 node --conditions=source --import tsx src/vs-jax.ts`; SSAM_BENCH_ROUNDS (21).
import os from 'node:os';
import { init } from '@jax-js/jax';
import { matmul, tensor, withBackend } from '@ssam/tensor';
import { createWasmBackend } from '@ssam/tensor/wasm';
import { machineLine, markdownTable, writeSection } from '../../../tools/bench-report.ts';
import { labels, randn, rng } from './data.js';
import { jaxMatmul, jaxMlpSgd } from './jax-models.js';
import { mlpTask, sgdStepper } from './ssam-models.js';
import { summarize, timeInterleaved, type Contender } from './timing.js';

const ROUNDS = Number(process.env.SSAM_BENCH_ROUNDS ?? 21);
const log = (s: string) => process.stderr.write(`${s}\n`);
const devices = await init('wasm');
if (!devices.includes('wasm')) throw new Error(`jax-js init('wasm') gave devices ${devices.join(', ')}`);
// jax-js starts Web Workers only where a global Worker exists (browsers); Node 20 has none, so it
// runs its wasm kernels on the calling thread, as @ssam's 1 thread does. The table says which.
const jaxThreads = typeof (globalThis as { Worker?: unknown }).Worker === 'function' ? 'Web Workers available' : 'no global Worker: 1 thread';
const wasm1 = createWasmBackend({ threads: 1 });
const S = '@ssam wasm 1 thread', J = 'jax-js wasm (jit)';
const ours = (make: () => () => unknown): Contender => {
  const f = withBackend(wasm1, make);
  return { name: S, run: () => withBackend(wasm1, f) };
};

const r = rng(1);
const a = randn(r, [512, 512]), b = randn(r, [512, 512]);
const A = tensor(a, [512, 512]), B = tensor(b, [512, 512]);
log('matmul 512³ ...');
const mm = await timeInterleaved([ours(() => () => matmul(A, B)), { name: J, run: jaxMatmul(a, b, 512) }], 2 * ROUNDS + 1, 5);

const r2 = rng(2);
const x = randn(r2, [128, 784]), y = labels(r2, 128, 10);
const jaxStep = jaxMlpSgd(rng(3), x, y, 128);
const ssamStep = ours(() => sgdStepper(mlpTask(rng(3), x, y, 128)));
// Same data, same initial weights, same SGD: the first steps' losses must agree (float32 sums in
// different orders), or the two sides are not timing the same computation.
for (let i = 0; i < 3; i++) {
  const ls = ssamStep.run() as number, lj = jaxStep();
  if (!(Math.abs(ls - lj) <= 1e-4 * Math.abs(ls) + 1e-5)) throw new Error(`vs-jax: MLP SGD step ${i}: @ssam loss ${ls} but jax-js loss ${lj}`);
}
log('MLP SGD step ...');
const mlpT = await timeInterleaved([ssamStep, { name: J, run: jaxStep }], ROUNDS, 3);
wasm1.dispose();

const perRound = (m: typeof mm) => summarize(m.get(S)!.samples.map((v, i) => v / m.get(J)!.samples[i]!)).median;
const gf = (ms: number) => ((2 * 512 ** 3) / ms / 1e6).toFixed(1);
const body = [
  '## @ssam wasm vs jax-js (matmul, MLP)',
  '',
  `@ssam/tensor's wasm backend on 1 thread against jax-js 0.1.25 (\`@jax-js/jax\`, \`init('wasm')\`, ${jaxThreads}), one process, interleaved round by round, ` +
    `medians of ${ROUNDS} rounds (matmul ${2 * ROUNDS + 1}) after warm-up; the ratio column is the median of the per-round ratios. ` +
    'MLP step: forward + backward + SGD update (lr 0.01), loss read back; jax-js runs value-and-grad and the update as one `jit` function, @ssam its eager autograd (sgdStepper, as in the WebAssembly backend table); both start from the same weights and their first 3 losses are checked to agree.',
  `Command: \`pnpm --filter @ssam/bench bench:jax\` (\`taskset -c 0 node --conditions=source --import tsx src/vs-jax.ts\`). Machine: ${machineLine()}; ` +
    `1-minute load average ${os.loadavg()[0]!.toFixed(2)} at the end (the 2 cores are shared with other work: not a quiet machine).`,
  '',
  markdownTable(['case', S, J, '@ssam / jax-js (per-round median)'], [
    ['matmul 512³, GFLOP/s', gf(mm.get(S)!.median), gf(mm.get(J)!.median), `${(1 / perRound(mm)).toFixed(2)}× the GFLOP/s`],
    ['MLP 784-256-128-10, batch 128, SGD step', `${mlpT.get(S)!.median.toFixed(2)} ms`, `${mlpT.get(J)!.median.toFixed(2)} ms`, `${perRound(mlpT).toFixed(2)}× the time`],
  ]),
].join('\n');
console.log(body);
writeSection('vs-jax', body);
process.exit(0);
