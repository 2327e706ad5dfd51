import type { ConvAttrs, PrimAttrs } from '../../primitives.js';
import { dataOf, fromHost, type Tensor } from '../../tensor.js';
import { col2im, im2col, type ConvGeometry } from './im2col.js';
import { convWindow } from '../../conv-geometry.js';
import { gemm, transposePanel } from './matmul.js';

/**
 * Convolutions as gemms over im2col patch matrices, one image and one channel group at a time
 * (so the scratch matrix stays in cache). Per group g with K = (C/G)·kH·kW and P = Ho·Wo:
 *   forward      y[n, g]  = W_g [O/G, K] · col(x[n, g]) [K, P]
 *   back-input   dx[n, g] = col2im(W_gᵀ [K, O/G] · dy[n, g] [O/G, P])
 *   back-filter  dW_g     = Σ_n dy[n, g] [O/G, P] · col(x[n, g])ᵀ [P, K]
 * All three do the same multiply-adds as the forward pass, so none is pathological (the
 * back-filter gemm is built from a transposed im2col instead of a scatter per tap).
 */

interface Layout {
  readonly n: number;
  readonly c: number;
  readonly o: number;
  readonly groups: number;
  /** filter taps per group (K) and output pixels (P) */
  readonly k: number;
  readonly p: number;
  readonly geom: ConvGeometry;
}

function layout(xShape: readonly number[], wShape: readonly number[], attrs: ConvAttrs): Layout {
  const { n, c, h, w, o, cg, kh, kw, sh, sw, pt, pl, dh, dw, ho, wo } = convWindow(xShape, wShape, attrs);
  const geom: ConvGeometry = { c: cg, h, w, kh, kw, sh, sw, pt, pl, dh, dw, ho, wo };
  return { n, c, o, groups: attrs.groups, k: cg * kh * kw, p: ho * wo, geom };
}

/** A 1×1, stride-1, unpadded convolution's patch matrix is the input itself. */
const isPointwise = (g: ConvGeometry): boolean =>
  g.kh === 1 && g.kw === 1 && g.sh === 1 && g.sw === 1 && g.pt === 0 && g.pl === 0 && g.ho === g.h && g.wo === g.w;

export function conv2d(inputs: readonly Tensor[], attrs: PrimAttrs['conv2d']): Tensor {
  const [x, w] = inputs as [Tensor, Tensor];
  const L = layout(x.shape, w.shape, attrs);
  const { n, c, o, groups, k, p, geom } = L;
  const og = o / groups;
  const hw = geom.h * geom.w;
  const X = dataOf(x), W = dataOf(w);
  const out = new Float32Array(n * o * p);
  if (out.length > 0) {
    const direct = isPointwise(geom);
    const col = direct ? null : new Float32Array(k * p);
    for (let b = 0; b < n; b++)
      for (let g = 0; g < groups; g++) {
        const xOff = (b * c + g * geom.c) * hw;
        const yOff = (b * o + g * og) * p;
        if (col === null) gemm(W, g * og * k, X, xOff, out, yOff, og, k, p);
        else {
          im2col(X, xOff, geom, col, p, 1);
          gemm(W, g * og * k, col, 0, out, yOff, og, k, p);
        }
      }
  }
  return fromHost(out, [n, o, geom.ho, geom.wo], 'float32');
}

export function conv2dBackInput(inputs: readonly Tensor[], attrs: PrimAttrs['conv2dBackInput']): Tensor {
  const [dy, w] = inputs as [Tensor, Tensor];
  const L = layout(attrs.inputShape, w.shape, attrs);
  const { n, c, o, groups, k, p, geom } = L;
  const og = o / groups;
  const hw = geom.h * geom.w;
  const DY = dataOf(dy), W = dataOf(w);
  const dx = new Float32Array(n * c * hw);
  if (dx.length > 0 && p > 0) {
    const direct = isPointwise(geom);
    const dcol = new Float32Array(k * p);
    for (let g = 0; g < groups; g++) {
      const wT = transposePanel(W, g * og * k, og, k); // [K, O/G]
      for (let b = 0; b < n; b++) {
        const xOff = (b * c + g * geom.c) * hw;
        const yOff = (b * o + g * og) * p;
        if (direct) gemm(wT, 0, DY, yOff, dx, xOff, k, og, p);
        else {
          gemm(wT, 0, DY, yOff, dcol, 0, k, og, p);
          col2im(dcol, geom, dx, xOff);
        }
      }
    }
  }
  return fromHost(dx, attrs.inputShape, 'float32');
}

export function conv2dBackFilter(inputs: readonly Tensor[], attrs: PrimAttrs['conv2dBackFilter']): Tensor {
  const [x, dy] = inputs as [Tensor, Tensor];
  const L = layout(x.shape, attrs.filterShape, attrs);
  const { n, c, o, groups, k, p, geom } = L;
  const og = o / groups;
  const hw = geom.h * geom.w;
  const X = dataOf(x), DY = dataOf(dy);
  // NOTE: the sum over the batch is accumulated in float64, like gemm's sum over pixels.
  const acc = new Float64Array(o * k);
  if (acc.length > 0 && n * p > 0) {
    const colT = new Float32Array(p * k);
    const part = new Float32Array(og * k);
    for (let g = 0; g < groups; g++) {
      const dwOff = g * og * k;
      for (let b = 0; b < n; b++) {
        im2col(X, (b * c + g * geom.c) * hw, geom, colT, 1, k);
        gemm(DY, (b * o + g * og) * p, colT, 0, part, 0, og, p, k);
        for (let i = 0; i < part.length; i++) acc[dwOff + i] += part[i]!;
      }
    }
  }
  return fromHost(Float32Array.from(acc), attrs.filterShape, 'float32');
}
