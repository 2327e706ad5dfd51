import { Tensor, zeros, type Storage } from '@ssam/tensor';
import type { GPU as GPUType, IKernelRunShortcut, Texture } from 'gpu.js';
import { NATIVE_FUNCTIONS, sizeOf } from './codegen.js';
import { glContextOf, isGlKernel, kernelClassOf, loadGpuJs, rendererOf, type GpuJsMode } from './mode.js';

/** Counters a test or benchmark reads to see what the backend did (all cumulative but `live*`). */
export interface GpuStats {
  /** gpu.js kernel class per compiled kernel, e.g. { HeadlessGLKernel: 41 }. */
  readonly kernelClasses: Readonly<Record<string, number>>;
  /** Kernels compiled (distinct primitive + shapes + attributes) and the time spent compiling. */
  readonly compiled: number;
  readonly compileMs: number;
  /** Kernel launches served from the cache. */
  readonly cacheHits: number;
  readonly launches: number;
  /** Host arrays copied to textures, and textures read back to the host. */
  readonly uploads: number;
  readonly readbacks: number;
  /** Primitive calls that ran on the CPU (reference) backend instead, and why. */
  readonly cpuRuns: Readonly<Record<string, number>>;
  /** Textures owned by live tensors right now, and their bytes (4 per element, before padding). */
  readonly liveTextures: number;
  readonly liveBytes: number;
  /** GL textures alive in the context (tensors' plus each kernel's last output), when countable. */
  readonly glTextures: number;
}

interface CompiledKernel {
  readonly run: IKernelRunShortcut;
  readonly n: number;
}

interface Held {
  readonly tex: Texture;
  readonly bytes: number;
}

export interface ScopeOptions {
  /** Values the caller gives up (the previous carry of a loop): released unless the result reaches them. */
  readonly consume?: unknown;
}

/** Adds the storage of every tensor reachable from `v` (through arrays, Maps, Sets and object fields). */
function reachableStorages(v: unknown, out: Set<unknown>, seen: Set<object>): void {
  if (v === null || typeof v !== 'object' || seen.has(v)) return;
  seen.add(v);
  if (v instanceof Tensor) {
    out.add(v.storage);
    return;
  }
  if (ArrayBuffer.isView(v)) return;
  const values = v instanceof Map || v instanceof Set ? [...v.values()] : Array.isArray(v) ? v : Object.values(v);
  for (const x of values) reachableStorages(x, out, seen);
}

/** A tensor's elements as a gpu.js texture of one float per texel, in row-major order. */
export class GpuStorage implements Storage {
  readonly backend: string;
  private tex: Texture | undefined;
  private host: Float32Array | undefined;

  constructor(
    readonly runtime: GpuRuntime,
    tex: Texture,
    readonly n: number,
  ) {
    this.backend = runtime.storageName;
    this.tex = tex;
  }

  /** True once the texture was released (dispose(), or the end of the scope that made it). */
  get disposed(): boolean {
    return this.tex === undefined;
  }

  /** The texture; throws when the tensor was disposed. */
  get texture(): Texture {
    if (!this.tex)
      throw new Error(
        'gpu backend: this tensor was disposed; its texture is gone. Return it from the scope() that made it ' +
          '(inside the returned value), or do not call dispose() on a tensor you still use',
      );
    return this.tex;
  }

  /** Reads the texture back once (the tensor is immutable) and keeps the host copy. */
  read(): Float32Array {
    if (!this.host) {
      const arr = this.texture.toArray() as Float32Array;
      this.runtime.counters.readbacks++;
      this.host = arr.length === this.n ? arr : arr.slice(0, this.n);
    }
    return this.host;
  }

  /** Releases the texture now instead of when the tensor is collected. Reshapes share it. */
  dispose(): void {
    if (!this.tex) return;
    this.runtime.release(this);
    this.tex = undefined;
  }
}

/**
 * One gpu.js GPU instance, its kernel cache and the textures its tensors own. Textures are freed
 * by a FinalizationRegistry when their storage becomes unreachable, or early by dispose().
 */
