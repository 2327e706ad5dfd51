// `pnpm --filter @ssam/tensor bench:conv`: ResNet-20's stride-1 3×3 convolutions (batch 32, pad 1)
// on the wasm backend, 1 thread, im2col + GEMM (Winograd off) against Winograd F(2×2, 3×3), in
// GFLOP/s of the direct convolution's 2·N·O·C·9·Ho·Wo and as a share of the matmul kernel's rate.
// Every round times matmul 512³, the old path and the new path back to back, so the shares and
// speed-ups are medians of per-round ratios. Each call is timed in process CPU time as well as wall
// time: on a shared core the wall clock also counts the time slices other processes took, the CPU
// time (1 thread: only this thread works) does not. Run pinned: `taskset -c 0`.
import os from 'node:os';
import { machineLine, markdownTable, writeSection } from '../../../tools/bench-report.js';
import { conv2d, conv2dBackFilter, conv2dBackInput, matmul, withBackend, type Tensor } from '../src/index.js';
import { createWasmBackend, type WasmBackend } from '../src/backends/wasm/index.js';
import { seededTensor } from '../src/testing/conformance.js';

const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 15);
const BATCH = 32;
const SHAPES = [
  { c: 16, hw: 32 },
  { c: 32, hw: 16 },
  { c: 64, hw: 8 },
] as const;
/** The target of issue #16: every ResNet-20 3×3 convolution at ≥ 85 % of the matmul rate. */
const TARGET = 0.85;

