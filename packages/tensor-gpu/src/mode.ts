import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import type { GPU as GPUType } from 'gpu.js';

/** gpu.js modes a caller may ask for. 'gpu' lets gpu.js pick; the others name one kernel class. */
export type GpuJsMode = 'gpu' | 'headlessgl' | 'webgl' | 'webgl2' | 'webasm' | 'cpu';

/** The gpu.js kernel classes that really run on a GPU (or a GL rasteriser standing in for one). */
const GL_KERNELS = new Set(['HeadlessGLKernel', 'WebGLKernel', 'WebGL2Kernel']);

export interface GpuProbe {
  /** The mode that was asked for. */
  readonly requested: GpuJsMode;
  /** The gpu.js kernel class that actually ran a test kernel, e.g. 'HeadlessGLKernel'; '' on failure. */
  readonly kernel: string;
  /** True only when that kernel renders through GL (WebGL, WebGL2 or headless-gl). */
  readonly isGl: boolean;
  /** The GL renderer string (e.g. 'llvmpipe (LLVM 15.0.6, 256 bits)'), when there is a GL context. */
  readonly renderer: string;
  /** Why the mode is unusable, or '' when it works. */
  readonly reason: string;
}

const require = createRequire(import.meta.url);

/** gpu.js's GPU class, loaded lazily so that importing this package costs nothing without it. */
export function loadGpuJs(): typeof GPUType {
  return (require('gpu.js') as { GPU: typeof GPUType }).GPU;
}

/** The class name of the kernel that a gpu.js kernel shortcut really runs (after any fallback). */
export function kernelClassOf(shortcut: unknown): string {
  const k = (shortcut as { kernel?: { constructor?: { name?: string } } }).kernel;
  return k?.constructor?.name ?? '';
}

/** The few WebGL context members this package touches (no DOM typings in Node builds). */
export interface GlContext {
  readonly RENDERER: number;
  readonly MAX_TEXTURE_SIZE: number;
  getParameter(p: number): unknown;
  getExtension(name: string): unknown;
  createTexture(): unknown;
  deleteTexture(t: unknown): void;
}

export const glContextOf = (gpu: GPUType): GlContext | undefined => (gpu as unknown as { context?: GlContext }).context;

export const isGlKernel = (name: string): boolean => GL_KERNELS.has(name);

/**
 * The GL renderer behind a gpu.js GPU instance. Browsers answer WEBGL_debug_renderer_info;
 * headless-gl only says 'ANGLE', so on Linux the driver library loaded into this process names it:
 * Mesa's swrast_dri.so is llvmpipe, a CPU rasteriser, and is reported as such.
 */
export function rendererOf(gpu: GPUType): string {
  const gl = glContextOf(gpu);
  if (!gl || typeof gl.getParameter !== 'function') return '';
  const dbg = gl.getExtension('WEBGL_debug_renderer_info') as { UNMASKED_RENDERER_WEBGL: number } | null;
  let name = '';
  try {
    name = String(gl.getParameter(dbg ? dbg.UNMASKED_RENDERER_WEBGL : gl.RENDERER));
  } catch {
    return '';
  }
  const driver = dbg ? '' : loadedGlDriver();
  return driver ? `${name} over ${driver}` : name;
}

/** The native GL driver mapped into this process (Linux), e.g. Mesa llvmpipe; '' when unknown. */
export function loadedGlDriver(): string {
  let maps: string;
  try {
    maps = readFileSync('/proc/self/maps', 'utf8');
  } catch {
    return '';
  }
  if (/swrast_dri\.so|libgallium.*\.so/.test(maps) && !/(iris|radeonsi|nouveau|zink)_dri\.so/.test(maps))
    return 'Mesa llvmpipe (swrast_dri.so: software rendering on the CPU, not a GPU)';
  if (/libnvidia-glcore|libGLX_nvidia|libEGL_nvidia/.test(maps)) return 'the NVIDIA GL driver';
  const dri = /\/([a-z0-9]+)_dri\.so/.exec(maps);
  return dri ? `Mesa ${dri[1]}_dri.so` : '';
}

/** True when the renderer is a software rasteriser (its figures are CPU figures). */
export const isSoftwareRenderer = (renderer: string): boolean => /llvmpipe|softpipe|swiftshader|software/i.test(renderer);

/**
 * Asks gpu.js for `mode`, runs a 4-element kernel and reports which kernel class ran. gpu.js's
 * mode 'gpu' silently runs WebAssembly when there is no GL context (no X display for headless-gl,
 * or the native `gl` package missing); this probe tells.
 * @example
 * const p = probeGpuJs('gpu');
 * console.log(p.isGl ? `GL via ${p.renderer}` : `not a GPU: ${p.reason}`);
 */
export function probeGpuJs(requested: GpuJsMode = 'gpu'): GpuProbe {
  let GPU: typeof GPUType;
  try {
    GPU = loadGpuJs();
  } catch (e) {
    return { requested, kernel: '', isGl: false, renderer: '', reason: `gpu.js does not load: ${(e as Error).message}` };
  }
  let gpu: GPUType | undefined;
  try {
    gpu = new GPU({ mode: requested });
    const k = gpu.createKernel('function(a) { return a[this.thread.x] + 1; }', { output: [4], precision: 'single' });
    const out = k(new Float32Array([0, 1, 2, 3])) as Float32Array;
    const kernel = kernelClassOf(k);
    const isGl = isGlKernel(kernel);
    const renderer = isGl ? rendererOf(gpu) : '';
    const wrong = out[3] !== 4 ? `the probe kernel computed ${Array.from(out).join(', ')} instead of 1, 2, 3, 4` : '';
    const why = wrong || (isGl ? '' : noGlReason(requested, kernel));
    return { requested, kernel, isGl: isGl && !wrong, renderer, reason: why };
  } catch (e) {
    const display = process.env.DISPLAY ? `DISPLAY=${process.env.DISPLAY}` : 'no DISPLAY';
    return { requested, kernel: '', isGl: false, renderer: '', reason: `gpu.js mode '${requested}' failed: ${(e as Error).message} (${display}). ${SETUP_HINT}` };
  } finally {
    gpu?.destroy();
  }
}

function noGlReason(requested: GpuJsMode, kernel: string): string {
  const display = process.env.DISPLAY ? `DISPLAY=${process.env.DISPLAY}` : 'no DISPLAY';
  return `gpu.js mode '${requested}' ran ${kernel}, not a GL kernel (${display}). ${SETUP_HINT}`;
}

const SETUP_HINT =
  "headless-gl needs the native 'gl' package built from source (`apt-get install libxi-dev xvfb`, then " +
  '`pnpm setup:gpu`) and an X server: run under `xvfb-run -a`';
