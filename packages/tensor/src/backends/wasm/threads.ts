import type { Worker } from 'node:worker_threads';
import { PARALLEL_OPS, type ParallelOp } from './exports.js';
import { nodeBuiltins } from './node.js';
import type { WasmInstance, WasmMemory, WasmModule } from './wasm-api.js';

// Control block layout (Int32 words) of the SharedArrayBuffer that the threads share.
const SEQ = 0; // task sequence number; idle workers Atomics.wait on it
const DONE = 1; // chunks finished in the current task
const NCHUNKS = 2;
const OP = 3;
const ARGC = 4;
const ERROR = 5; // set by a worker whose chunk threw
const READY = 6; // workers that have instantiated the module
const STATS = 8; // chunks run per thread (tid 0 = the calling thread), 8 threads tracked
const MAX_STATS = 8;
const CLAIM_BYTE = 64; // BigInt64: (seq << 32) | next unclaimed chunk
const ARGS_BYTE = 128; // Float64 arguments
const MAX_ARGS = 48;

/**
 * The worker body, evaluated as CommonJS source so the same code runs from the TypeScript sources
 * and from dist. It instantiates the kernel module over the shared memory and loops: wait for a
 * task, claim chunks until none are left, report each finished chunk.
 */
const WORKER_SOURCE = String.raw`
const { workerData } = require('node:worker_threads');
const { module, memory, sab, tid, ops, spinMicros } = workerData;
const instance = new WebAssembly.Instance(module, { env: { memory } });
const fns = ops.map((name) => instance.exports[name]);
const ctl = new Int32Array(sab, 0, 16);
const STATS_AT = ${STATS} + Math.min(tid, ${MAX_STATS - 1});
const claim = new BigInt64Array(sab, ${CLAIM_BYTE}, 1);
const args = new Float64Array(sab, ${ARGS_BYTE}, ${MAX_ARGS});
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
  const argc = Atomics.load(ctl, ${ARGC});
  const a = Array.from(args.subarray(0, argc));
  a.push(0, tid);
  const hi = BigInt(seq) << 32n;
  for (;;) {
    const v = Atomics.load(claim, 0);
    if ((v >> 32n) !== BigInt(seq)) return;
    const idx = Number(v - hi);
    if (idx >= n) return;
    if (Atomics.compareExchange(claim, 0, v, v + 1n) !== v) continue;
    a[argc] = idx;
    try { fn(...a); } catch (e) { Atomics.store(ctl, ${ERROR}, 1); }
    Atomics.add(ctl, STATS_AT, 1);
    if (Atomics.add(ctl, ${DONE}, 1) + 1 === n) Atomics.notify(ctl, ${DONE});
  }
}
let last = 0;
for (;;) { last = waitTask(last); work(last); }
`;

export interface PoolOptions {
  /** How long an idle worker spins before sleeping on a futex (default 200 µs). */
  readonly spinMicros?: number;
  /**
   * The module's parallel entry points, each `(...args, chunk, tid)`; default: those of
   * ssam-kernels.wasm. Other modules built the same way (@ssam/sparse) pass their own.
   */
  readonly ops?: readonly string[];
}

/**
 * A synchronous fork-join pool over Node worker threads that all instantiate one kernel module on
 * one shared WebAssembly.Memory. `run` publishes a task (an exported function, its arguments and a
 * chunk count), claims chunks on the calling thread too, and returns when every chunk is done:
 * ops stay synchronous. Chunks are claimed dynamically, so a worker that is descheduled (2 shared
 * cores) only delays the chunks it already holds; chunk boundaries never depend on which thread
 * runs them, so results do not depend on the thread count.
 */
export class ForkJoinPool {
  private readonly ops: readonly string[];
  private readonly ctl: Int32Array;
  private readonly claim: BigInt64Array;
  private readonly args: Float64Array;
  private readonly workers: Worker[] = [];
  private seq = 0;
  private readonly fns: ((...a: number[]) => void)[];
  private readonly spinMicros: number;

  constructor(
    module: WasmModule,
    memory: WasmMemory,
    instance: Pick<WasmInstance, 'exports'>,
    readonly workerCount: number,
    opts: PoolOptions = {},
  ) {
    const sab = new SharedArrayBuffer(ARGS_BYTE + MAX_ARGS * 8);
    this.ctl = new Int32Array(sab, 0, 16);
    this.claim = new BigInt64Array(sab, CLAIM_BYTE, 1);
    this.args = new Float64Array(sab, ARGS_BYTE, MAX_ARGS);
    this.ops = opts.ops ?? PARALLEL_OPS;
    this.fns = this.ops.map((name) => {
      const f = instance.exports[name];
      if (typeof f !== 'function') throw new Error(`ForkJoinPool: the module has no parallel entry point ${name}`);
      return f as (...a: number[]) => void;
    });
    this.spinMicros = opts.spinMicros ?? 200;
    if (workerCount > 0) {
      const wt = nodeBuiltins()?.workerThreads;
      if (!wt) throw new Error('worker threads are not available');
      for (let w = 0; w < workerCount; w++) {
        const worker = new wt.Worker(WORKER_SOURCE, {
          eval: true,
          workerData: { module, memory, sab, tid: w + 1, ops: [...this.ops], spinMicros: this.spinMicros },
        });
        worker.unref();
        // A worker that fails (it could not instantiate the module, say) just stops claiming
        // chunks; the calling thread runs them. Without a listener the error would crash the process.
        worker.on('error', (e) => {
          this.workerErrors.push(e instanceof Error ? e.message : String(e));
          const at = this.workers.indexOf(worker);
          if (at >= 0) this.workers.splice(at, 1);
        });
        this.workers.push(worker);
      }
    }
  }

