/**
 * @ssam/tensor/wasm: the WebAssembly SIMD backend (AssemblyScript kernels, worker threads on a
 * shared memory). `@ssam/tensor` already makes it the default when it loads; import this entry to
 * create one with explicit options.
 * @example
 * import { currentBackend } from '@ssam/tensor';
 * console.log(currentBackend().describe()); // "wasm (WebAssembly SIMD, 2 threads)"
 */
export { createWasmBackend, defaultThreadCount, defaultWinograd, type WasmBackend, type WasmBackendOptions } from './backend.js';
/** The fork-join worker pool, for other AssemblyScript modules built the same way (@ssam/sparse). */
export { ForkJoinPool, type PoolOptions } from './threads.js';