export class GpuRuntime {
  readonly gpu: GPUType;
  readonly storageName: string;
  kernelClass = '';
  renderer = '';
  maxTextureSize: number;
  readonly counters = {
    compiled: 0, compileMs: 0, cacheHits: 0, launches: 0, uploads: 0, readbacks: 0,
    liveTextures: 0, liveBytes: 0, glTextures: 0,
    kernelClasses: {} as Record<string, number>,
    cpuRuns: {} as Record<string, number>,
  };
  private readonly cache = new Map<string, CompiledKernel>();
  private readonly uploaded = new WeakMap<Storage, GpuStorage>();
  private readonly registry = new FinalizationRegistry<Held>((h) => this.free(h));
  private readonly scopes: Set<GpuStorage>[] = [];
  private instrumented = false;

  constructor(
    readonly mode: GpuJsMode,
    opts: { maxTextureSize?: number } = {},
  ) {
    const GPU = loadGpuJs();
    this.gpu = new GPU({ mode, nativeFunctions: NATIVE_FUNCTIONS.map((f) => ({ ...f })) } as never);
    this.storageName = `gpu.js:${mode}`;
    this.maxTextureSize = opts.maxTextureSize ?? 0;
    // A first kernel creates the GL context, proves the kernel class and reads the texture limit.
    this.launch('probe', 'probe', [1], () => 'function() { return 1; }', []);
  }

  /** The largest number of elements one texture holds here (side² of a square texture). */
  get maxElements(): number {
    return this.maxTextureSize * this.maxTextureSize;
  }

  /**
   * Runs the kernel cached under `key`, compiling `source()` with an output of `n` floats on a
   * miss, and wraps the output texture as a float32 tensor of `shape`.
   */
  launch(op: string, key: string, shape: readonly number[], source: () => string, args: readonly unknown[], argTypes?: Record<string, string>): Tensor {
    const n = sizeOf(shape);
    if (n === 0) return zeros(shape); // no texture has zero texels
    this.checkSize(op, shape, n);
    let k = this.cache.get(key);
    if (k) this.counters.cacheHits++;
    else {
      const run = this.gpu.createKernel(source(), {
        output: [n], precision: 'single', pipeline: true, immutable: true, tactic: 'precision',
        ...(argTypes ? { argumentTypes: argTypes } : {}),
      } as never);
      k = { run, n };
    }
    const t0 = performance.now();
    const tex = k.run(...args) as Texture;
    this.counters.launches++;
    if (!this.cache.has(key)) {
      this.counters.compileMs += performance.now() - t0;
      this.counters.compiled++;
      this.adopt(op, k.run);
      this.cache.set(key, k);
    }
    return this.wrap(tex, shape);
  }

  /** `t`'s elements on this GPU: its own storage when it lives here, else an upload cached per storage. */
  storageOf(t: Tensor): GpuStorage {
    const s = t.storage;
    if (s instanceof GpuStorage && s.runtime === this) return s;
    let up = this.uploaded.get(s);
    if (!up || up.disposed) {
      const src = s.read();
      const data = src instanceof Float32Array ? src : Float32Array.from(src);
      const n = data.length;
      up = this.launch('upload', `upload|${n}`, [n], () => 'function(a) { return a[this.thread.x]; }', [data]).storage as GpuStorage;
      this.counters.uploads++;
      this.uploaded.set(s, up);
    }
    return up;
  }

  textureOf(t: Tensor): Texture {
    return this.storageOf(t).texture;
  }

  /** Whether `t` already lives in this runtime's GPU memory. */
  isResident(t: Tensor): boolean {
    return t.storage instanceof GpuStorage && t.storage.runtime === this;
  }

  wrap(tex: Texture, shape: readonly number[]): Tensor {
    const n = sizeOf(shape);
    const storage = new GpuStorage(this, tex, n);
    const held: Held = { tex, bytes: 4 * n };
    this.registry.register(storage, held, storage);
    this.counters.liveTextures++;
    this.counters.liveBytes += held.bytes;
    this.scopes[this.scopes.length - 1]?.add(storage);
    return new Tensor(storage, shape, 'float32');
  }

