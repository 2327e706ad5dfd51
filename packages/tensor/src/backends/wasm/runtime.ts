import type { TypedArray } from '../../dtype.js';
import { ABI_VERSION, PARALLEL_OPS, type KernelExports, type ParallelOp } from './exports.js';
import { checkOpTable } from './opcodes.js';
import { loadKernelModule } from './module.js';
import { ForkJoinPool } from './threads.js';
import { webAssembly, type WasmMemory, type WasmModule } from './wasm-api.js';

const PAGE = 65536;
/** The first page stays unused (AssemblyScript's static data would live there; the kernels have none). */
const RING_BASE = PAGE;
/** Default size of the ring that keeps recent inputs and outputs (see `input`). */
export const CACHE_BYTES = 8 << 20;
// NOTE: plain float arithmetic, not `(b + 63) & ~63`: bitwise operators are 32-bit, and past 2³¹
// bytes they wrapped the ring's capacity to a few KiB, so that blocks overlapped.
const align = (b: number) => Math.ceil(b / 64) * 64;
const MAX_PAGES = 65536;
/** The most wasm32 memory there can be: 4 GiB. */
export const MAX_MEMORY_BYTES = MAX_PAGES * PAGE;
/** Scratch kept free after the largest ring (offset tables, packed panels of moderate kernels). */
const ARENA_RESERVE = 16 << 20;

/**
 * A kernel whose operands, result and scratch do not fit in wasm memory (4 GiB at most). Thrown
 * before the kernel writes anything; the backend catches it and runs the reference kernel.
 */
export class WasmCapacityError extends Error {
  override readonly name = 'WasmCapacityError';
}
/** Work (flops) below which a kernel stays on the calling thread. */
export const PARALLEL_WORK = 1 << 18;
/**
 * Memory-bound kernels (elementwise, reductions, pooling) fork only past this many bytes moved:
 * below it their loop is shorter than the (serial) copy out of the result plus a fork-join.
 */
export const PARALLEL_BYTES = 1 << 22;

let sharedModule: WasmModule | undefined;

export interface RuntimeOptions {
  readonly threads: number;
  readonly spinMicros?: number;
  /** Work below which kernels stay on the calling thread (default PARALLEL_WORK). */
  readonly minParallelWork?: number;
  /** Elementwise ops and reductions on fewer elements use the reference kernel (default 64). */
  readonly minElements?: number;
  /** Bytes of the ring that keeps recent operands in wasm memory (default 8 MiB; it grows to four times the largest kernel's operands). */
  readonly cacheBytes?: number;
  /** The most wasm memory to reserve, in bytes (default and at most MAX_MEMORY_BYTES, 4 GiB). */
  readonly maxMemoryBytes?: number;
}

interface RingBlock {
  /** position in the ring's unbounded byte count; the block sits at RING_BASE + start % cap */
  readonly start: number;
  readonly bytes: number;
}

/**
 * One kernel module instance on a shared WebAssembly.Memory, plus the worker pool.
 *
 * Memory is copy-in/copy-out: tensors keep living in ordinary host typed arrays (so they are
 * released by the garbage collector like any other tensor, and every backend can read them). A
 * kernel's operands and result go through a ring buffer in wasm memory; the result is copied into a
 * fresh host array. A WeakMap remembers where in the ring each host array was last copied, so an
 * operand that an earlier kernel produced or read (the previous layer's output, the batch, a
 * weight used twice) is not copied again while the ring has not wrapped over it. Scratch (packed
 * panels, patch matrices) lives in a bump arena after the ring, released when the kernel returns.
 * The memory never holds more than the ring plus the largest kernel's scratch, so steady-state
 * training keeps RSS flat. (Wasm-resident tensors freed by a FinalizationRegistry would save the
 * copy out too, but finalizers only run when the event loop turns, so a synchronous training loop
 * would never free anything.)
 */
