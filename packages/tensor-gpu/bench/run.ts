// `pnpm bench` for @ssam/tensor-gpu: matmul, one SAM step of the small CNN, kernel-compile time per
// new shape, the CPU-threshold calibration, and memory over a 1,000-step training loop.
// Run: `xvfb-run -a taskset -c 0 node --conditions=source --import tsx bench/run.ts` (the bench script).
// NOTE: on a machine without a GPU, headless-gl renders through Mesa's llvmpipe, a CPU rasteriser:
// these figures test the GLSL path, they are not GPU speeds.
// Mesa caches compiled shaders on disk; compile times below are first compiles.
process.env.MESA_SHADER_CACHE_DISABLE = 'true';
import v8 from 'node:v8';
import vm from 'node:vm';
import { smallCnn, mlp, type Layer } from '@ssam/models';
import { conv2d, currentBackend, matmul, add, random, referenceBackend, tensor, withBackend, type Backend, type Tensor } from '@ssam/tensor';
import { calibrateCpuThreshold, gpuBackend, probeGpuJs, type GpuBackend } from '../src/index.js';
import { samStep } from '../src/sam-step.test-util.js';
import { machineLine, markdownTable, timeIt, writeSection } from '../../../tools/bench-report.js';

v8.setFlagsFromString('--expose-gc');
const gc = vm.runInNewContext('gc') as () => void;
const probe = probeGpuJs('gpu');
if (!probe.isGl) {
  console.error(`gpu bench: no GL context, nothing to measure (${probe.reason})`);
  process.exit(0);
}
const ms = (x: number) => (x >= 1000 ? `${(x / 1000).toFixed(2)} s` : x >= 10 ? `${x.toFixed(0)} ms` : `${x.toFixed(2)} ms`);
const mib = (b: number) => `${(b / 2 ** 20).toFixed(1)} MiB`;
const rand = (shape: number[], seed: number): Tensor =>
  tensor(Float32Array.from({ length: shape.reduce((a, b) => a * b, 1) }, (_, i) => Math.sin(i * 0.37 + seed)), shape);

const gpu = gpuBackend(); // default settings (CPU threshold on), as a user gets it
const gpu0 = gpuBackend({ cpuThreshold: 0 }); // every float32 op on the GPU, for the per-kernel rows
const best = currentBackend(); // the package default: WebAssembly when it loads
const out: string[] = [];
out.push(`## gpu backend (@ssam/tensor-gpu)`, '');
out.push(`${machineLine()}; gpu.js mode 'gpu' ran **${gpu.runtime.kernelClass}** on **${gpu.runtime.renderer}**; CPU baseline: ${best.describe?.() ?? best.name}.`, '');
out.push(
  '**llvmpipe is a CPU.** Mesa\'s software rasteriser runs the generated GLSL on the same CPU cores as the other backends, ' +
    'so these rows prove the GLSL path and measure its overheads; they are not GPU speeds. ' +
    '**Real GPU:** no GPU device was available in the session that wrote this section, so there are no real-GPU figures and the ' +
    'ResNet-20 ×10 goal is unmeasured.',
  '',
);

// 1. matmul: one product with upload and read-back, and a chain of 8 kept on the GPU.
const mmRows: (string | number)[][] = [];
for (const n of [64, 128, 256]) {
  const a = rand([n, n], 1), b = rand([n, n], 2);
  const one = (be: Backend) => timeIt(() => void withBackend(be, () => matmul(a, b)).toArray(), { reps: 5, warmup: 1 }).median;
  const chain = (be: Backend) =>
    timeIt(() => {
      let y = a;
      withBackend(be, () => {
        for (let i = 0; i < 8; i++) y = matmul(y, b);
      });
      y.toArray();
    }, { reps: 3, warmup: 1 }).median / 8;
  mmRows.push([`${n}×${n}·${n}×${n}`, ms(one(referenceBackend)), ms(one(best)), ms(one(gpu0)), ms(chain(best)), ms(chain(gpu0))]);
}
out.push('### matmul', '', markdownTable(['shape', 'reference', best.name, 'gpu (upload + read-back)', `${best.name}, chain of 8 (per product)`, 'gpu, chain of 8 kept as textures (per product)'], mmRows), '');

