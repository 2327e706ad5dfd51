import type { ConvAttrs, PrimAttrs } from '../../../primitives.js';
import { dataOf, fromHost, type Tensor } from '../../../tensor.js';
import { convWindow } from '../../../conv-geometry.js';
import type { WasmRuntime } from '../runtime.js';
import { winoConv2d, winoConv2dBackFilter, winoConv2dBackInput, winogradApplies } from './winograd.js';

/** One band's patch matrix holds at most this many floats (256 KiB: it stays in L2 while packed). */
const BAND_FLOATS = 1 << 16;
/** The back-filter sum over images is split into at most this many fixed parts (shape-determined). */
const MAX_PARTS = 16;

interface Geometry {
  readonly fields: number[];
  readonly n: number;
  readonly o: number;
  readonly groups: number;
  readonly k: number;
  readonly p: number;
  readonly ho: number;
  readonly wo: number;
  readonly bands: number;
  readonly parts: number;
  readonly flops: number;
}

function geometry(xShape: readonly number[], wShape: readonly number[], a: ConvAttrs): Geometry {
  const { n, c, h, w, o, cg, kh, kw, sh, sw, dh, dw, pt, pl, ho, wo } = convWindow(xShape, wShape, a);
  const k = cg * kh * kw;
  const bandRows = Math.max(1, Math.min(ho, Math.floor(BAND_FLOATS / Math.max(1, k * wo))));
  const parts = Math.min(n, MAX_PARTS);
  const imagesPerPart = Math.max(1, Math.ceil(n / Math.max(1, parts)));
  const fields = [n, c, h, w, o, a.groups, kh, kw, sh, sw, pt, pl, dh, dw, ho, wo, bandRows, imagesPerPart];
  return {
    fields, n, o, groups: a.groups, k, p: ho * wo, ho, wo,
    bands: Math.ceil(ho / bandRows), parts: Math.ceil(n / imagesPerPart), flops: 2 * n * o * k * ho * wo,
  };
}

/**
 * conv2d as banded im2col + packed GEMM; chunk = (image, group, band of output rows). With
 * `winograd`, stride-1 3×3 convolutions run as Winograd F(2×2, 3×3) instead (./winograd.ts).
 */
export function conv2dKernel(rt: WasmRuntime, winograd: boolean) {
  return (inputs: readonly Tensor[], attrs: PrimAttrs['conv2d']): Tensor => {
    const [x, w] = inputs as [Tensor, Tensor];
    if (winograd && winogradApplies(w.shape, attrs)) return winoConv2d(rt, x, w, attrs);
    const g = geometry(x.shape, w.shape, attrs);
    const outShape = [g.n, g.o, g.ho, g.wo];
    const size = g.n * g.o * g.p;
    if (size === 0) return fromHost(new Float32Array(0), outShape, 'float32');
    const mark = rt.begin((x.size + w.size + size) * 4, g.flops);
    try {
      const px = rt.input(dataOf(x)), pw = rt.input(dataOf(w)), py = rt.output(size * 4);
      const gp = rt.putInts(g.fields);
      const stride = rt.exports.convScratchSize(gp);
      const scratch = rt.alloc(rt.threads * stride * 4);
      const out = rt.runTake('convForward', [px, pw, py, gp, scratch, stride], g.n * g.groups * g.bands, g.flops, py, size);
      return fromHost(out, outShape, 'float32');
    } finally {
      rt.release(mark);
    }
  };
}

/** The input gradient: W_gᵀ·dy per band, scattered back by col2im; chunk = (image, group). */
export function conv2dBackInputKernel(rt: WasmRuntime, winograd: boolean) {
  return (inputs: readonly Tensor[], attrs: PrimAttrs['conv2dBackInput']): Tensor => {
    const [dy, w] = inputs as [Tensor, Tensor];
    if (winograd && winogradApplies(w.shape, attrs)) return winoConv2dBackInput(rt, dy, w, attrs, attrs.inputShape);
    const g = geometry(attrs.inputShape, w.shape, attrs);
    const size = attrs.inputShape.reduce((s, d) => s * d, 1);
    if (size === 0) return fromHost(new Float32Array(0), attrs.inputShape, 'float32');
    const mark = rt.begin((dy.size + w.size + size) * 4, g.flops);
    try {
      const pdy = rt.input(dataOf(dy)), pw = rt.input(dataOf(w)), pdx = rt.output(size * 4);
      const gp = rt.putInts(g.fields);
      const stride = rt.exports.convScratchSize(gp);
      const scratch = rt.alloc(rt.threads * stride * 4);
      const out = rt.runTake('convBackInput', [pdy, pw, pdx, gp, scratch, stride], g.n * g.groups, g.flops, pdx, size);
      return fromHost(out, attrs.inputShape, 'float32');
    } finally {
      rt.release(mark);
    }
  };
}

/**
 * The filter gradient. Images are cut into at most 16 consecutive parts, a number fixed by the
 * batch size alone; each (part, group) chunk keeps one running float32 sum over its images and
 * pixels, and the parts are added in order in float64. So the result depends on the shape only,
 * never on the thread count, and the long sum over the batch is split into shorter ones.
 */
export function conv2dBackFilterKernel(rt: WasmRuntime, winograd: boolean) {
  return (inputs: readonly Tensor[], attrs: PrimAttrs['conv2dBackFilter']): Tensor => {
    const [x, dy] = inputs as [Tensor, Tensor];
    if (winograd && winogradApplies(attrs.filterShape, attrs)) return winoConv2dBackFilter(rt, x, dy, attrs, attrs.filterShape);
    const g = geometry(x.shape, attrs.filterShape, attrs);
    const size = g.o * g.k;
    if (size === 0) return fromHost(new Float32Array(0), attrs.filterShape, 'float32');
    if (g.n === 0) return fromHost(new Float32Array(size), attrs.filterShape, 'float32');
    const mark = rt.begin((x.size + dy.size + size) * 4, g.flops);
    try {
      const px = rt.input(dataOf(x)), pdy = rt.input(dataOf(dy));
      const out = rt.output(size * 4);
      const parts = g.parts === 1 ? out : rt.alloc(g.parts * size * 4);
      const gp = rt.putInts(g.fields);
      const stride = rt.exports.convScratchSize(gp);
      const scratch = rt.alloc(rt.threads * stride * 4);
      const args = [px, pdy, parts, gp, scratch, stride];
      if (g.parts === 1) return fromHost(rt.runTake('convBackFilter', args, g.groups, g.flops, out, size), attrs.filterShape, 'float32');
      rt.run('convBackFilter', args, g.parts * g.groups, g.flops);
      const perChunk = 4096;
      const dw = rt.runTake('convSumParts', [parts, g.parts, size, out, perChunk], Math.ceil(size / perChunk), rt.bytesWork(g.parts * size * 4), out, size);
      return fromHost(dw, attrs.filterShape, 'float32');
    } finally {
      rt.release(mark);
    }
  };
}
