import { currentBackend } from '@ssam/tensor';
import { defaultThreadCount } from '@ssam/tensor/wasm';

/*
 * Fork-join over Node worker threads for the sparse kernels, mirroring the dense wasm backend
 * (packages/tensor/src/backends/wasm/threads.ts): every worker instantiates dist/ssam-sparse.wasm
 * on the one shared WebAssembly.Memory; a task is an exported entry `(desc, chunk, tid)` plus a
 * chunk count; the calling thread publishes it, claims chunks itself, and returns when every
 * chunk is done, so the kernels stay synchronous. Chunks are fixed pieces of the output (never
 * depending on the thread count), so results are bit-identical with any number of threads.
 * Workers are unref'd: they never keep the process alive.
 */

/** The parallel entry points of assembly/parallel.ts, by index. */
export const PARALLEL_OPS = ['planChunk', 'convBlock'] as const;
export type ParallelOp = (typeof PARALLEL_OPS)[number];

// Control block (Int32 words) of the SharedArrayBuffer the threads share.
const SEQ = 0; // task sequence number; idle workers Atomics.wait on it
const DONE = 1; // chunks finished in the current task
const NCHUNKS = 2;
const OP = 3;
const DESC = 4;
const ERROR = 5;
const WORKER_CHUNKS = 6; // chunks the workers have run, all tasks
const READY = 7; // workers that have instantiated the module
const CLAIM_BYTE = 64; // BigInt64: (seq << 32) | next unclaimed chunk
const SAB_BYTES = 128;
/** Most threads used (the calling one included). */
const MAX_THREADS = 8;

const WORKER_SOURCE = String.raw`
const { workerData } = require('node:worker_threads');
const { module, memory, sab, tid, ops, spinMicros } = workerData;
const instance = new WebAssembly.Instance(module, { env: { memory } });
const fns = ops.map((name) => instance.exports[name]);
const ctl = new Int32Array(sab, 0, 16);
const claim = new BigInt64Array(sab, ${CLAIM_BYTE}, 1);
Atomics.add(ctl, ${READY}, 1);
function waitTask(last) {
  let s = Atomics.load(ctl, ${SEQ});
  if (s !== last) return s;
  const t0 = performance.now();
  for (let i = 1; ; i++) {
    s = Atomics.load(ctl, ${SEQ});
    if (s !== last) return s;
    if ((i & 255) === 0 && performance.now() - t0 > spinMicros / 1000) break;
  }
  Atomics.wait(ctl, ${SEQ}, last);
  return Atomics.load(ctl, ${SEQ});
}
function work(seq) {
  const n = Atomics.load(ctl, ${NCHUNKS});
  const fn = fns[Atomics.load(ctl, ${OP})];
  const desc = Atomics.load(ctl, ${DESC});
  const hi = BigInt(seq) << 32n;
  for (;;) {
    const v = Atomics.load(claim, 0);
    if ((v >> 32n) !== BigInt(seq)) return;
    const idx = Number(v - hi);
    if (idx >= n) return;
    if (Atomics.compareExchange(claim, 0, v, v + 1n) !== v) continue;
    try { fn(desc, idx, tid); } catch (e) { Atomics.store(ctl, ${ERROR}, 1); }
    Atomics.add(ctl, ${WORKER_CHUNKS}, 1);
    if (Atomics.add(ctl, ${DONE}, 1) + 1 === n) Atomics.notify(ctl, ${DONE});
  }
}
let last = 0;
for (;;) { last = waitTask(last); work(last); }
`;

type Entry = (desc: number, chunk: number, tid: number) => void;
type NodeWorker = { unref(): void; on(e: 'error', f: (e: unknown) => void): void; terminate(): Promise<number> };
type WorkerThreads = { Worker: new (src: string, o: { eval: boolean; workerData: unknown }) => NodeWorker };

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
  if (n !== undefined && !(Number.isInteger(n) && n >= 1)) throw new Error(`setSparseThreads: threads must be a positive integer, got ${n}`);
  override = n;
}

/** The fork-join pool of one module instance; `run` falls back to the calling thread alone. */
export class SparsePool {
  private readonly ctl: Int32Array;
  private readonly claim: BigInt64Array;
  private readonly workers: NodeWorker[] = [];
  private readonly fns: Entry[];
  private seq = 0;
  private backoff = 4;
  private inlineTasks = 0;
  /** Parallel tasks after which the pool found a worker stalled and ran alone for a while. */
  stalls = 0;
  /** Errors of workers that died (they no longer take part). */
  readonly workerErrors: string[] = [];

  constructor(
    private readonly module: object,
    private readonly memory: object,
    exports: Record<string, unknown>,
    private readonly spinMicros = 200,
  ) {
    const sab = new SharedArrayBuffer(SAB_BYTES);
    this.ctl = new Int32Array(sab, 0, 16);
    this.claim = new BigInt64Array(sab, CLAIM_BYTE, 1);
    this.fns = PARALLEL_OPS.map((n) => exports[n] as Entry);
  }

  /** Chunks the workers (not the calling thread) have run so far. */
  workerChunks(): number {
    return Atomics.load(this.ctl, WORKER_CHUNKS);
  }

  /** Workers that have started and instantiated the module (a worker takes tens of ms to boot). */
  readyWorkers(): number {
    return Atomics.load(this.ctl, READY);
  }

  /** Workers started so far. */
  get workerCount(): number {
    return this.workers.length;
  }