  /**
   * Runs `fn` and then releases every texture it created that the returned value does not reach
   * (tensors found by walking arrays and objects: pytrees). Kept textures move to the enclosing
   * scope. `consume` names values that the result replaces (last step's parameters): their
   * textures are released too unless the result still reaches them. On throw, everything
   * created is released and nothing is consumed.
   */
  scope<T>(fn: () => T, opts: ScopeOptions = {}): T {
    const created = new Set<GpuStorage>();
    this.scopes.push(created);
    let result: T;
    try {
      result = fn();
    } catch (e) {
      this.scopes.pop();
      for (const s of created) s.dispose();
      throw e;
    }
    this.scopes.pop();
    const keep = new Set<unknown>();
    reachableStorages(result, keep, new Set());
    const outer = this.scopes[this.scopes.length - 1];
    for (const s of created) {
      if (!keep.has(s)) s.dispose();
      else outer?.add(s);
    }
    if (opts.consume !== undefined) {
      const old = new Set<unknown>();
      reachableStorages(opts.consume, old, new Set());
      for (const s of old) if (s instanceof GpuStorage && s.runtime === this && !keep.has(s)) s.dispose();
    }
    return result;
  }

  release(storage: GpuStorage): void {
    this.registry.unregister(storage);
    this.free({ tex: storage.texture, bytes: 4 * storage.n });
  }

  private free(h: Held): void {
    h.tex.delete();
    this.counters.liveTextures--;
    this.counters.liveBytes -= h.bytes;
  }

  checkSize(op: string, shape: readonly number[], n = sizeOf(shape), what = 'a result'): void {
    if (this.maxTextureSize > 0 && n > this.maxElements)
      throw new RangeError(
        `${op}: the gpu backend cannot hold ${what} of shape [${shape.join(', ')}] (${n} elements): one texture holds at most ` +
          `${this.maxTextureSize}² = ${this.maxElements} elements (GL MAX_TEXTURE_SIZE ${this.maxTextureSize}). ` +
          'Use a smaller batch, or run this step on a CPU backend with withBackend(referenceBackend, ...)',
      );
  }

  /** Records the kernel class that really ran and refuses anything that is not GL. */
  private adopt(op: string, run: IKernelRunShortcut): void {
    const cls = kernelClassOf(run);
    this.counters.kernelClasses[cls] = (this.counters.kernelClasses[cls] ?? 0) + 1;
    if (!isGlKernel(cls)) {
      const why = (run as { fallbackReason?: string }).fallbackReason;
      throw new Error(
        `${op}: gpu.js ran this kernel as ${cls || 'an unknown kernel'}, not on the GPU${why ? ` (${why})` : ''}; ` +
          'the gpu backend refuses to report CPU work as GPU work',
      );
    }
    if (!this.kernelClass) {
      this.kernelClass = cls;
      this.renderer = rendererOf(this.gpu);
      this.instrument();
    }
  }

  /** Counts GL textures in the context, so tests can see that GPU memory does not grow. */
  private instrument(): void {
    const gl = glContextOf(this.gpu);
    if (this.instrumented || !gl) return;
    this.instrumented = true;
    if (!this.maxTextureSize) this.maxTextureSize = Number(gl.getParameter(gl.MAX_TEXTURE_SIZE));
    const create = gl.createTexture.bind(gl), del = gl.deleteTexture.bind(gl);
    const c = this.counters;
    gl.createTexture = () => {
      c.glTextures++;
      return create();
    };
    gl.deleteTexture = (t: unknown) => {
      if (t) c.glTextures--;
      del(t);
    };
  }

  stats(): GpuStats {
    const c = this.counters;
    return { ...c, kernelClasses: { ...c.kernelClasses }, cpuRuns: { ...c.cpuRuns } };
  }

  /** Releases every kernel and the GL context. Tensors of this runtime become unreadable. */
  destroy(): void {
    this.cache.clear();
    this.gpu.destroy();
  }
}
