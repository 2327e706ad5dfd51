import type { Backend, Kernels } from '../../backend.js';
import { referenceBackend } from '../reference/index.js';
import { matmulKernel } from './kernels/matmul.js';
import { envVar, nodeBuiltins } from './node.js';
import { WasmRuntime } from './runtime.js';

export interface WasmBackendOptions {
  /** Threads, the calling one included. Default: `SSAM_THREADS`, else the cores this process may use. */
  readonly threads?: number;
  /** How long idle workers spin before sleeping, in µs (default 200). */
  readonly spinMicros?: number;
}

/** A wasm backend plus what the JavaScript side knows about it. */
export interface WasmBackend extends Backend {
  readonly threads: number;
  /** Primitives that run the reference kernel (see the README's table). */
  readonly fallbacks: readonly string[];
  /** Bytes of wasm memory reserved (the arena's high-water mark, rounded up to pages). */
  memoryBytes(): number;
  /** Stops the worker threads; the backend keeps working on the calling thread. */
  dispose(): void;
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
  const rt = new WasmRuntime({ threads, spinMicros: opts.spinMicros });
  const ref = referenceBackend.kernels;
  const kernels = {
    ...ref,
    matmul: matmulKernel(rt),
  } satisfies Kernels;
  const fallbacks = (Object.keys(kernels) as (keyof Kernels)[]).filter((p) => kernels[p] === ref[p]);
  return {
    name: 'wasm',
    kernels,
    threads,
    fallbacks,
    describe: () => `wasm (WebAssembly SIMD, ${threads} thread${threads === 1 ? '' : 's'})`,
    memoryBytes: () => rt.memoryBytes,
    dispose: () => rt.dispose(),
  };
}