// 2. One SAM(SGD) step of the small CNN.
function stepTime(be: Backend, model: Layer, inShape: number[], classes: number, reps: number): number {
  const [, params, state] = withBackend(referenceBackend, () => model.init(random.key(0), inShape));
  const n = inShape[0]!;
  const x = rand(inShape, 3), y = tensor(Array.from({ length: n }, (_, i) => i % classes), [n], { dtype: 'int32' });
  const s = samStep(model);
  const os = s.init(params);
  return timeIt(() => void withBackend(be, () => s.step(params, state, os, x, y)), { reps, warmup: 1 }).median;
}
const cnnRows: (string | number)[][] = [];
for (const b of [8, 32]) {
  const shape = [b, 3, 32, 32];
  cnnRows.push([
    `smallCnn, batch ${b}, 3×32×32`, ms(stepTime(referenceBackend, smallCnn(), shape, 10, 3)), ms(stepTime(best, smallCnn(), shape, 10, 3)),
    ms(stepTime(gpu, smallCnn(), shape, 10, 3)), ms(stepTime(gpu0, smallCnn(), shape, 10, 3)),
  ]);
}
out.push(
  '### One SAM(SGD) training step of the small CNN (two forward/backward passes, parameters start on the host)', '',
  markdownTable(['model', 'reference', best.name, 'gpu (default threshold)', 'gpu (every float32 op on the GPU)'], cnnRows), '',
);

// 3. Kernel compile time per new shape (gpu.js JS→GLSL translation + GL compile and link).
const compileRows: (string | number)[][] = [];
const compileCost = (label: string, run: (i: number) => Tensor) => {
  const costs: number[] = [];
  for (let i = 0; i < 6; i++) {
    const before = gpu0.stats();
    withBackend(gpu0, () => run(i)).toArray();
    const after = gpu0.stats();
    costs.push((after.compileMs - before.compileMs) / Math.max(1, after.compiled - before.compiled));
  }
  costs.sort((x, y) => x - y);
  compileRows.push([label, ms(costs[3]!), ms(costs[0]!), ms(costs[5]!)]);
};
compileCost('add [n, 33]', (i) => add(rand([40 + i, 33], 1), rand([40 + i, 33], 2)));
compileCost('matmul [n, 64]·[64, 48]', (i) => matmul(rand([70 + i, 64], 1), rand([64, 48], 2)));
compileCost('conv2d 3×3 pad 1, [2, 8, n, n]', (i) => conv2d(rand([2, 8, 20 + i, 20 + i], 1), rand([16, 8, 3, 3], 2), { padding: 1 }));
out.push('### Kernel compile time per new shape', '', 'Each distinct (primitive, shapes, attributes) compiles once and is cached; a training loop with fixed shapes compiles only in its first step.', '', markdownTable(['kernel', 'median per kernel', 'min', 'max'], compileRows), '');

// 4. CPU threshold: where host-resident work starts to pay off on the GPU.
const cal = calibrateCpuThreshold({ reps: 5 });
const calRows = cal[0]!.rows.map((r, i) => {
  const m = cal[1]!.rows[i];
  return [r.size, ms(r.cpuMs), ms(r.gpuMs), m ? `${m.size} (${Math.sqrt(m.size)}²)` : '', m ? ms(m.cpuMs) : '', m ? ms(m.gpuMs) : ''];
});
// Fixed GPU cost: the median of the three smallest sizes (arithmetic ~0); CPU throughput: the
// median elements/ms over the sizes of 64k and up.
const mid = (v: number[]) => v.sort((a, b) => a - b)[v.length >> 1]!;
const overhead = mid(cal[0]!.rows.slice(0, 3).map((r) => r.gpuMs));
const perMs = mid(cal[0]!.rows.filter((r) => r.size >= 65536).map((r) => r.size / r.cpuMs));
out.push(
  '### CPU threshold (host inputs: reference vs upload + kernel + read-back)', '',
  markdownTable(['add: elements', 'reference', 'gpu', 'matmul: elements', 'reference', 'gpu'], calRows), '',
  `Crossover on this machine: add ${cal[0]!.threshold === Infinity ? 'never' : cal[0]!.threshold}, matmul ${cal[1]!.threshold === Infinity ? 'never' : cal[1]!.threshold} ` +
    '(llvmpipe is a CPU: where it wins, its shader threads beat one reference thread; runs on this shared 2-core machine vary). ' +
    `The GPU path's fixed cost per host-input operation is ${ms(overhead)}; in that time the reference backend adds ` +
    `${Math.round(overhead * perMs)} elements — the crossover on a GPU whose arithmetic is free, and the basis of DEFAULT_CPU_THRESHOLD.`,
  '',
);

