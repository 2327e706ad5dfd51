import type { Backend } from '../../backend.js';
import type { WasmRuntime } from './runtime.js';

/**
 * The runtime behind each wasm backend, for `compile` (src/compile/), which runs a plan's kernels
 * on tensors resident in that runtime's memory. Kept out of the public `WasmBackend` record.
 */
const runtimes = new WeakMap<Backend, WasmRuntime>();

/** @internal */
export function registerRuntime(backend: Backend, rt: WasmRuntime): void {
  runtimes.set(backend, rt);
}

/** @internal the runtime of a wasm backend, or undefined for any other backend. */
export function runtimeOf(backend: Backend): WasmRuntime | undefined {
  return runtimes.get(backend);
}
