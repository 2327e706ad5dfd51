// `pnpm bench` for @ssam/tensor: GFLOP/s of matmul and of the small CNN's conv layers (forward,
// back-input, back-filter), pooling and element-wise throughput, for every backend in BACKENDS.
// Each backend writes its own section of docs/benchmarks.md. Run pinned: `taskset -c 0`.
import os from 'node:os';
import { machineLine, markdownTable, timeIt, writeSection } from '../../../tools/bench-report.js';
import {
  add, conv2d, conv2dBackFilter, conv2dBackInput, exp, matmul, maxPool2d, maxPool2dBackward, mul, referenceBackend, withBackend,
  type Backend, type Conv2dOptions, type Tensor,
} from '../src/index.js';
import { seededTensor } from '../src/testing/conformance.js';

interface BenchBackend {
  /** The docs/benchmarks.md section this backend's table goes to. */
  readonly section: string;
  readonly backend: Backend;
}

/** Add faster backends here (e.g. { section: 'tensor-wasm', backend: wasmBackend }). */
const BACKENDS: BenchBackend[] = [{ section: 'tensor-reference', backend: referenceBackend }];

/** The small CNN of the SSAM experiments: batch 64, 3×32×32 input. */
const BATCH = 64;
const CONV_LAYERS: readonly { name: string; c: number; o: number; hw: number; opts: Conv2dOptions }[] = [
  { name: 'conv1 3×3, 3→16, 32×32, pad 1', c: 3, o: 16, hw: 32, opts: { padding: 1 } },
  { name: 'conv2 3×3, 16→32, 16×16, pad 1', c: 16, o: 32, hw: 16, opts: { padding: 1 } },
];
/** Back-filter may cost at most this many forward passes of the same layer. */
const MAX_BACK_FILTER_RATIO = 3;

type Row = [string, string, string, string, string];
const ms = (t: number) => t.toFixed(2);
interface Timing {
  readonly median: number;
  /** The fastest repetition: the steadier figure when other processes share the core. */
  readonly best: number;
}

function benchBackend({ backend }: BenchBackend): { rows: Row[]; ratios: [string, number][] } {
  const rows: Row[] = [];
  const ratios: [string, number][] = [];
  const run = (fn: () => Tensor, reps = 5): Timing => {
    const r = timeIt(() => void withBackend(backend, fn).toArray(), { reps, warmup: 1 });
    return { median: r.median, best: Math.min(...r.samples) };
  };
  /** One row; `rate(ms)` formats the throughput of one call taking `ms`. */
  const row = (name: string, shape: string, t: Timing, rate: (ms: number) => string, note = '') =>
    rows.push([name, shape, ms(t.median), ms(t.best), `${rate(t.median)} (best ${rate(t.best)})${note}`]);

  // matmul 512³
  const n = 512;
  const a = seededTensor([n, n], 1), b = seededTensor([n, n], 2);
  row('matmul', '512 × 512 · 512 × 512', run(() => matmul(a, b)), (t) => `${((2 * n ** 3) / t / 1e6).toFixed(2)} GFLOP/s`);

  // conv layers: forward, back-input, back-filter (the same multiply-add count each)
  for (const L of CONV_LAYERS) {
    const x = seededTensor([BATCH, L.c, L.hw, L.hw], 3);
    const w = seededTensor([L.o, L.c, 3, 3], 4);
    const y = withBackend(backend, () => conv2d(x, w, L.opts));
    const dy = seededTensor(y.shape, 5);
    const flops = 2 * BATCH * L.o * L.c * 9 * y.shape[2]! * y.shape[3]!;
    const gf = (t: number) => `${(flops / t / 1e6).toFixed(2)} GFLOP/s`;
    const tF = run(() => conv2d(x, w, L.opts));
    const tI = run(() => conv2dBackInput(dy, w, x.shape, L.opts));
    const tW = run(() => conv2dBackFilter(x, dy, w.shape, L.opts));
    const ratio = tW.best / tF.best;
    row(`${L.name} forward`, `x [${x.shape.join(', ')}]`, tF, gf);
    row(`${L.name} back-input`, `dy [${dy.shape.join(', ')}]`, tI, gf);
    row(`${L.name} back-filter`, `dy [${dy.shape.join(', ')}]`, tW, gf, `; ${ratio.toFixed(2)}× forward`);
    ratios.push([L.name, ratio]);
  }

  // 2×2 max pooling of conv1's activation
  const act = seededTensor([BATCH, 16, 32, 32], 6);
  const pooled = withBackend(backend, () => maxPool2d(act, { kernel: 2 }));
  const dp = seededTensor(pooled.shape, 7);
  const melem = (elems: number) => (t: number) => `${(elems / t / 1e3).toFixed(1)} Melem/s`;
  row('maxPool2d 2×2 forward', `x [${act.shape.join(', ')}]`, run(() => maxPool2d(act, { kernel: 2 })), melem(act.size));
  row('maxPool2d 2×2 backward', `x [${act.shape.join(', ')}]`, run(() => maxPool2dBackward(dp, act, { kernel: 2 })), melem(act.size));

  // element-wise on 1M elements
  const m = 1 << 20;
  const u = seededTensor([m], 8), v = seededTensor([m], 9);
  for (const [name, f] of [['add', () => add(u, v)], ['mul', () => mul(u, v)], ['exp', () => exp(u)]] as const)
    row(name, '1,048,576 elements', run(f, 9), melem(m));
  return { rows, ratios };
}

let failed = false;
for (const bb of BACKENDS) {
  const [wall0, cpu0] = [performance.now(), process.cpuUsage()];
  const { rows, ratios } = benchBackend(bb);
  const cpu = process.cpuUsage(cpu0);
  // The share of one core this process got: below ~95% means other processes slowed the medians.
  const share = (cpu.user + cpu.system) / 1e3 / (performance.now() - wall0);
  const describe = bb.backend.describe?.() ?? bb.backend.name;
  const ratioLine = ratios.map(([name, r]) => `${name.split(' ')[0]} ${r.toFixed(2)}×`).join(', ');
  const body = [
    `## @ssam/tensor: ${describe}`,
    '',
    'Command: `pnpm --filter @ssam/tensor bench` (runs `taskset -c 0 node --import tsx bench/run.ts`).',
    `Machine: ${machineLine()}. This run got ${(share * 100).toFixed(0)}% of its core (load average ${os.loadavg()[0]!.toFixed(1)}); ` +
      'with less than ~95% the medians are inflated and the best column is the better guide.',
    '',
    markdownTable(['benchmark', 'shape', 'median ms', 'best ms', 'throughput at the median'], rows),
    '',
    `Back-filter / forward time, best of 5 each (must be ≤ ${MAX_BACK_FILTER_RATIO}): ${ratioLine}.`,
  ].join('\n');
  console.log(body + '\n');
  writeSection(bb.section, body);
  for (const [name, r] of ratios)
    if (r > MAX_BACK_FILTER_RATIO) {
      console.error(`${bb.backend.name}: back-filter of ${name} costs ${r.toFixed(2)}× its forward pass (limit ${MAX_BACK_FILTER_RATIO}×)`);
      failed = true;
    }
}
if (failed) process.exitCode = 1;
