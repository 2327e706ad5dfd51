import { cast, type Tensor } from '@ssam/tensor';
import { dataOf } from '@ssam/tensor/trace';
import { SparsePool } from './wasm-threads.js';

/*
 * Loading dist/ssam-sparse.wasm (built from assembly/ by scripts/build-wasm.mjs) on a shared
 * WebAssembly.Memory (the worker threads of wasm-threads.ts instantiate it on the same memory),
 * and a per-call bump allocator over that memory. Node only; elsewhere wasmAvailable() is false
 * and callers use the TypeScript kernels.
 */

interface Memory {
  readonly buffer: ArrayBuffer;
  grow(pages: number): number;
}
/** The module's exports; pointers are byte offsets into `memory`. */
export interface Exports {
  readonly memory: Memory;
  spmm(rowPtr: number, recs: number, rows: number, d: number, z: number, ldz: number, qp: number): void;
  spmmPairs(lists: number, nLists: number, recs: number, d: number, z: number, ldz: number, qp: number, qc: number): void;
  gatherVals(values: number, src: number, recs: number, entries: number, stride: number, per: number): void;
  padPlanes(dy: number, n0: number, nb: number, o: number, ho: number, wo: number, d: number, dStride: number, imgStride: number, ws: number, hp: number, wp: number, t: number, l: number): void;
  scatterPhase(z: number, ldz: number, nb: number, ni: number, imgStride: number, ws: number, dx: number, n0: number, h: number, w: number, ph: number, pw: number, sh: number, sw: number, ha: number, wa: number): void;
  scatterPair2(z0: number, z1: number, ldz: number, nb: number, ni: number, imgStride: number, ws: number, dx: number, n0: number, h: number, w: number, ph: number, sh: number, ha: number): void;
  transpose(src: number, rows: number, cols: number, lds: number, dst: number, ld: number): void;
  planChunk(desc: number, chunk: number, tid: number): void;
  convBlock(desc: number, chunk: number, tid: number): void;
  /** The fork-join pool over this instance's memory (wasm-threads.ts). */
  readonly pool: SparsePool;
}

/** Bumped with every change of the kernels' entry points or record layouts (assembly/index.ts returns it). */
export const SPARSE_ABI = 2;

let loaded: Exports | null | undefined;
let loadError = '';

/** The WebAssembly global, typed minimally (the tsconfig lib has no DOM/wasm types). */
type Wasm = {
  Module: new (b: Uint8Array) => object;
  Instance: new (m: object, i: object) => { exports: Record<string, unknown> };
  Memory: new (d: { initial: number; maximum: number; shared: boolean }) => Memory;
};
/** Pages the shared memory may grow to (its address space is reserved up front, not committed). */
const MAX_PAGES = 65536;
type NodeFs = { readFileSync(p: string): Uint8Array };
type NodeUrl = { fileURLToPath(u: URL): string };

function load(): Exports | null {
  if (loaded !== undefined) return loaded;
  // Node only (process.getBuiltinModule, Node ≥ 20.16); elsewhere the TypeScript kernels run.
  const proc = (globalThis as { process?: { getBuiltinModule?: (n: string) => unknown } }).process;
  const wasm = (globalThis as { WebAssembly?: Wasm }).WebAssembly;
  if (!proc?.getBuiltinModule || !wasm) {
    loadError = 'needs Node.js >= 20.16 with WebAssembly';
    return (loaded = null);
  }
  const fs = proc.getBuiltinModule('node:fs') as NodeFs, url = proc.getBuiltinModule('node:url') as NodeUrl;
  for (const rel of ['./ssam-sparse.wasm', '../dist/ssam-sparse.wasm']) {
    try {
      const bytes = fs.readFileSync(url.fileURLToPath(new URL(rel, import.meta.url)));
      const module = new wasm.Module(bytes);
      const memory = new wasm.Memory({ initial: 1, maximum: MAX_PAGES, shared: true });
      const exports = new wasm.Instance(module, { env: { memory } }).exports;
      // a module built from other kernel sources (an older plan layout: e.g. no key-pair kind) is stale
      const abi = typeof exports.abiVersion === 'function' ? (exports.abiVersion as () => number)() : 0;
      if (abi !== SPARSE_ABI) throw new Error(`${rel} is stale (kernel ABI ${abi}, expected ${SPARSE_ABI}); rebuild it with \`node scripts/build-wasm.mjs\``);
      loaded = { ...exports, memory, pool: new SparsePool(module, memory, exports) } as unknown as Exports;
      return loaded;
    } catch (e) {
      loadError = e instanceof Error ? e.message : String(e);
    }
  }
  loaded = null;
  return loaded;
}

