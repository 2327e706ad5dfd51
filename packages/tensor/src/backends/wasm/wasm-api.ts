// The slice of the WebAssembly JS API this backend uses, typed locally: the workspace compiles
// with lib ES2023 and @types/node 20, neither of which declares the WebAssembly namespace, and an
// ambient declaration here would clash with lib.dom for consumers that have it.

export interface WasmModule {
  readonly __brand?: 'WebAssembly.Module';
}

export interface WasmMemory {
  readonly buffer: ArrayBuffer | SharedArrayBuffer;
  grow(pages: number): number;
}

export interface WasmInstance {
  readonly exports: Record<string, unknown>;
}

interface WebAssemblyApi {
  Module: new (bytes: Uint8Array) => WasmModule;
  Instance: new (module: WasmModule, imports: Record<string, Record<string, unknown>>) => WasmInstance;
  Memory: new (desc: { initial: number; maximum?: number; shared?: boolean }) => WasmMemory;
}

/** globalThis.WebAssembly, or a clear error where the engine has none. */
export function webAssembly(): WebAssemblyApi {
  const wa = (globalThis as { WebAssembly?: WebAssemblyApi }).WebAssembly;
  if (!wa) throw new Error('this JavaScript engine has no WebAssembly');
  return wa;
}
