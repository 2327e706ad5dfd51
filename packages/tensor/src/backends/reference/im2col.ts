/**
 * im2col / col2im for NCHW convolutions: the patch matrix of ONE image and ONE channel group.
 * Row r = (c, ki, kj) of the group's K = C·kH·kW filter taps, column p = (oh, ow) of the
 * P = Ho·Wo output pixels; entry (r, p) = x[c, oh·sh − pt + ki·dh, ow·sw − pl + kj·dw], 0 outside.
 *
 * The matrix is written through (rowStride, colStride): (P, 1) lays it out as [K, P] (forward and
 * back-input gemms stream rows of P pixels), (1, K) as its transpose [P, K] (the back-filter gemm
 * contracts over pixels). col2im is the exact adjoint of im2col (it scatter-adds), which is what
 * makes conv2dBackInput the adjoint of conv2d.
 */
export interface ConvGeometry {
  /** channels of one group, input height and width */
  readonly c: number;
  readonly h: number;
  readonly w: number;
  readonly kh: number;
  readonly kw: number;
  readonly sh: number;
  readonly sw: number;
  /** top and left padding (bottom/right padding only shows up in ho/wo) */
  readonly pt: number;
  readonly pl: number;
  readonly dh: number;
  readonly dw: number;
  readonly ho: number;
  readonly wo: number;
}

/** [lo, hi) of output columns ow whose input column ow·sw + off lies in [0, w). */
function validRange(off: number, sw: number, w: number, wo: number): [number, number] {
  const lo = off >= 0 ? 0 : Math.min(wo, Math.ceil(-off / sw));
  const hi = w - 1 - off < 0 ? 0 : Math.min(wo, Math.floor((w - 1 - off) / sw) + 1);
  return [lo, Math.max(lo, hi)];
}

/** Writes the patch matrix of the group whose first channel starts at x[xOff]. */
export function im2col(
  x: ArrayLike<number>, xOff: number, g: ConvGeometry,
  out: Float32Array, rowStride: number, colStride: number,
): void {
  const { c, h, w, kh, kw, sh, sw, pt, pl, dh, dw, ho, wo } = g;
  const rowStep = wo * colStride;
  let r = 0;
  for (let ch = 0; ch < c; ch++) {
    const plane = xOff + ch * h * w;
    for (let ki = 0; ki < kh; ki++) {
      for (let kj = 0; kj < kw; kj++, r++) {
        const off = kj * dw - pl;
        const [lo, hi] = validRange(off, sw, w, wo);
        let o = r * rowStride;
        for (let oh = 0; oh < ho; oh++, o += rowStep) {
          const ih = oh * sh - pt + ki * dh;
          if (ih < 0 || ih >= h) {
            for (let ow = 0; ow < wo; ow++) out[o + ow * colStride] = 0;
            continue;
          }
          for (let ow = 0; ow < lo; ow++) out[o + ow * colStride] = 0;
          const src = plane + ih * w + off;
          if (colStride === 1 && sw === 1) for (let ow = lo; ow < hi; ow++) out[o + ow] = x[src + ow]!;
          else for (let ow = lo; ow < hi; ow++) out[o + ow * colStride] = x[src + ow * sw]!;
          for (let ow = hi; ow < wo; ow++) out[o + ow * colStride] = 0;
        }
      }
    }
  }
}

/** The adjoint of im2col with (rowStride, colStride) = (P, 1): dx[xOff + ...] += col scattered back. */
export function col2im(col: Float32Array, g: ConvGeometry, dx: Float32Array, xOff: number): void {
  const { c, h, w, kh, kw, sh, sw, pt, pl, dh, dw, ho, wo } = g;
  const p = ho * wo;
  let r = 0;
  for (let ch = 0; ch < c; ch++) {
    const plane = xOff + ch * h * w;
    for (let ki = 0; ki < kh; ki++) {
      for (let kj = 0; kj < kw; kj++, r++) {
        const off = kj * dw - pl;
        const [lo, hi] = validRange(off, sw, w, wo);
        let o = r * p;
        for (let oh = 0; oh < ho; oh++, o += wo) {
          const ih = oh * sh - pt + ki * dh;
          if (ih < 0 || ih >= h) continue;
          const dst = plane + ih * w + off;
          if (sw === 1) for (let ow = lo; ow < hi; ow++) dx[dst + ow] += col[o + ow]!;
          else for (let ow = lo; ow < hi; ow++) dx[dst + ow * sw] += col[o + ow]!;
        }
      }
    }
  }
}
