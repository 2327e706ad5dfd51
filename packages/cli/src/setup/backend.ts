import { currentBackend, referenceBackend, type Backend } from '@ssam/tensor';
import { UsageError } from '../config.js';

/** The backend a run uses and what to record about it. */
export interface ChosenBackend {
  readonly backend: Backend;
  /** `backend.describe()`: what actually runs (threads, SIMD), written to config.json. */
  readonly description: string;
  readonly threads: number;
  /** Stops worker threads, if any. */
  dispose(): void;
}

interface WasmModule {
  createWasmBackend(opts: { threads?: number }): Backend & { threads: number; dispose(): void };
}

// The wasm backend lives behind the `@ssam/tensor/wasm` entry. It is imported by a computed name
// so that this package builds and runs (on the reference backend) where that entry is absent.
async function importWasm(): Promise<WasmModule | Error> {
  const entry = '@ssam/tensor/wasm';
  try {
    return (await import(entry)) as WasmModule;
  } catch (e) {
    return e instanceof Error ? e : new Error(String(e));
  }
}

/**
 * Chooses the backend: `reference` (plain TypeScript, one thread), `wasm` (WebAssembly SIMD with
 * `threads` threads; a UsageError when it cannot load), or `auto` (wasm when it loads, else the
 * reference). `threads` defaults to SSAM_THREADS, else the cores this process may use.
 */
export async function chooseBackend(kind: 'auto' | 'reference' | 'wasm', threads: number | undefined): Promise<ChosenBackend> {
  // A bad SSAM_THREADS would make the wasm backend fail to load, and `auto` quietly fall back.
  const env = process.env.SSAM_THREADS;
  if (threads === undefined && env !== undefined && env !== '' && !(/^\d+$/.test(env.trim()) && Number(env) >= 1))
    throw new UsageError(`SSAM_THREADS must be a positive integer (the wasm thread count), got '${env}'; fix or unset it, or give --threads`);
  const reference = (why?: string): ChosenBackend => {
    if (kind === 'reference' && threads !== undefined && threads !== 1)
      throw new UsageError(`--threads ${threads} needs the wasm backend; the reference backend runs on one thread (drop --threads or use --backend wasm)`);
    const d = referenceBackend.describe?.() ?? 'reference';
    return { backend: referenceBackend, description: why ? `${d}; wasm unavailable: ${why}` : d, threads: 1, dispose() {} };
  };
  if (kind === 'reference') return reference();
  // An explicit thread count reaches the wasm backend both ways: as the option, and through
  // SSAM_THREADS for anything that creates the package's default backend.
  if (threads !== undefined) process.env.SSAM_THREADS = String(threads);
  const mod = await importWasm();
  let failure: string;
  if (mod instanceof Error) failure = `@ssam/tensor/wasm does not load (${mod.message.split('\n')[0]})`;
  else {
    try {
      const b = mod.createWasmBackend(threads !== undefined ? { threads } : {});
      return { backend: b, description: b.describe?.() ?? b.name, threads: b.threads, dispose: () => b.dispose() };
    } catch (e) {
      failure = (e as Error).message.split('\n')[0]!;
    }
  }
  if (kind === 'wasm') throw new UsageError(`--backend wasm is not available: ${failure}. Use --backend reference (or auto)`);
  return reference(failure);
}

/** The backend ops run on now (for messages). */
export const describeCurrent = (): string => currentBackend().describe?.() ?? currentBackend().name;
