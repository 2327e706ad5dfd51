// The JavaScript side of the Winograd F(2×2, 3×3) convolutions (assembly/winograd.ts): when they
// apply, their geometry, and the three kernels (forward, back-input, back-filter).
import type { ConvAttrs } from '../../../primitives.js';
import { dataOf, fromHost, type Tensor } from '../../../tensor.js';
import { convWindow } from '../../../conv-geometry.js';
import type { WasmRuntime } from '../runtime.js';

/** V and M of one band hold at most this many floats (256 KiB: they stay in L2). */
const BAND_FLOATS = 1 << 16;
/**
 * V and dY of one back-filter band: more, since its tile sum is the GEMM's inner dimension and each
 * (transform point, 2 x 4 channel block) pays a horizontal add per band; its dot products stream one
 * transform point (1/16 of the band) at a time, so the band itself may outgrow L2.
 */
const BACK_FILTER_BAND_FLOATS = 1 << 18;
/** The back-filter sum over images is split into at most this many fixed parts (shape-determined). */
const MAX_PARTS = 8;
/** Below this many channels (in or out) the transforms cost more than the multiplies they save. */
export const WINOGRAD_MIN_CHANNELS = 8;

/**
 * True when conv2d(x, w, attrs) and its two gradients may run as Winograd F(2×2, 3×3): a 3×3,
 * stride-1, undilated, ungrouped filter with at least WINOGRAD_MIN_CHANNELS channels in and out.
 */
export function winogradApplies(wShape: readonly number[], a: ConvAttrs): boolean {
  const [o, c, kh, kw] = wShape as [number, number, number, number];
  return (
    kh === 3 && kw === 3 && a.groups === 1 && a.stride[0] === 1 && a.stride[1] === 1 &&
    a.dilation[0] === 1 && a.dilation[1] === 1 && o >= WINOGRAD_MIN_CHANNELS && c >= WINOGRAD_MIN_CHANNELS
  );
}

/** The WinoGeom fields (assembly/geometry.ts) of out[n, cout, hout, wout] = Σ_c in[n, c, oy − pt + i, ox − pl + j] f[i, j]. */
interface WinoGeometry {
  readonly fields: number[];
  readonly bands: number;
  readonly opad: number;
  readonly parts: number;
}

function winoGeometry(
  n: number, cin: number, hin: number, win: number, cout: number, hout: number, wout: number, pt: number, pl: number, backFilter = false,
): WinoGeometry {
  const th = Math.ceil(hout / 2), tw = Math.ceil(wout / 2);
  const opad = Math.ceil(cout / 4) * 4;
  const maxTiles = Math.floor((backFilter ? BACK_FILTER_BAND_FLOATS : BAND_FLOATS) / (16 * (cin + opad))) - 11;
  const maxRows = Math.max(1, Math.floor(maxTiles / tw));
  const bands = Math.ceil(th / maxRows);
  const bandRows = Math.ceil(th / bands);
  const imagesPerPart = Math.max(1, Math.ceil(n / Math.min(n, MAX_PARTS)));
  // whole images side by side, as many as fit, in equal batches (4 as 2 + 2, not 3 + a short 1)
  const fit = Math.max(1, Math.min(imagesPerPart, Math.floor(maxTiles / (th * tw))));
  const imagesPerBand = backFilter && bands === 1 ? Math.ceil(imagesPerPart / Math.ceil(imagesPerPart / fit)) : 1;
  const ld = Math.ceil((imagesPerBand * bandRows * tw + 3) / 8) * 8;
  const fields = [n, cin, hin, win, cout, hout, wout, pt, pl, th, tw, bandRows, ld, opad, imagesPerPart, imagesPerBand];
  return { fields, bands: Math.ceil(th / bandRows), opad, parts: Math.ceil(n / imagesPerPart) };
}

/** U = the transformed filter (flip: the back-input form), in the arena; returns its address. */
function transformFilter(rt: WasmRuntime, pw: number, cout: number, cin: number, opad: number, flip: boolean): number {
  const u = rt.alloc(16 * opad * cin * 4);
  rt.run('winoFilter', [pw, u, cout, cin, opad, flip ? 1 : 0], opad / 4, 64 * opad * cin);
  return u;
}

/** One Winograd convolution of `input` (already in wasm memory at `pin`) into a fresh host array. */
function runConv(rt: WasmRuntime, g: WinoGeometry, pin: number, u: number, pout: number, size: number, flops: number): Float32Array {
  const gp = rt.putInts(g.fields);
  const stride = rt.exports.winoScratchSize(gp);
  const scratch = rt.alloc(rt.threads * stride * 4);
  const n = g.fields[0]!;
  return rt.runTake('winoConv', [pin, u, pout, gp, scratch, stride], n * g.bands, flops, pout, size);
}