const oldB = createWasmBackend({ threads: 1, winograd: false });
const newB = createWasmBackend({ threads: 1, winograd: true });
/** [wall ms, CPU ms] of one call. */
const time = (be: WasmBackend, f: () => Tensor): [number, number] => {
  const [t0, c0] = [performance.now(), process.cpuUsage()];
  void withBackend(be, f).toArray();
  const c = process.cpuUsage(c0);
  return [performance.now() - t0, (c.user + c.system) / 1e3];
};
const median = (xs: readonly number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
const gf = (flops: number, ms: number) => (flops / ms / 1e6).toFixed(1);
const pct = (r: number) => `${(100 * r).toFixed(0)} %`;

const n = 512, mmFlops = 2 * n ** 3;
const a = seededTensor([n, n], 1), b = seededTensor([n, n], 2);
const rows: string[][] = [];
const misses: string[] = [];
const gemms: string[] = [];
const [wall0, cpu0] = [performance.now(), process.cpuUsage()];
for (const { c, hw } of SHAPES) {
  const x = seededTensor([BATCH, c, hw, hw], 3), w = seededTensor([c, c, 3, 3], 4), dy = seededTensor([BATCH, c, hw, hw], 5);
  const opts = { padding: 1 };
  const flops = 2 * BATCH * c * c * 9 * hw * hw;
  // the old path's GEMM alone: matmul [O, K] · [N, K, P] (what im2col, packing and col2im add to it)
  const gA = seededTensor([c, c * 9], 6), gB = seededTensor([BATCH, c * 9, hw * hw], 7);
  const ops: [string, () => Tensor][] = [
    ['forward', () => conv2d(x, w, opts)],
    ['back-input', () => conv2dBackInput(dy, w, x.shape, opts)],
    ['back-filter', () => conv2dBackFilter(x, dy, w.shape, opts)],
  ];
  for (const [op, f] of ops) {
    // per round: [wall, cpu] of matmul, the old path, the new path
    const rounds: [number, number][][] = [];
    for (let r = -1; r < ROUNDS; r++) {
      const t = [time(newB, () => matmul(a, b)), time(oldB, f), time(newB, f)];
      if (r >= 0) rounds.push(t); // round -1 warms up
    }
    const col = (j: number, clock: 0 | 1) => rounds.map((t) => t[j]![clock]);
    /** median over rounds of (flops / t) / (matmul flops / t_matmul) for contender j */
    const share = (j: number, clock: 0 | 1) => median(rounds.map((t) => (flops / t[j]![clock]) / (mmFlops / t[0]![clock])));
    const speedup = median(rounds.map((t) => t[1]![1] / t[2]![1]));
    const name = `${c}→${c}, ${hw}×${hw}, ${op}`;
    rows.push([
      name, `${median(col(1, 1)).toFixed(2)} / ${median(col(2, 1)).toFixed(2)}`, `${gf(flops, median(col(1, 1)))} / ${gf(flops, median(col(2, 1)))}`,
      `${pct(share(1, 1))} / **${pct(share(2, 1))}**`, `${pct(share(1, 0))} / ${pct(share(2, 0))}`, `${speedup.toFixed(2)}×`,
      gf(mmFlops, median(col(0, 1))),
    ]);
    const sNew = share(2, 1);
    console.log(rows.at(-1)!.join(' | '));
    if (sNew < TARGET) misses.push(`${name}: ${pct(sNew)}`);
  }
  // The old path's GEMM alone, on the matmul kernel: what the convolution would cost with a free
  // im2col (its own rounds, so that its 18 MiB operand does not evict the rows above)
  const rounds: [number, number][][] = [];
  for (let r = -1; r < ROUNDS; r++) {
    const t = [time(newB, () => matmul(a, b)), time(oldB, () => matmul(gA, gB))];
    if (r >= 0) rounds.push(t);
  }
  const gShare = median(rounds.map((t) => (flops / t[1]![1]) / (mmFlops / t[0]![1])));
  const gWall = median(rounds.map((t) => (flops / t[1]![0]) / (mmFlops / t[0]![0])));
  const gMs = median(rounds.map((t) => t[1]![1]));
  gemms.push(`${c}→${c}, ${hw}×${hw}: ${gMs.toFixed(2)} ms, ${gf(flops, gMs)} GFLOP/s, ${pct(gShare)} (wall clock ${pct(gWall)})`);
}
const cpu = process.cpuUsage(cpu0);
const share = (cpu.user + cpu.system) / 1e3 / (performance.now() - wall0);
oldB.dispose();
newB.dispose();

const body = [
  '## @ssam/tensor: ResNet-20 3×3 convolutions, im2col + GEMM vs Winograd F(2×2, 3×3) (wasm, 1 thread)',
  '',
  'Command: `pnpm --filter @ssam/tensor bench:conv` (`taskset -c 0 node --import tsx bench/conv.ts`).',
  `Machine: ${machineLine()}. This run got ${(share * 100).toFixed(0)} % of its core (load average ${os.loadavg()[0]!.toFixed(1)}); ` +
    'the machine was not quiet (other work shares its 2 cores), so only the per-round ratios are steady.',
  `Batch ${BATCH}, pad 1, stride 1. GFLOP/s count the direct convolution's 2·N·O·C·9·Ho·Wo for both paths. Each of ${ROUNDS} rounds runs ` +
    'matmul 512³, the old path (`createWasmBackend({ winograd: false })`: banded im2col + the packed 5×8 GEMM) and the new one ' +
    '(Winograd, the default) back to back; "% of matmul" and the speed-up are medians of per-round ratios. Times are process CPU ' +
    'time (1 thread), which leaves out the slices other processes took from the shared core; the wall-clock shares are given too.',
  '',
  markdownTable(
    ['convolution', 'CPU ms old / new', 'GFLOP/s old / new', '% of matmul old / new', 'same, wall clock', 'speed-up', 'matmul 512³ GFLOP/s'], rows,
  ),
  '',
  `The old path's GEMM alone (matmul [O, 9C] · [N, 9C, Ho·Wo] on the same kernel, CPU time, % of matmul 512³): ${gemms.join('; ')}.`,
  '',
  misses.length === 0
    ? `Every shape reaches the target of ${pct(TARGET)} of the matmul rate in this run.`
    : `Below the target of ${pct(TARGET)} in this run: ${misses.join(', ')}.`,
].join('\n');
console.log(`\n${body}\n`);
writeSection('tensor-wasm-conv', body);
