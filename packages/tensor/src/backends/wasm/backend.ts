import type { Backend, Kernel, Kernels } from '../../backend.js';
import type { PrimName } from '../../primitives.js';
import { referenceBackend } from '../reference/index.js';
import { conv2dBackFilterKernel, conv2dBackInputKernel, conv2dKernel } from './kernels/conv.js';
import { binaryKernel, compareOp, unaryKernel, whereKernel, addcmulKernel } from './kernels/elementwise.js';
import { matmulKernel } from './kernels/matmul.js';
import { avgPool2dBackwardKernel, avgPool2dKernel, maxPool2dBackwardKernel, maxPool2dKernel } from './kernels/pool.js';
import { reduceKernel } from './kernels/reduce.js';
import { BINARY_OPS, REDUCE_OPS, UNARY_OPS } from './opcodes.js';
import { envVar, nodeBuiltins } from './node.js';
import { WasmCapacityError, WasmRuntime } from './runtime.js';
import { registerRuntime } from './runtimes.js';

export interface WasmBackendOptions {
  /** Threads, the calling one included. Default: `SSAM_THREADS`, else the cores this process may use. */
  readonly threads?: number;
  /** How long idle workers spin before sleeping, in µs (default 200). */
  readonly spinMicros?: number;
  /** Work (about flops or bytes) below which a kernel stays on the calling thread (default 2^18). */
  readonly minParallelWork?: number;
  /** Elementwise ops and reductions on fewer elements run the reference kernel (default 64). */
  readonly minElements?: number;
  /**
   * Bytes of wasm memory that keep recent operands and results, so that a tensor made or read by
   * one kernel is not copied in again by the next (default 8 MiB; it grows to four times the
   * largest kernel's operands and results).
   */
  readonly cacheBytes?: number;
  /**
   * The most wasm memory to reserve (default and at most 4 GiB, the wasm32 limit). A kernel whose
   * operands, result and scratch do not fit runs the reference kernel instead.
   */
  readonly maxMemoryBytes?: number;
  /**
   * Run stride-1 3×3 convolutions (and their gradients) as Winograd F(2×2, 3×3): 2.25× fewer
   * multiplies, results within a documented float32 bound of the im2col path rather than equal to
   * it. Default: true unless `SSAM_WINOGRAD=0`.
   */
  readonly winograd?: boolean;
}

/** A wasm backend plus what the JavaScript side knows about it. */
export interface WasmBackend extends Backend {
  readonly threads: number;
  /** Whether stride-1 3×3 convolutions run as Winograd F(2×2, 3×3) (see WasmBackendOptions.winograd). */
  readonly winograd: boolean;
  /** Primitives that always run the reference kernel (others also do for int32 or tiny inputs). */
  readonly fallbacks: readonly string[];
  /** Bytes of wasm memory reserved (the arena's high-water mark, rounded up to pages). */
  memoryBytes(): number;
  /** Parallel-task chunks run so far by each thread (index 0: the calling thread). */
  chunksByThread(): number[];
  /** Times the pool found a worker stalled and fell back to the calling thread for a while. */
  stalls(): number;
  /** Operand bytes found in wasm memory (not copied in again) and bytes copied in. */
  copyStats(): { readonly reused: number; readonly copied: number };
  /** Stops the worker threads; the backend keeps working on the calling thread. */
  dispose(): void;
}

/**
 * Wraps every wasm kernel so that one too large for wasm memory (WasmCapacityError, thrown before
 * it writes anything) runs the reference kernel: large tensors are slow, never wrong.
 */
function fallBackWhenTooLarge(native: Kernels, ref: Kernels): Kernels {
  const out: Record<string, unknown> = {};
  for (const p of Object.keys(native) as (keyof Kernels)[]) {
    const k = native[p] as (ins: readonly unknown[], attrs: unknown) => unknown;
    const r = ref[p] as typeof k;
    out[p] = k === r ? k : (ins: readonly unknown[], attrs: unknown) => {
      try {
        return k(ins, attrs);
      } catch (e) {
        if (e instanceof WasmCapacityError) return r(ins, attrs);
        throw e;
      }
    };
  }
  return out as Kernels;
}