/** conv2d as Winograd F(2×2, 3×3); chunk = (image, band of tile rows). */
export function winoConv2d(rt: WasmRuntime, x: Tensor, w: Tensor, a: ConvAttrs): Tensor {
  const { n, c, h, w: wd, o, pt, pl, ho, wo } = convWindow(x.shape, w.shape, a);
  const outShape = [n, o, ho, wo];
  const size = n * o * ho * wo;
  if (size === 0) return fromHost(new Float32Array(0), outShape, 'float32');
  const flops = 2 * n * o * c * 9 * ho * wo;
  const mark = rt.begin((x.size + w.size + size) * 4, flops);
  try {
    const px = rt.input(dataOf(x)), pw = rt.input(dataOf(w)), py = rt.output(size * 4);
    const g = winoGeometry(n, c, h, wd, o, ho, wo, pt, pl);
    const u = transformFilter(rt, pw, o, c, g.opad, false);
    return fromHost(runConv(rt, g, px, u, py, size, flops), outShape, 'float32');
  } finally {
    rt.release(mark);
  }
}

/**
 * The input gradient of a stride-1 3×3 convolution is itself one: dx = the correlation of dy
 * (padded by 2 − pt, 2 − pl) with the filter transposed over (O, C) and rotated by 180°.
 */
export function winoConv2dBackInput(rt: WasmRuntime, dy: Tensor, w: Tensor, a: ConvAttrs, inputShape: readonly number[]): Tensor {
  const { n, c, h, w: wd, o, pt, pl, ho, wo } = convWindow(inputShape, w.shape, a);
  const size = n * c * h * wd;
  if (size === 0) return fromHost(new Float32Array(0), inputShape, 'float32');
  const flops = 2 * n * o * c * 9 * ho * wo;
  const mark = rt.begin((dy.size + w.size + size) * 4, flops);
  try {
    const pdy = rt.input(dataOf(dy)), pw = rt.input(dataOf(w)), pdx = rt.output(size * 4);
    const g = winoGeometry(n, o, ho, wo, c, h, wd, 2 - pt, 2 - pl);
    const u = transformFilter(rt, pw, c, o, g.opad, true);
    return fromHost(runConv(rt, g, pdy, u, pdx, size, flops), inputShape, 'float32');
  } finally {
    rt.release(mark);
  }
}

/**
 * The filter gradient, the adjoint of the forward transform: dW = Gᵀ [Σ_tiles (A dY Aᵀ) ⊙ (Bᵀ d B)] G.
 * Images are cut into at most 8 consecutive parts fixed by the batch size; each part keeps one
 * float32 running sum per transformed entry, and the parts are added in order in float64, so the
 * result depends on the shape only, never on the thread count.
 */
export function winoConv2dBackFilter(rt: WasmRuntime, x: Tensor, dy: Tensor, a: ConvAttrs, filterShape: readonly number[]): Tensor {
  const { n, c, h, w: wd, o, pt, pl, ho, wo } = convWindow(x.shape, filterShape, a);
  const size = o * c * 9;
  if (size === 0) return fromHost(new Float32Array(0), filterShape, 'float32');
  if (n === 0 || ho === 0 || wo === 0) return fromHost(new Float32Array(size), filterShape, 'float32');
  const flops = 2 * n * o * c * 9 * ho * wo;
  const mark = rt.begin((x.size + dy.size + size) * 4, flops);
  try {
    const px = rt.input(dataOf(x)), pdy = rt.input(dataOf(dy)), out = rt.output(size * 4);
    const g = winoGeometry(n, c, h, wd, o, ho, wo, pt, pl, true);
    const gp = rt.putInts(g.fields);
    const stride = rt.exports.winoScratchSize(gp);
    const scratch = rt.alloc(rt.threads * stride * 4);
    const parts = rt.alloc(g.parts * 16 * o * c * 4);
    rt.run('winoBackFilter', [px, pdy, parts, gp, scratch, stride], g.parts, flops);
    const perChunk = 256;
    const args = [parts, g.parts, o, c, out, perChunk];
    const dw = rt.runTake('winoFilterGrad', args, Math.ceil((o * c) / perChunk), rt.bytesWork(g.parts * 16 * o * c * 4), out, size);
    return fromHost(dw, filterShape, 'float32');
  } finally {
    rt.release(mark);
  }
}
