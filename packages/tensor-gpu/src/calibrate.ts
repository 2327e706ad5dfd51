import { add, matmul, referenceBackend, tensor, withBackend, type Tensor } from '@ssam/tensor';
import { gpuBackend } from './backend.js';
import type { GpuJsMode } from './mode.js';

export interface CalibrationRow {
  /** Elements per operand. */
  readonly size: number;
  /** Median ms on the reference backend, and on the GPU with host inputs, upload and read-back. */
  readonly cpuMs: number;
  readonly gpuMs: number;
}

export interface Calibration {
  readonly op: 'add' | 'matmul';
  readonly rows: readonly CalibrationRow[];
  /** The smallest size from which the GPU wins at every larger size measured; Infinity if never. */
  readonly threshold: number;
}

function median(fn: () => void, reps: number): number {
  fn(); // compile and upload caches warm
  const t: number[] = [];
  for (let i = 0; i < reps; i++) {
    const t0 = performance.now();
    fn();
    t.push(performance.now() - t0);
  }
  return t.sort((a, b) => a - b)[reps >> 1]!;
}

/** A new host tensor per call, so that every GPU run pays its upload (no upload-cache hit). */
const fresh = (shape: readonly number[], seed: number): (() => Tensor) => {
  const data = Float32Array.from({ length: shape.reduce((a, b) => a * b, 1) }, (_, i) => Math.sin(i * 12.9898 + seed));
  return () => tensor(data, [...shape]);
};

/**
 * Measures where a primitive with host-resident inputs starts to pay off on the GPU: the
 * reference backend against upload + kernel + read-back, over growing sizes. The result is what
 * `cpuThreshold` should be on this machine (bench/run.ts records it in docs/benchmarks.md).
 */
export function calibrateCpuThreshold(opts: { mode?: GpuJsMode; reps?: number } = {}): Calibration[] {
  // Its own backend with the threshold off, so that every size really runs on the GPU.
  const gpu = gpuBackend({ mode: opts.mode ?? 'gpu', cpuThreshold: 0 });
  const reps = opts.reps ?? 7;
  const find = (rows: CalibrationRow[]) => {
    let t = Infinity;
    for (let i = rows.length - 1; i >= 0 && rows[i]!.gpuMs < rows[i]!.cpuMs; i--) t = rows[i]!.size;
    return t;
  };
  const addRows: CalibrationRow[] = [];
  for (let n = 256; n <= 1 << 20; n *= 4) {
    const a = fresh([n], 1), b = fresh([n], 2);
    const cpuMs = median(() => withBackend(referenceBackend, () => add(a(), b())).toArray(), reps);
    const gpuMs = median(() => withBackend(gpu, () => add(a(), b())).toArray(), reps);
    addRows.push({ size: n, cpuMs, gpuMs });
  }
  const mmRows: CalibrationRow[] = [];
  for (const m of [8, 16, 32, 64, 128, 256]) {
    const a = fresh([m, m], 3), b = fresh([m, m], 4);
    const cpuMs = median(() => withBackend(referenceBackend, () => matmul(a(), b())).toArray(), reps);
    const gpuMs = median(() => withBackend(gpu, () => matmul(a(), b())).toArray(), reps);
    mmRows.push({ size: m * m, cpuMs, gpuMs });
  }
  gpu.destroy();
  return [
    { op: 'add', rows: addRows, threshold: find(addRows) },
    { op: 'matmul', rows: mmRows, threshold: find(mmRows) },
  ];
}