/** The default thread count: SSAM_THREADS, else os.availableParallelism() (honours taskset). */
export function defaultThreadCount(): number {
  const env = envVar('SSAM_THREADS');
  if (env !== undefined && env !== '') {
    const t = Number(env);
    if (!Number.isInteger(t) || t < 1) throw new Error(`SSAM_THREADS must be a positive integer, got ${JSON.stringify(env)}`);
    return t;
  }
  const os = nodeBuiltins()?.os;
  return Math.max(1, os?.availableParallelism?.() ?? os?.cpus().length ?? 1);
}

/** The default of WasmBackendOptions.winograd: SSAM_WINOGRAD=0 turns it off. */
export function defaultWinograd(): boolean {
  const env = envVar('SSAM_WINOGRAD');
  if (env === undefined || env === '' || env === '1') return true;
  if (env === '0') return false;
  throw new Error(`SSAM_WINOGRAD must be 0 or 1, got ${JSON.stringify(env)}`);
}

/** The kernels of one op-code table: `make(prim, code)` for every primitive it lists. */
function byCode<K extends PrimName>(table: { readonly [P in K]: number }, make: (prim: K, code: number) => Kernel<K>): { readonly [P in K]: Kernel<P> } {
  return Object.fromEntries((Object.keys(table) as K[]).map((p) => [p, make(p, table[p])])) as unknown as { readonly [P in K]: Kernel<P> };
}

/**
 * Creates a WebAssembly SIMD backend. Throws when the kernel module cannot be loaded (not Node,
 * or dist/ssam-kernels.wasm missing); `@ssam/tensor` itself catches that and keeps the reference.
 * @example
 * import { withBackend, matmul, ones } from '@ssam/tensor';
 * import { createWasmBackend } from '@ssam/tensor/wasm';
 * const wasm = createWasmBackend({ threads: 2 });
 * withBackend(wasm, () => matmul(ones([512, 512]), ones([512, 512])));
 */
export function createWasmBackend(opts: WasmBackendOptions = {}): WasmBackend {
  const threads = opts.threads ?? defaultThreadCount();
  if (!Number.isInteger(threads) || threads < 1) throw new Error(`createWasmBackend: threads must be a positive integer, got ${threads}`);
  const rt = new WasmRuntime({ ...opts, threads });
  const winograd = opts.winograd ?? defaultWinograd();
  const ref = referenceBackend.kernels;
  const native = {
    ...ref,
    // one kernel per entry of the op-code table (opcodes.ts): a primitive added there is wired here
    ...byCode(UNARY_OPS, (p, code) => unaryKernel(rt, code, ref[p] as Kernel<typeof p>)),
    ...byCode(BINARY_OPS, (p, code) => binaryKernel(rt, () => code, ref[p] as Kernel<typeof p>)),
    compare: binaryKernel(rt, compareOp, ref.compare),
    where: whereKernel(rt, ref.where),
    addcmul: addcmulKernel(rt, ref.addcmul),
    ...byCode(REDUCE_OPS, (p, code) => reduceKernel(rt, code, ref[p] as Kernel<typeof p>)),
    matmul: matmulKernel(rt),
    conv2d: conv2dKernel(rt, winograd),
    conv2dBackInput: conv2dBackInputKernel(rt, winograd),
    conv2dBackFilter: conv2dBackFilterKernel(rt, winograd),
    maxPool2d: maxPool2dKernel(rt, ref.maxPool2d),
    maxPool2dBackward: maxPool2dBackwardKernel(rt, ref.maxPool2dBackward),
    avgPool2d: avgPool2dKernel(rt, ref.avgPool2d),
    avgPool2dBackward: avgPool2dBackwardKernel(rt, ref.avgPool2dBackward),
  } satisfies Kernels;
  const kernels = fallBackWhenTooLarge(native, ref);
  const fallbacks = (Object.keys(native) as (keyof Kernels)[]).filter((p) => native[p] === ref[p]);
  const backend: WasmBackend = {
    name: 'wasm',
    kernels,
    threads,
    winograd,
    fallbacks,
    describe: () => `wasm (WebAssembly SIMD, ${threads} thread${threads === 1 ? '' : 's'})`,
    memoryBytes: () => rt.memoryBytes,
    chunksByThread: () => rt.pool.chunksByThread(),
    stalls: () => rt.pool.stalls,
    copyStats: () => ({ reused: rt.cacheHits, copied: rt.cacheMisses }),
    dispose: () => rt.dispose(),
  };
  registerRuntime(backend, rt);
  return backend;
}
