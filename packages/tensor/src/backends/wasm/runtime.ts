import type { TypedArray } from '../../dtype.js';
import { ABI_VERSION, PARALLEL_OPS, type KernelExports, type ParallelOp } from './exports.js';
import { loadKernelModule } from './module.js';
import { ForkJoinPool } from './threads.js';
import { webAssembly, type WasmMemory, type WasmModule } from './wasm-api.js';

const PAGE = 65536;
/** The first page stays unused (AssemblyScript's static data would live there; the kernels have none). */
const ARENA_BASE = PAGE;
const MAX_PAGES = 65536;
/** Work (flops, or bytes moved) below which a kernel stays on the calling thread. */
export const PARALLEL_WORK = 1 << 18;

let sharedModule: WasmModule | undefined;

export interface RuntimeOptions {
  readonly threads: number;
  readonly spinMicros?: number;
  /** Work below which kernels stay on the calling thread (default PARALLEL_WORK). */
  readonly minParallelWork?: number;
  /** Elementwise ops and reductions on fewer elements use the reference kernel (default 64). */
  readonly minElements?: number;
}

/**
 * One kernel module instance on a shared WebAssembly.Memory, plus the worker pool.
 *
 * Memory is copy-in/copy-out: tensors keep living in ordinary host typed arrays (so they are
 * released by the garbage collector like any other tensor, and every backend can read them); a
 * kernel copies its inputs into a bump arena in wasm memory, runs, copies the result into a fresh
 * host array and releases the arena (`mark`/`release`). The memory therefore never holds more than
 * the largest single kernel call needs, and steady-state training keeps RSS flat. (Wasm-resident
 * tensors freed by a FinalizationRegistry would save the copies, but finalizers only run when the
 * event loop turns, so a synchronous training loop would never free anything.)
 */
export class WasmRuntime {
  readonly memory: WasmMemory;
  readonly exports: KernelExports;
  readonly pool: ForkJoinPool;
  readonly threads: number;
  readonly minParallelWork: number;
  readonly minElements: number;
  private top = ARENA_BASE;
  private highWater = ARENA_BASE;
  f32!: Float32Array;
  i32!: Int32Array;

  constructor(opts: RuntimeOptions) {
    sharedModule ??= loadKernelModule();
    this.threads = Math.max(1, Math.floor(opts.threads));
    this.minParallelWork = opts.minParallelWork ?? PARALLEL_WORK;
    this.minElements = opts.minElements ?? 64;
    const wa = webAssembly();
    this.memory = new wa.Memory({ initial: 32, maximum: MAX_PAGES, shared: true });
    const instance = new wa.Instance(sharedModule, { env: { memory: this.memory } });
    this.exports = instance.exports as unknown as KernelExports;
    const abi = typeof this.exports.abiVersion === 'function' ? this.exports.abiVersion() : 0;
    const missing = PARALLEL_OPS.filter((op) => typeof instance.exports[op] !== 'function');
    if (abi !== ABI_VERSION || missing.length > 0)
      throw new Error(`dist/ssam-kernels.wasm is stale (ABI ${abi}, expected ${ABI_VERSION}); rebuild it with \`pnpm --filter @ssam/tensor build\``);
    this.pool = new ForkJoinPool(sharedModule, this.memory, instance, this.threads - 1, { spinMicros: opts.spinMicros ?? 200 });
    this.refreshViews();
  }

  private refreshViews(): void {
    const buf = this.memory.buffer;
    this.f32 = new Float32Array(buf);
    this.i32 = new Int32Array(buf);
  }

  /** Bytes of wasm memory reserved so far (it never shrinks). */
  get memoryBytes(): number {
    return this.memory.buffer.byteLength;
  }

  /** The arena's high-water mark in bytes. */
  get arenaHighWater(): number {
    return this.highWater - ARENA_BASE;
  }

  mark(): number {
    return this.top;
  }

  release(mark: number): void {
    this.top = mark;
  }

  /** Reserves `bytes` (64-byte aligned) in the arena and returns the address. */
  alloc(bytes: number): number {
    const p = (this.top + 63) & ~63;
    const end = p + bytes;
    if (end > this.f32.buffer.byteLength) {
      const have = this.memory.buffer.byteLength;
      if (end > have) {
        // grow geometrically so a training loop settles after a few steps
        const want = Math.max(Math.ceil(end / PAGE), Math.ceil((have / PAGE) * 1.25));
        const pages = Math.min(MAX_PAGES, want) - have / PAGE;
        if (end > MAX_PAGES * PAGE) throw new RangeError(`wasm backend: a kernel needs ${end} bytes of wasm memory (max ${MAX_PAGES * PAGE})`);
        this.memory.grow(pages);
      }
      this.refreshViews();
    }
    this.top = end;
    if (end > this.highWater) this.highWater = end;
    return p;
  }

  /** Copies a host array into the arena. */
  put(data: TypedArray): number {
    const p = this.alloc(data.length * 4);
    if (data instanceof Float32Array) this.f32.set(data, p >>> 2);
    else this.i32.set(data, p >>> 2);
    return p;
  }

  /** Writes int32 values (offset tables) into the arena. */
  putInts(values: ArrayLike<number>): number {
    const p = this.alloc(values.length * 4);
    const base = p >>> 2;
    for (let i = 0; i < values.length; i++) this.i32[base + i] = values[i]!;
    return p;
  }

  /** A fresh host copy of `n` float32 values at `p`. */
  takeF32(p: number, n: number): Float32Array {
    const out = new Float32Array(n);
    out.set(this.f32.subarray(p >>> 2, (p >>> 2) + n));
    return out;
  }

  takeI32(p: number, n: number): Int32Array {
    const out = new Int32Array(n);
    out.set(this.i32.subarray(p >>> 2, (p >>> 2) + n));
    return out;
  }

  /**
   * Runs a parallel entry point over `nChunks` chunks; inline when there is one thread, one chunk,
   * or `work` (a rough count of flops or bytes) is below the fork-join break-even.
   */
  run(op: ParallelOp, args: readonly number[], nChunks: number, work = Infinity): void {
    this.pool.run(op, args, nChunks, work >= this.minParallelWork);
  }

  /** Chunks worth creating for `work` units split into at most `max` pieces. */
  chunks(max: number, work: number): number {
    if (this.threads === 1 || work < this.minParallelWork) return 1;
    return Math.max(1, Math.min(max, 4 * this.threads));
  }

  dispose(): void {
    this.pool.terminate();
  }
}
