// `cd packages/models && pnpm bench:winograd`: one ResNet-20 valueAndGrad step (batch 32, forward +
// loss + backward, BatchNorm in training mode) on the wasm backend, 1 thread, with the stride-1 3×3
// convolutions as im2col + GEMM (Winograd off) and as Winograd F(2×2, 3×3), interleaved round by
// round; the speed-up is the median of per-round ratios. Run pinned: `taskset -c 0`.
import os from 'node:os';
import { random, withBackend, type Tensor } from '@ssam/tensor';
import { createWasmBackend } from '@ssam/tensor/wasm';
import { valueAndGrad } from '@ssam/autograd';
import { resnet20, softmaxCrossEntropy, type Params } from '../src/index.js';
import { machineLine, markdownTable, writeSection } from '../../../tools/bench-report.js';

const BATCH = 32;
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 9);
const shape = [BATCH, 3, 32, 32];
const model = resnet20();
const [, params, state] = model.init(random.key(0), shape);
const x = random.normal(random.key(1), shape);
const y = random.randint(random.key(2), [BATCH], 0, 10);
const step = valueAndGrad((p: Params) => {
  const [logits, s] = model.apply(p, state, x, { train: true });
  return [softmaxCrossEntropy(logits as Tensor, y), s] as const;
}, { hasAux: true });

const oldB = createWasmBackend({ threads: 1, winograd: false });
const newB = createWasmBackend({ threads: 1, winograd: true });
/** Process CPU ms of one step: on a shared core the wall clock also counts other processes' slices. */
const time = (be: typeof oldB) => {
  const c0 = process.cpuUsage();
  withBackend(be, () => void step(params));
  const c = process.cpuUsage(c0);
  return (c.user + c.system) / 1e3;
};
const median = (xs: readonly number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
const old: number[] = [], neu: number[] = [];
const [wall0, cpu0] = [performance.now(), process.cpuUsage()];
for (let r = -1; r < ROUNDS; r++) {
  let to: number, tn: number;
  if (r % 2 === 0) { to = time(oldB); tn = time(newB); }
  else { tn = time(newB); to = time(oldB); }
  if (r >= 0) { old.push(to); neu.push(tn); }
  console.log(`round ${r}: old ${to.toFixed(0)} ms, new ${tn.toFixed(0)} ms (CPU time)`);
}
const cpu = process.cpuUsage(cpu0);
const share = (cpu.user + cpu.system) / 1e3 / (performance.now() - wall0);
oldB.dispose();
newB.dispose();
const speedup = median(old.map((t, i) => t / neu[i]!));
const range = (xs: number[]) => `${Math.min(...xs).toFixed(0)} – ${Math.max(...xs).toFixed(0)} ms`;
const body = `## @ssam/models: ResNet-20 step with Winograd convolutions

One ResNet-20 (option A) \`valueAndGrad\` step, batch ${BATCH} (forward + softmax cross-entropy + backward, BatchNorm in training mode), wasm backend on 1 thread; old = \`createWasmBackend({ winograd: false })\` (every convolution as im2col + GEMM), new = the default (stride-1 3×3 convolutions with ≥ 8 channels as Winograd F(2×2, 3×3); the stride-2 ones and the 3-channel stem keep im2col). ${ROUNDS} rounds, the two backends alternate which runs first; times are process CPU time (1 thread, plus V8's own helper threads on the same pinned core), which leaves out the slices other processes took from the shared core.
Command: \`cd packages/models && pnpm bench:winograd\` (\`taskset -c 0 node --conditions=source --import tsx bench/winograd.ts\`). Machine: ${machineLine()}. This run got ${(share * 100).toFixed(0)} % of its core (load average ${os.loadavg()[0]!.toFixed(1)}); the machine was not quiet.

${markdownTable(['step', 'median CPU time', 'range'], [['im2col + GEMM (old)', `${median(old).toFixed(0)} ms`, range(old)], ['Winograd (new)', `${median(neu).toFixed(0)} ms`, range(neu)]])}

Speed-up of the whole step (median of per-round old / new): **${speedup.toFixed(2)}×**.`;
console.log(body);
writeSection('models-winograd', body);