  /**
   * Runs chunks 0..nChunks-1 of `op(...args, chunk, tid)`, spread over the calling thread and the
   * workers, or all on the calling thread (tid 0) when `parallel` is false. `meanwhile` runs on the
   * calling thread once the workers have been woken, before it claims chunks itself.
   */
  run(op: ParallelOp | (string & {}), args: readonly number[], nChunks: number, parallel = true, meanwhile?: () => void): void {
    if (!(nChunks > 0)) {
      meanwhile?.();
      return;
    }
    if (!Number.isInteger(nChunks)) throw new Error(`ForkJoinPool.run: ${op} got ${nChunks} chunks`);
    const opIndex = this.ops.indexOf(op);
    if (opIndex < 0) throw new Error(`ForkJoinPool.run: unknown parallel entry point ${op}`);
    const fn = this.fns[opIndex]!;
    const argc = args.length;
    const a = [...args, 0, 0];
    if (!parallel || this.workers.length === 0 || nChunks === 1 || this.inlineTasks > 0) {
      if (parallel && this.inlineTasks > 0) this.inlineTasks--;
      meanwhile?.();
      for (let c = 0; c < nChunks; c++) {
        a[argc] = c;
        fn(...a);
      }
      return;
    }
    if (argc > MAX_ARGS) throw new Error(`ForkJoinPool.run: ${op} has ${argc} arguments, at most ${MAX_ARGS}`);
    const ctl = this.ctl;
    const seq = (this.seq = (this.seq + 1) | 0);
    const hi = BigInt(seq) << 32n;
    // NOTE: reset the claim word before rewriting the arguments: a worker still holding the old
    // sequence number then fails its claim instead of running a chunk with mixed arguments.
    Atomics.store(this.claim, 0, hi);
    this.args.set(args);
    Atomics.store(ctl, NCHUNKS, nChunks);
    Atomics.store(ctl, OP, opIndex);
    Atomics.store(ctl, ARGC, argc);
    Atomics.store(ctl, DONE, 0);
    Atomics.store(ctl, ERROR, 0);
    Atomics.store(ctl, SEQ, seq);
    Atomics.notify(ctl, SEQ);
    const t0 = performance.now();
    let mine = 0;
    try {
      meanwhile?.();
      for (;;) {
        const v = Atomics.load(this.claim, 0);
        const idx = Number(v - hi);
        if (idx >= nChunks) break;
        if (Atomics.compareExchange(this.claim, 0, v, v + 1n) !== v) continue;
        a[argc] = idx;
        try {
          fn(...a);
        } finally {
          Atomics.add(ctl, DONE, 1);
        }
        ctl[STATS]!++;
        mine++;
      }
    } finally {
      // A chunk that threw here leaves the rest unclaimed: claim them all at once (counted done),
      // so the join below waits only for chunks a worker already holds.
      const v = Atomics.exchange(this.claim, 0, hi + BigInt(nChunks));
      const left = nChunks - Math.min(nChunks, Number(v - hi));
      if (left > 0) Atomics.add(ctl, DONE, left);
      // NOTE: never return (or throw) while a worker may still write into this task's memory.
      const t1 = performance.now();
      this.join(nChunks);
      this.adapt(t1 - t0, performance.now() - t1, mine);
    }
    if (Atomics.load(ctl, ERROR) !== 0) throw new Error(`wasm kernel ${op} failed on a worker thread`);
  }

  /**
   * Back-off for oversubscribed machines. When the caller had to wait for a worker much longer
   * than one chunk takes, the worker was descheduled while holding a chunk (more runnable threads
   * than cores): the next tasks then run on the calling thread alone, for a stretch that doubles
   * with every stall (8 to 1024 tasks) and halves with every parallel task that ran clean. Which
   * thread runs a chunk never changes its result, so this only trades speed.
   */
  private adapt(busy: number, waited: number, mine: number): void {
    const perChunk = mine > 0 ? busy / mine : busy;
    // NOTE: a worker that wakes late or runs its last chunk a little slower costs well under a
    // chunk or two; a descheduled one costs a scheduler time slice (milliseconds)
    if (waited > 4 * perChunk + 0.3) {
      this.backoff = Math.min(1024, this.backoff * 2);
      this.inlineTasks = this.backoff;
      this.stalls++;
    } else this.backoff = Math.max(4, this.backoff >> 1);
  }

  private backoff = 4;
  private inlineTasks = 0;
  /** Parallel tasks after which the pool backed off to the calling thread. */
  stalls = 0;
  /** Errors of workers that died (they no longer take part). */
  readonly workerErrors: string[] = [];

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

  /**
   * Wakes sleeping workers ahead of a parallel task, so that they are spinning (for `spinMicros`)
   * by the time the calling thread has copied the operands in and publishes the task.
   */
  wake(): void {
    if (this.workers.length > 0 && this.inlineTasks === 0) Atomics.notify(this.ctl, SEQ);
  }

  /** Workers that have started and instantiated the module (a worker takes tens of ms to boot). */
  readyWorkers(): number {
    return Atomics.load(this.ctl, READY);
  }

  /** Chunks each thread has run in parallel tasks so far (index = tid; 0 is the calling thread). */
  chunksByThread(): number[] {
    return Array.from({ length: Math.min(this.workerCount + 1, MAX_STATS) }, (_, t) => Atomics.load(this.ctl, STATS + t));
  }

  /** Stops the workers (tests and benchmarks that create many backends). */
  terminate(): void {
    for (const w of this.workers) void w.terminate();
    this.workers.length = 0;
  }
}