/** Whether dist/ssam-sparse.wasm loaded (build it with `node scripts/build-wasm.mjs`). */
export function wasmAvailable(): boolean {
  return load() !== null;
}

export function need(op: string): Exports {
  const w = load();
  if (!w) throw new Error(`${op}: dist/ssam-sparse.wasm is not available (${loadError}); build it with \`node packages/sparse/scripts/build-wasm.mjs\` or use the TypeScript kernel`);
  return w;
}

/** The float32 elements of a tensor, without a copy when it already is float32 (read only). */
export const f32 = (t: Tensor): Float32Array => dataOf(t.dtype === 'float32' ? t : cast(t, 'float32')) as Float32Array;

const align = (bytes: number): number => Math.ceil(bytes / 64) * 64 + 64;

function ensure(w: Exports, top: number): void {
  const have = w.memory.buffer.byteLength;
  if (top > have) w.memory.grow(Math.ceil((top - have) / 65536));
}

/**
 * Plans resident in the module's memory from address 1024 up, so a call copies only its weights'
 * values. When a new plan would pass RESIDENT_BYTES, the region starts over (every plan is
 * copied again on its next use): masks change every few hundred steps, so this stays rare.
 */
const RESIDENT_BYTES = 64 << 20;
const resident = { top: 1024, epoch: 0, at: new WeakMap<object, { epoch: number; ptrs: number[] }>() };

/** Byte offsets of `arrays` (the plan `key`), copied into the resident region if not there. */
export function residentPlan(w: Exports, key: object, arrays: readonly Int32Array[]): number[] {
  const hit = resident.at.get(key);
  if (hit && hit.epoch === resident.epoch) return hit.ptrs;
  const size = arrays.reduce((s, a) => s + align(a.length * 4), 0);
  if (resident.top + size > RESIDENT_BYTES && resident.top > 1024) {
    resident.epoch++;
    resident.top = 1024;
  }
  const ptrs: number[] = [];
  ensure(w, resident.top + size);
  for (const a of arrays) {
    ptrs.push(resident.top);
    new Int32Array(w.memory.buffer, resident.top, a.length).set(a);
    resident.top += align(a.length * 4);
  }
  resident.at.set(key, { epoch: resident.epoch, ptrs });
  return ptrs;
}

/**
 * Bump allocator for one call, above the resident plans: `take(floats)` returns a 64-byte aligned
 * byte offset; `commit()` grows the memory once to fit everything taken. Views must be made after
 * commit (growing detaches the old buffer). Take after residentPlan, never before.
 */
export class Arena {
  private top = resident.top;
  constructor(readonly w: Exports) {}
  take(floats: number): number {
    const p = this.top;
    this.top += align(floats * 4);
    return p;
  }
  commit(): void {
    ensure(this.w, this.top);
  }
  /** Copies `src` to byte offset p. */
  put(p: number, src: Float32Array | Int32Array): void {
    if (src instanceof Float32Array) new Float32Array(this.w.memory.buffer, p, src.length).set(src);
    else new Int32Array(this.w.memory.buffer, p, src.length).set(src);
  }
  /** A copy of `len` floats at byte offset p (into `out` when given). */
  read(p: number, len: number, out?: Float32Array): Float32Array {
    const src = new Float32Array(this.w.memory.buffer, p, len);
    if (!out) return src.slice();
    out.set(src);
    return out;
  }
}
