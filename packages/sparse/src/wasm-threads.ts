import { ArgumentError, currentBackend } from '@ssam/tensor';
import { ForkJoinPool, defaultThreadCount } from '@ssam/tensor/wasm';

/*
 * Fork-join over Node worker threads for the sparse kernels, with the dense wasm backend's pool
 * (ForkJoinPool of @ssam/tensor/wasm): every worker instantiates dist/ssam-sparse.wasm on the one
 * shared WebAssembly.Memory; a task is an exported entry `(desc, chunk, tid)` plus a chunk count;
 * the calling thread publishes it, claims chunks itself, and returns when every chunk is done, so
 * the kernels stay synchronous. Chunks are fixed pieces of the output (never depending on the
 * thread count), so results are bit-identical with any number of threads. Workers are unref'd.
 */

/** The parallel entry points of assembly/parallel.ts. */
export const PARALLEL_OPS = ['planChunk', 'convBlock'] as const;
export type ParallelOp = (typeof PARALLEL_OPS)[number];

/** Most threads used (the calling one included). */
const MAX_THREADS = 8;

type Entry = (desc: number, chunk: number, tid: number) => void;

let override: number | undefined;

/**
 * Threads for the sparse kernels: `setSparseThreads(n)` when set, else those of the current dense
 * backend (the wasm backend's `threads`: SSAM_THREADS, else the cores this process may use), else
 * the dense backend's default rule (defaultThreadCount of @ssam/tensor/wasm).
 */
export function sparseThreads(): number {
  const t = override ?? (currentBackend() as { threads?: unknown }).threads;
  const n = typeof t === 'number' ? t : defaultThreadCount();
  return Math.max(1, Math.min(MAX_THREADS, Math.floor(n)));
}

/** Fixes the sparse kernels' thread count (undefined: follow the dense backend again). Tests and benchmarks. */
export function setSparseThreads(n: number | undefined): void {
  if (n !== undefined && !(Number.isInteger(n) && n >= 1)) throw new ArgumentError('setSparseThreads', `threads must be a positive integer (or undefined to follow the dense backend), got ${n}`);
  override = n;
}

/**
 * The sparse module's pool: a ForkJoinPool started on first parallel use with `threads − 1`
 * workers (restarted when the thread count changes); with one thread, or without worker threads,
 * every chunk runs on the calling thread.
 */
export class SparsePool {
  private pool: ForkJoinPool | undefined;
  private failed = false;
  private readonly fns: Entry[];

  constructor(
    private readonly module: object,
    private readonly memory: object,
    private readonly exports: Record<string, unknown>,
    private readonly spinMicros = 200,
  ) {
    this.fns = PARALLEL_OPS.map((n) => exports[n] as Entry);
  }

  /** The pool for `threads` threads, or undefined when the calling thread works alone. */
  ensure(threads: number): ForkJoinPool | undefined {
    if (threads <= 1 || this.failed) return undefined;
    if (this.pool && this.pool.workerCount === threads - 1) return this.pool;
    this.pool?.terminate();
    try {
      this.pool = new ForkJoinPool(this.module as never, this.memory as never, { exports: this.exports }, threads - 1, { spinMicros: this.spinMicros, ops: PARALLEL_OPS });
    } catch {
      this.failed = true; // no worker threads here: the calling thread runs every chunk
      this.pool = undefined;
    }
    return this.pool;
  }

  /** Chunks the workers (not the calling thread) have run so far. */
  workerChunks(): number {
    return (this.pool?.chunksByThread() ?? []).slice(1).reduce((a, b) => a + b, 0);
  }

  /** Workers that have started and instantiated the module. */
  readyWorkers(): number {
    return this.pool?.readyWorkers() ?? 0;
  }

  /** Workers started so far. */
  get workerCount(): number {
    return this.pool?.workerCount ?? 0;
  }

  /** Errors of workers that died (they no longer take part). */
  get workerErrors(): readonly string[] {
    return this.pool?.workerErrors ?? [];
  }

  /**
   * Runs chunks 0..nChunks-1 of `op(desc, chunk, tid)` over `threads` threads. `meanwhile` runs on
   * the calling thread once the workers are woken, before it claims chunks (the caller allocates
   * the result's host array there).
   */
  run(op: ParallelOp, desc: number, nChunks: number, threads: number, meanwhile?: () => void): void {
    const pool = this.ensure(threads);
    if (pool) return pool.run(op, [desc], nChunks, true, meanwhile);
    meanwhile?.();
    const fn = this.fns[PARALLEL_OPS.indexOf(op)]!;
    for (let c = 0; c < nChunks; c++) fn(desc, c, 0);
  }

  /** Wakes sleeping workers ahead of a task (starting them on first use). */
  wake(threads: number): void {
    this.ensure(threads)?.wake();
  }

  /** Stops the workers; later tasks start new ones when they need them. */
  terminate(): void {
    this.pool?.terminate();
    this.pool = undefined;
  }
}