export class WasmRuntime {
  readonly memory: WasmMemory;
  readonly exports: KernelExports;
  readonly pool: ForkJoinPool;
  readonly threads: number;
  readonly minParallelWork: number;
  readonly minElements: number;
  private ringCap: number;
  /** bytes ever allocated in the ring (positions are taken modulo ringCap) */
  private ringTop = 0;
  /** ring position the current kernel may allocate up to; cached blocks must lie beyond its reach */
  private kernelLimit = 0;
  private cache = new WeakMap<object, RingBlock>();
  /** ring blocks of the current kernel's outputs, by address */
  private outputs = new Map<number, RingBlock>();
  private arenaBase: number;
  private top: number;
  private highWater: number;
  /** memory ceiling (whole pages) and the largest ring that leaves ARENA_RESERVE of scratch under it */
  readonly maxBytes: number;
  private readonly maxRing: number;
  /** Operand copies saved by the ring cache, and made (bytes). */
  cacheHits = 0;
  cacheMisses = 0;
  /**
   * Resident mode (used by compiled plans, src/compile/): `pinned` bytes at the start of the scratch
   * arena hold a plan's tensors for the length of one plan run; `resident` are the views of them
   * (`input` uses them in place); the next `output` of exactly `nextOutputBytes` goes to
   * `nextOutput`, and its result comes back as a view instead of a host copy.
   */
  private pinned = 0;
  readonly resident = new WeakSet<object>();
  nextOutput = -1;
  nextOutputBytes = 0;
  private planned = -1;
  f32!: Float32Array;
  i32!: Int32Array;

