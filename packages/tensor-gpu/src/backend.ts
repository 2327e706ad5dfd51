import { referenceBackend, Tensor, type Backend, type Kernels, type PrimAttrs, type PrimName } from '@ssam/tensor';
import { GPU_KERNELS, type GpuKernel } from './kernels/index.js';
import { probeGpuJs, type GpuJsMode } from './mode.js';
import { GpuRuntime, GpuStorage, type GpuStats, type ScopeOptions } from './runtime.js';

/**
 * Elements below which a primitive whose inputs all live on the host runs on the CPU (reference)
 * backend instead. Measured by `calibrateCpuThreshold` (bench/run.ts) on headless-gl over Mesa
 * llvmpipe: the GPU path costs 0.2-0.5 ms per host-input operation however small (upload, draw,
 * read-back), in which the reference backend adds 5k to 35k elements (three runs). That is
 * the crossover on a device whose arithmetic is free; llvmpipe itself never crosses over (it is a
 * CPU). On a real GPU, run calibrateCpuThreshold() and pass `cpuThreshold`.
 */
export const DEFAULT_CPU_THRESHOLD = 16384;

export interface GpuBackendOptions {
  /** gpu.js mode (default 'gpu': WebGL in a browser, headless-gl in Node). */
  readonly mode?: GpuJsMode;
  /** See DEFAULT_CPU_THRESHOLD; 0 runs everything float32 and non-empty on the GPU. */
  readonly cpuThreshold?: number;
  /** Pretend GL's MAX_TEXTURE_SIZE is this (for tests of the size limit). */
  readonly maxTextureSize?: number;
}

/** A backend with the gpu.js runtime behind it, for stats and explicit cleanup. */
export interface GpuBackend extends Backend {
  readonly runtime: GpuRuntime;
  /** What the backend did so far: compiled kernels, the kernel class, textures alive, CPU runs. */
  stats(): GpuStats;
  /**
   * Runs `fn` (a training step, say) and releases, when it returns, every texture it created that
   * its result does not reach, and the textures of `consume` (the carry the result replaces) that
   * it no longer reaches. Use it in synchronous loops: there a FinalizationRegistry never gets a
   * turn of the event loop to free textures (see docs/guide/gpu.md).
   * @example
   * for (let i = 0; i < steps; i++)
   *   carry = gpu.scope(() => withBackend(gpu, () => step(carry)), { consume: carry });
   */
  scope<T>(fn: () => T, opts?: ScopeOptions): T;
  /**
   * Lets pending texture finalizers run: a full GC when `globalThis.gc` exists (node --expose-gc),
   * then one turn of the event loop. V8 does not see GPU memory, so without this (or `scope`) it
   * may not collect dead tensors for thousands of steps.
   */
  collect(): Promise<void>;
  /** Frees every kernel and the GL context. */
  destroy(): void;
}

/**
 * The gpu.js backend. Every float32 primitive runs as a generated GLSL kernel in single precision;
 * results stay in textures (pipeline mode) until `toArray()`/`read()`. int32 primitives, empty
 * tensors and small host-resident operations run on the reference backend (see README).
 * Throws when gpu.js would not really run on a GPU (no GL context: it would silently run
 * WebAssembly), saying what is missing.
 * @example
 * import { withBackend, matmul, ones } from '@ssam/tensor';
 * import { gpuBackend } from '@ssam/tensor-gpu';
 * const gpu = gpuBackend({ mode: 'headlessgl' }); // under `xvfb-run -a node ...`
 * const y = withBackend(gpu, () => matmul(ones([64, 64]), ones([64, 64])));
 * console.log(gpu.describe(), y.toArray()[0]); // 64
 */
export function gpuBackend(opts: GpuBackendOptions = {}): GpuBackend {
  const mode = opts.mode ?? 'gpu';
  const probe = probeGpuJs(mode);
  if (!probe.isGl) throw new Error(`gpuBackend: refusing to run as a GPU backend: ${probe.reason}`);
  const rt = new GpuRuntime(mode, { maxTextureSize: opts.maxTextureSize });
  const threshold = opts.cpuThreshold ?? DEFAULT_CPU_THRESHOLD;
  const kernels = Object.fromEntries(
    (Object.keys(GPU_KERNELS) as PrimName[]).map((p) => [p, route(rt, p, GPU_KERNELS[p] as GpuKernel<PrimName>, threshold)]),
  ) as unknown as Kernels;
  const backend: GpuBackend = {
    name: 'gpu',
    kernels,
    runtime: rt,
    describe: () =>
      `gpu (gpu.js ${mode} mode running ${rt.kernelClass || probe.kernel}` +
      `${rt.renderer || probe.renderer ? ` on ${rt.renderer || probe.renderer}` : ''}, single precision, ` +
      `CPU below ${threshold} host elements and for int32)`,
    stats: () => rt.stats(),
    scope: (fn, o) => rt.scope(fn, o),
    collect: async () => {
      const gc = (globalThis as { gc?: () => void }).gc;
      if (typeof gc === 'function') gc();
      // V8 posts finalization callbacks as a task of their own: give it two turns.
      await new Promise((r) => setTimeout(r, 0));
      await new Promise((r) => setTimeout(r, 0));
    },
    destroy: () => rt.destroy(),
  };
  return backend;
}

/** Primitives whose integer inputs are indices (converted to float textures), not data. */
const INDEX_INPUT: Partial<Record<PrimName, number>> = { gather: 1, scatterAdd: 1, where: 0 };

/** Why a call runs on the CPU, or '' to run it on the GPU. */
function cpuReason<P extends PrimName>(rt: GpuRuntime, prim: P, inputs: readonly Tensor[], attrs: PrimAttrs[P], threshold: number): string {
  if (prim === 'cast' && (attrs as PrimAttrs['cast']).dtype === 'int32') return 'int32';
  for (let i = 0; i < inputs.length; i++) {
    const t = inputs[i]!;
    if (t.size === 0) return 'empty';
    if (t.dtype === 'int32' && INDEX_INPUT[prim] !== i) return 'int32';
  }
  if (threshold > 0 && inputs.every((t) => !rt.isResident(t) && t.size < threshold)) return 'small';
  return '';
}

function route<P extends PrimName>(rt: GpuRuntime, prim: P, gpu: GpuKernel<P>, threshold: number) {
  const cpu = referenceBackend.kernels[prim] as (inputs: readonly Tensor[], attrs: PrimAttrs[P]) => Tensor;
  return (inputs: readonly Tensor[], attrs: PrimAttrs[P]): Tensor => {
    const why = cpuReason(rt, prim, inputs, attrs, threshold);
    if (why) {
      const k = `${prim}:${why}`;
      rt.counters.cpuRuns[k] = (rt.counters.cpuRuns[k] ?? 0) + 1;
      return cpu(inputs, attrs);
    }
    for (const t of inputs) if (!rt.isResident(t)) rt.checkSize(prim, t.shape, t.size, 'an input');
    return gpu(rt, inputs, attrs);
  };
}

/** Whether a tensor's elements live in a texture of a gpu backend. */
export const isOnGpu = (t: Tensor): boolean => t.storage instanceof GpuStorage;