// 5. Memory over 1,000 SAM training steps of an MLP, every op on the GPU, three ways of looping.
type Loop = 'sync' | 'async' | 'collect' | 'scope';
async function memoryLoop(be: GpuBackend, steps: number, loop: Loop): Promise<(string | number)[][]> {
  const model = mlp([64, 10]);
  const [, p0, s0] = withBackend(referenceBackend, () => model.init(random.key(0), [32, 100]));
  const sam = samStep(model);
  let carry = { params: p0, state: s0, optState: sam.init(p0) };
  const x = rand([32, 100], 5), y = tensor(Array.from({ length: 32 }, (_, i) => i % 10), [32], { dtype: 'int32' });
  const rows: (string | number)[][] = [];
  const s0stats = be.stats();
  const t0 = performance.now();
  for (let i = 1; i <= steps; i++) {
    const run = () => {
      const r = withBackend(be, () => sam.step(carry.params, carry.state, carry.optState, x, y));
      return { carry: { params: r.params, state: r.state, optState: r.optState }, loss: r.loss };
    };
    const r = loop === 'scope' ? be.scope(run, { consume: carry }) : run();
    carry = r.carry;
    if (loop === 'async') await new Promise((res) => setImmediate(res));
    if (loop === 'collect' && i % 50 === 0) await be.collect();
    if (i === 10 || i % 250 === 0) {
      const st = be.stats(), m = process.memoryUsage();
      rows.push([loop, i, st.liveTextures - s0stats.liveTextures, mib(st.liveBytes - s0stats.liveBytes), st.glTextures - s0stats.glTextures, mib(m.rss), mib(m.heapUsed), r.loss.toFixed(4), ms((performance.now() - t0) / i)]);
    }
  }
  if (loop !== 'sync') {
    await be.collect();
    await be.collect();
    const st = be.stats(), m = process.memoryUsage();
    rows.push([loop, 'after, full GC', st.liveTextures - s0stats.liveTextures, mib(st.liveBytes - s0stats.liveBytes), st.glTextures - s0stats.glTextures, mib(m.rss), mib(m.heapUsed), '', '']);
  }
  return rows;
}
const memRows: (string | number)[][] = [];
(globalThis as { gc?: () => void }).gc = gc; // for collect()
for (const [loop, steps] of [['sync', 250], ['async', 1000], ['collect', 1000], ['scope', 1000]] as const) {
  const be = gpuBackend({ cpuThreshold: 0 });
  memRows.push(...(await memoryLoop(be, steps, loop)));
  be.destroy(); // the GL context takes any textures still alive with it
}
out.push(
  '### Memory over 1,000 SAM steps (MLP 100-64-10, batch 32, every op on the GPU; no forced GC)', '',
  '`sync`: a plain synchronous loop. Unreachable tensors are collected, but FinalizationRegistry callbacks only run between ' +
    'event-loop tasks, so no texture is freed until the loop ends (stopped at 250 steps). `async`: the same loop with ' +
    '`await new Promise(setImmediate)` per step: V8 does not see texture memory and rarely runs a full GC, so most dead tensors wait. ' +
    '`collect`: `await gpu.collect()` (full GC + one event-loop turn) every 50 steps. ' +
    '`scope`: synchronous, each step in `gpu.scope(step, { consume: carry })`, no GC needed. ' +
    'Counts are relative to the start of each loop; RSS includes Mesa\'s texture memory (llvmpipe textures live in host RAM).', '',
  markdownTable(['loop', 'step', 'live tensor textures', 'their bytes', 'GL textures (net)', 'RSS', 'JS heap', 'loss', 'mean step'], memRows), '',
);

out.push('Command: `pnpm --filter @ssam/tensor-gpu bench` (= `xvfb-run -a taskset -c 0 node --conditions=source --import tsx bench/run.ts`).');
writeSection('gpu', out.join('\n'));
console.log(out.join('\n'));