  constructor(opts: RuntimeOptions) {
    sharedModule ??= loadKernelModule();
    this.threads = Math.max(1, Math.floor(opts.threads));
    this.minParallelWork = opts.minParallelWork ?? PARALLEL_WORK;
    this.minElements = opts.minElements ?? 64;
    const maxBytes = opts.maxMemoryBytes ?? MAX_MEMORY_BYTES;
    if (!(maxBytes >= 4 * PAGE && maxBytes <= MAX_MEMORY_BYTES))
      throw new Error(`createWasmBackend: maxMemoryBytes must be in [${4 * PAGE}, ${MAX_MEMORY_BYTES}], got ${maxBytes}`);
    this.maxBytes = Math.floor(maxBytes / PAGE) * PAGE;
    this.maxRing = Math.floor((this.maxBytes - RING_BASE - Math.min(ARENA_RESERVE, this.maxBytes / 4)) / 64) * 64;
    this.ringCap = Math.min(this.maxRing, align(Math.max(PAGE, opts.cacheBytes ?? CACHE_BYTES)));
    this.arenaBase = this.top = this.highWater = RING_BASE + this.ringCap;
    const wa = webAssembly();
    const maximum = this.maxBytes / PAGE;
    this.memory = new wa.Memory({ initial: Math.min(maximum, Math.ceil((this.arenaBase + PAGE) / PAGE)), maximum, shared: true });
    const instance = new wa.Instance(sharedModule, { env: { memory: this.memory } });
    this.exports = instance.exports as unknown as KernelExports;
    const abi = typeof this.exports.abiVersion === 'function' ? this.exports.abiVersion() : 0;
    const missing = PARALLEL_OPS.filter((op) => typeof instance.exports[op] !== 'function');
    if (abi !== ABI_VERSION || missing.length > 0)
      throw new Error(`dist/ssam-kernels.wasm is stale (ABI ${abi}, expected ${ABI_VERSION}); rebuild it with \`pnpm --filter @ssam/tensor build\``);
    checkOpTable(this.exports);
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

  /** The scratch arena's high-water mark in bytes. */
  get arenaHighWater(): number {
    return this.highWater - this.arenaBase;
  }

  private ensureMemory(end: number): void {
    if (end <= this.f32.buffer.byteLength) return;
    const have = this.memory.buffer.byteLength;
    if (end > have) {
      if (end > this.maxBytes) throw new WasmCapacityError(`a kernel needs ${end} bytes of wasm memory (at most ${this.maxBytes})`);
      // grow geometrically so a training loop settles after a few steps
      const want = Math.max(Math.ceil(end / PAGE), Math.ceil((have / PAGE) * 1.25));
      try {
        this.memory.grow(Math.min(this.maxBytes / PAGE, want) - have / PAGE);
      } catch (e) {
        // the host refused the pages (out of memory): the reference kernel may still manage
        throw new WasmCapacityError(`growing wasm memory to ${end} bytes failed: ${e instanceof Error ? e.message : String(e)}`);
      }
    }
    this.refreshViews();
  }

  /**
   * Starts a kernel whose operands and results take `bytes` in total (the sum of `input` and
   * `output` sizes): the scratch arena is empty again, and the ring is grown first if it could
   * wrap over this kernel's own operands. `work` (flops or bytes) big enough to fork wakes the
   * workers now, while the operands are being copied in.
   */
  begin(bytes: number, work = 0): number {
    // each block may also skip the ring's tail (< its own size) to stay contiguous
    const budget = 2 * bytes + 64 * 64;
    // A kernel's own blocks may not wrap over each other: the ring must hold its budget. Refused
    // here, before anything moves, so that the caller can run the reference kernel instead.
    if (!(budget <= this.maxRing))
      throw new WasmCapacityError(`a kernel's operands and result take ${bytes} bytes; the wasm ring holds kernels of at most ${Math.floor((this.maxRing - 64 * 64) / 2)} bytes`);
    if (work >= this.minParallelWork && this.threads > 1) this.pool.wake();
    // grow to twice the budget (so recent operands stay cached), up to what fits under maxBytes
    // (not while a compiled plan pins the arena: its operands are resident, the ring stays put)
    if (2 * budget > this.ringCap && this.ringCap < this.maxRing && this.pinned === 0) {
      const cap = Math.min(this.maxRing, align(Math.max(1.5 * this.ringCap, 2 * budget)));
      // memory first: when the host refuses it, the old ring stays as it was
      this.ensureMemory(RING_BASE + cap);
      this.ringCap = cap;
      this.arenaBase = this.top = RING_BASE + this.ringCap;
      this.highWater = Math.max(this.highWater, this.arenaBase);
      this.cache = new WeakMap();
      this.ringTop = 0;
    }
    this.top = this.arenaBase + this.pinned;
    this.outputs.clear();
    this.kernelLimit = this.ringTop + budget;
    return this.top;
  }

  private ringAlloc(bytes: number): RingBlock {
    const size = align(Math.max(bytes, 4));
    const off = this.ringTop % this.ringCap;
    if (off + size > this.ringCap) this.ringTop += this.ringCap - off;
    const block = { start: this.ringTop, bytes: size };
    this.ringTop += size;
    if (this.ringTop > this.kernelLimit) throw new Error('wasm backend: a kernel used more ring space than it declared in begin()');
    return block;
  }

  private addr(b: RingBlock): number {
    return RING_BASE + (b.start % this.ringCap);
  }

  /**
   * The wasm address of a host array's contents: where it already sits in the ring (an earlier
   * kernel's operand or result, not yet wrapped over), else a fresh copy.
   */
  input(data: TypedArray): number {
    if (this.resident.has(data)) return data.byteOffset;
    const hit = this.cache.get(data);
    if (hit !== undefined && hit.bytes >= data.byteLength && hit.start + this.ringCap >= this.kernelLimit) {
      this.cacheHits += data.byteLength;
      return this.addr(hit);
    }
    const b = this.ringAlloc(data.byteLength);
    const p = this.addr(b);
    if (data instanceof Float32Array) this.f32.set(data, p >>> 2);
    else this.i32.set(data, p >>> 2);
    this.cache.set(data, b);
    this.cacheMisses += data.byteLength;
    return p;
  }

  /** Ring space for a result of `bytes`; `take` copies it out and remembers it. */
  output(bytes: number): number {
    if (this.nextOutput >= 0 && bytes === this.nextOutputBytes) {
      this.planned = this.nextOutput;
      this.nextOutput = -1;
      return this.planned;
    }
    const b = this.ringAlloc(bytes);
    const p = this.addr(b);
    this.outputs.set(p, b);
    return p;
  }

  /** Releases the scratch arena (the ring keeps its contents). */
  release(mark: number): void {
    this.top = mark;
  }

  /** Reserves `bytes` (64-byte aligned) of scratch in the arena and returns the address. */
  alloc(bytes: number): number {
    // a size computed in 32-bit wasm arithmetic (packedBSize) may have wrapped negative
    if (!(bytes >= 0)) throw new WasmCapacityError(`a kernel asked for ${bytes} bytes of scratch`);
    const p = align(this.top);
    const end = p + bytes;
    this.ensureMemory(end);
    this.top = end;
    if (end > this.highWater) this.highWater = end;
    return p;
  }

  /** Writes int32 values (offset tables) into the arena. */
  putInts(values: ArrayLike<number>): number {
    const p = this.alloc(values.length * 4);
    const base = p >>> 2;
    for (let i = 0; i < values.length; i++) this.i32[base + i] = values[i]!;
    return p;
  }

  /** A fresh host copy of `n` float32 values at `p` (remembered for later kernels when `p` is an `output`). */
  takeF32(p: number, n: number, into?: Float32Array): Float32Array {
    if (p === this.planned && into === undefined) return this.residentView(p, n, 'float32') as Float32Array;
    const out = into ?? new Float32Array(n);
    out.set(this.f32.subarray(p >>> 2, (p >>> 2) + n));
    const b = this.outputs.get(p);
    if (b !== undefined) this.cache.set(out, b);
    return out;
  }

  /**
   * Runs the kernel's last parallel phase and returns its `n`-float result at `p` as a host array.
   * The host array is allocated while the workers already compute (zero-filling a fresh array and
   * its page faults are a large part of a copy-out), then filled when they are done.
   */
  runTake(op: ParallelOp, args: readonly number[], nChunks: number, work: number, p: number, n: number): Float32Array {
    let out: Float32Array | undefined;
    if (p === this.planned) {
      this.pool.run(op, args, nChunks, work >= this.minParallelWork);
      return this.residentView(p, n, 'float32') as Float32Array;
    }
    this.pool.run(op, args, nChunks, work >= this.minParallelWork, () => (out = new Float32Array(n)));
    return this.takeF32(p, n, out);
  }

  /**
   * Runs a parallel entry point over `nChunks` chunks; inline when there is one thread, one chunk,
   * or `work` (a rough count of flops or bytes) is below the fork-join break-even.
   */
  run(op: ParallelOp, args: readonly number[], nChunks: number, work = Infinity): void {
    this.pool.run(op, args, nChunks, work >= this.minParallelWork);
  }

  /** The work figure of a memory-bound kernel that moves `bytes` (4 MiB counts as PARALLEL_WORK). */
  bytesWork(bytes: number): number {
    return (bytes * PARALLEL_WORK) / PARALLEL_BYTES;
  }

  /** Chunks worth creating for `work` units split into at most `max` pieces. */
  chunks(max: number, work: number): number {
    if (this.threads === 1 || work < this.minParallelWork) return 1;
    return Math.max(1, Math.min(max, 4 * this.threads));
  }

  /**
   * Resident mode on: `bytes` at the start of the scratch arena are the caller's until `unpin`;
   * returns their address. Kernels keep working (their scratch goes after the pinned bytes), but
   * the ring does not grow meanwhile, so every operand must be resident.
   */
  pin(bytes: number): number {
    this.pinned = align(bytes);
    this.top = this.arenaBase + this.pinned;
    this.ensureMemory(this.top);
    return this.arenaBase;
  }

  unpin(): void {
    this.pinned = 0;
    this.nextOutput = -1;
    this.planned = -1;
    this.top = this.arenaBase;
  }

  /** A typed-array view of `n` elements at `p` that `input` takes in place. */
  residentView(p: number, n: number, dtype: 'float32' | 'int32'): Float32Array | Int32Array {
    const v = dtype === 'float32' ? new Float32Array(this.f32.buffer, p, n) : new Int32Array(this.f32.buffer, p, n);
    this.resident.add(v);
    if (p === this.planned) this.planned = -1;
    return v;
  }

  dispose(): void {
    this.pool.terminate();
  }
}