  /** Starts workers until `threads - 1` run (none when worker threads are missing). */
  ensure(threads: number): void {
    if (this.workers.length + 1 >= threads || this.failed) return;
    const proc = (globalThis as { process?: { getBuiltinModule?: (n: string) => unknown } }).process;
    const wt = proc?.getBuiltinModule?.('node:worker_threads') as WorkerThreads | undefined;
    if (!wt?.Worker) {
      this.failed = true;
      return;
    }
    try {
      for (let tid = this.workers.length + 1; tid < threads; tid++) {
        const worker = new wt.Worker(WORKER_SOURCE, {
          eval: true,
          workerData: { module: this.module, memory: this.memory, sab: this.ctl.buffer, tid, ops: [...PARALLEL_OPS], spinMicros: this.spinMicros },
        });
        worker.unref();
        // a worker that fails just stops claiming chunks; the calling thread runs them
        worker.on('error', (e) => {
          this.workerErrors.push(e instanceof Error ? e.message : String(e));
          const at = this.workers.indexOf(worker);
          if (at >= 0) this.workers.splice(at, 1);
        });
        this.workers.push(worker);
      }
    } catch {
      this.failed = true;
    }
  }
  private failed = false;

  /**
   * Runs chunks 0..nChunks-1 of `op(desc, chunk, tid)` over `threads` threads (the calling one is
   * tid 0), or all on the calling thread when threads is 1, there is one chunk, or the pool backed off.
   * `meanwhile` runs on the calling thread once the workers are woken, before it claims chunks (the
   * caller allocates the result's host array there).
   */
  run(op: ParallelOp, desc: number, nChunks: number, threads: number, meanwhile?: () => void): void {
    const fn = this.fns[PARALLEL_OPS.indexOf(op)]!;
    if (threads > 1) this.ensure(threads);
    if (threads <= 1 || nChunks <= 1 || this.workers.length === 0 || this.inlineTasks > 0) {
      if (threads > 1 && this.inlineTasks > 0) this.inlineTasks--;
      meanwhile?.();
      for (let c = 0; c < nChunks; c++) fn(desc, c, 0);
      return;
    }
    const ctl = this.ctl;
    const seq = (this.seq = (this.seq + 1) | 0);
    const hi = BigInt(seq) << 32n;
    // reset the claim word first: a worker still on the old sequence then fails its claim
    Atomics.store(this.claim, 0, hi);
    Atomics.store(ctl, NCHUNKS, nChunks);
    Atomics.store(ctl, OP, PARALLEL_OPS.indexOf(op));
    Atomics.store(ctl, DESC, desc);
    Atomics.store(ctl, DONE, 0);
    Atomics.store(ctl, ERROR, 0);
    Atomics.store(ctl, SEQ, seq);
    Atomics.notify(ctl, SEQ);
    let mine = 0;
    const t0 = performance.now();
    try {
      meanwhile?.();
      for (;;) {
        const v = Atomics.load(this.claim, 0);
        const idx = Number(v - hi);
        if (idx >= nChunks) break;
        if (Atomics.compareExchange(this.claim, 0, v, v + 1n) !== v) continue;
        try {
          fn(desc, idx, 0);
        } finally {
          Atomics.add(ctl, DONE, 1);
        }
        mine++;
      }
    } finally {
      // never return (or throw) while a worker still writes into this task's memory
      const t1 = performance.now();
      this.join(nChunks);
      this.adapt(t1 - t0, performance.now() - t1, mine);
    }
    if (Atomics.load(ctl, ERROR) !== 0) throw new Error(`sparse wasm kernel ${op} failed on a worker thread`);
  }

  /**
   * Back-off when the machine is oversubscribed (as the dense pool does): a wait much longer than
   * a chunk means a worker was descheduled holding one, so the next tasks run on the calling thread
   * alone for a stretch that doubles per stall (8 to 1024 tasks) and halves per clean parallel task.
   */
  private adapt(busy: number, waited: number, mine: number): void {
    const perChunk = mine > 0 ? busy / mine : busy;
    if (waited > 4 * perChunk + 0.3) {
      this.backoff = Math.min(1024, this.backoff * 2);
      this.inlineTasks = this.backoff;
      this.stalls++;
    } else this.backoff = Math.max(4, this.backoff >> 1);
  }

  /**
   * Wakes sleeping workers ahead of a task, so that they spin (for `spinMicros`) while the calling
   * thread copies the operands in and publishes it; starts them on first use.
   */
  wake(threads: number): void {
    if (threads <= 1) return;
    this.ensure(threads);
    if (this.workers.length > 0 && this.inlineTasks === 0) Atomics.notify(this.ctl, SEQ);
  }

  private join(nChunks: number): void {
    const ctl = this.ctl;
    let done = Atomics.load(ctl, DONE);
    if (done >= nChunks) return;
    const t0 = performance.now();
    for (let i = 1; done < nChunks; i++) {
      done = Atomics.load(ctl, DONE);
      if ((i & 255) === 0 && performance.now() - t0 > this.spinMicros / 1000) break;
    }
    while (done < nChunks) {
      Atomics.wait(ctl, DONE, done, 50);
      done = Atomics.load(ctl, DONE);
    }
  }

  /** Stops the workers; later tasks run on the calling thread until more are needed. */
  terminate(): void {
    for (const w of this.workers) void w.terminate();
    this.workers.length = 0;
  }
}
