// conv2d and its two backward convolutions as GEMMs over im2col patch matrices, on the same
// packed 5x8 micro-kernel as matmul. Per image n, group g (K = C/G*kH*kW taps, P = Ho*Wo pixels),
// processed in bands of output rows so the patch matrix stays in L2:
//   forward      y[n, g]  = W_g [O/G, K] * col(x[n, g]) [K, P]
//   back-input   dx[n, g] = col2im(W_g^T [K, O/G] * dy[n, g] [O/G, P])
//   back-filter  dW_g     = sum over image parts of sum_n dy[n, g] [O/G, P] * col(x[n, g])^T [P, K]
// Chunks (the unit a thread claims) are (image, group, band) for the forward pass, (image, group)
// for back-input (bands of one image overlap in dx), and (image part, group) for back-filter,
// whose partial sums are added in a fixed order by `convSumParts`.
import { addToF32, copyF32, zeroF32 } from './copy';
import { ConvGeom } from './geometry';
import { gemmTile, packB, packedWidth, tileScratchSize } from './gemm';

/** [lo, hi) of output columns whose input column ow*sw + off lies in [0, w). */
@inline
function validLo(off: i32, sw: i32, wo: i32): i32 {
  return off >= 0 ? 0 : min(wo, (-off + sw - 1) / sw);
}
@inline
function validHi(off: i32, sw: i32, w: i32, wo: i32): i32 {
  return w - 1 - off < 0 ? 0 : min(wo, (w - 1 - off) / sw + 1);
}

/** True for a 1x1, stride-1, unpadded convolution: the patch matrix is the input plane itself. */
function pointwise(g: ConvGeom): bool {
  return g.kh == 1 && g.kw == 1 && g.sh == 1 && g.sw == 1 && g.pt == 0 && g.pl == 0 && g.ho == g.h && g.wo == g.w;
}

/** Patch matrix rows (c, ki, kj) x columns of output rows [oh0, oh1) of one image/group (x at xg). */
function im2colBand(xg: usize, g: ConvGeom, cg: i32, oh0: i32, oh1: i32, col: usize): void {
  const h = g.h, w = g.w, wo = g.wo, sw = g.sw;
  const bp = (oh1 - oh0) * wo;
  let r = 0;
  for (let ch = 0; ch < cg; ch++) {
    const plane = xg + (<usize>(ch * h * w) << 2);
    for (let ki = 0; ki < g.kh; ki++) {
      for (let kj = 0; kj < g.kw; kj++, r++) {
        const off = kj * g.dw - g.pl;
        const lo = validLo(off, sw, wo);
        const hi = max(lo, validHi(off, sw, w, wo));
        let o = col + (<usize>(r * bp) << 2);
        for (let oh = oh0; oh < oh1; oh++, o += <usize>wo << 2) {
          const ih = oh * g.sh - g.pt + ki * g.dh;
          if (ih < 0 || ih >= h) {
            zeroF32(o, wo);
            continue;
          }
          zeroF32(o, lo);
          const src = plane + (<usize>(ih * w + off) << 2);
          if (sw == 1) copyF32(o + (<usize>lo << 2), src + (<usize>lo << 2), hi - lo);
          else for (let ow = lo; ow < hi; ow++) store<f32>(o + (<usize>ow << 2), load<f32>(src + (<usize>(ow * sw) << 2)));
          zeroF32(o + (<usize>hi << 2), wo - hi);
        }
      }
    }
  }
}

/** The adjoint of im2colBand: dx (at dxg) += the band's columns scattered back. */
function col2imBand(col: usize, g: ConvGeom, cg: i32, oh0: i32, oh1: i32, dxg: usize): void {
  const h = g.h, w = g.w, wo = g.wo, sw = g.sw;
  const bp = (oh1 - oh0) * wo;
  let r = 0;
  for (let ch = 0; ch < cg; ch++) {
    const plane = dxg + (<usize>(ch * h * w) << 2);
    for (let ki = 0; ki < g.kh; ki++) {
      for (let kj = 0; kj < g.kw; kj++, r++) {
        const off = kj * g.dw - g.pl;
        const lo = validLo(off, sw, wo);
        const hi = max(lo, validHi(off, sw, w, wo));
        let o = col + (<usize>(r * bp) << 2);
        for (let oh = oh0; oh < oh1; oh++, o += <usize>wo << 2) {
          const ih = oh * g.sh - g.pt + ki * g.dh;
          if (ih < 0 || ih >= h) continue;
          const dst = plane + (<usize>(ih * w + off) << 2);
          if (sw == 1) addToF32(dst + (<usize>lo << 2), o + (<usize>lo << 2), hi - lo);
          else
            for (let ow = lo; ow < hi; ow++) {
              const d = dst + (<usize>(ow * sw) << 2);
              store<f32>(d, load<f32>(d) + load<f32>(o + (<usize>ow << 2)));
            }
        }
      }
    }
  }
}

/** Floats of the packed B operand: forward K x band, back-input O/G x band, back-filter band x K. */
function packedFloats(g: ConvGeom): i32 {
  const k = g.c / g.groups * g.kh * g.kw;
  const bp = g.bandRows * g.wo;
  return max(max(k, g.o / g.groups) * packedWidth(bp), bp * packedWidth(k));
}

/** Floats of per-thread scratch the conv entry points need for this geometry. */
export function convScratchSize(gp: usize): i32 {
  const g = changetype<ConvGeom>(gp);
  const k = g.c / g.groups * g.kh * g.kw;
  // patch band (or its gradient) + packed B + the GEMM's packed A block and edge tile
  return k * g.bandRows * g.wo + packedFloats(g) + tileScratchSize() + 64;
}

/** y = conv2d(x, w); chunk = (image, group, band). */
export function convForward(x: usize, w: usize, y: usize, gp: usize, scratch: usize, stride: i32, chunk: i32, tid: i32): void {
  const g = changetype<ConvGeom>(gp);
  const cg = g.c / g.groups, og = g.o / g.groups;
  const k = cg * g.kh * g.kw, p = g.ho * g.wo;
  const bands = (g.ho + g.bandRows - 1) / g.bandRows;
  const band = chunk % bands, gi = (chunk / bands) % g.groups, ni = chunk / bands / g.groups;
  const oh0 = band * g.bandRows, oh1 = min(g.ho, oh0 + g.bandRows);
  const bp = (oh1 - oh0) * g.wo;
  const s = scratch + <usize>tid * (<usize>stride << 2);
  const col = s;
  const packed = col + (<usize>(k * g.bandRows * g.wo) << 2);
  const tile = packed + (<usize>packedFloats(g) << 2);
  const xg = x + (<usize>((ni * g.c + gi * cg) * g.h * g.w) << 2);
  if (pointwise(g)) packB(xg + (<usize>(oh0 * g.wo) << 2), g.h * g.w, 1, k, bp, 0, bp, packed);
  else {
    im2colBand(xg, g, cg, oh0, oh1, col);
    packB(col, bp, 1, k, bp, 0, bp, packed);
  }
  const yb = y + (<usize>((ni * g.o + gi * og) * p + oh0 * g.wo) << 2);
  gemmTile(w + (<usize>(gi * og * k) << 2), k, 1, packed, packedWidth(bp), yb, p, k, 0, og, 0, bp, false, tile);
}

/** dx = conv2dBackInput(dy, w); chunk = (image, group). */
export function convBackInput(dy: usize, w: usize, dx: usize, gp: usize, scratch: usize, stride: i32, chunk: i32, tid: i32): void {
  const g = changetype<ConvGeom>(gp);
  const cg = g.c / g.groups, og = g.o / g.groups;
  const k = cg * g.kh * g.kw, p = g.ho * g.wo;
  const gi = chunk % g.groups, ni = chunk / g.groups;
  const s = scratch + <usize>tid * (<usize>stride << 2);
  const dcol = s;
  const packed = dcol + (<usize>(k * g.bandRows * g.wo) << 2);
  const tile = packed + (<usize>packedFloats(g) << 2);
  const dxg = dx + (<usize>((ni * g.c + gi * cg) * g.h * g.w) << 2);
  const wg = w + (<usize>(gi * og * k) << 2);
  const pw = pointwise(g);
  if (!pw) zeroF32(dxg, cg * g.h * g.w);
  for (let oh0 = 0; oh0 < g.ho; oh0 += g.bandRows) {
    const oh1 = min(g.ho, oh0 + g.bandRows);
    const bp = (oh1 - oh0) * g.wo;
    const dyb = dy + (<usize>((ni * g.o + gi * og) * p + oh0 * g.wo) << 2);
    packB(dyb, p, 1, og, bp, 0, bp, packed);
    // A = W_g^T: A(i = tap, q = out channel) = w[q*K + i]
    if (pw) gemmTile(wg, 1, k, packed, packedWidth(bp), dxg + (<usize>(oh0 * g.wo) << 2), p, og, 0, k, 0, bp, false, tile);
    else {
      gemmTile(wg, 1, k, packed, packedWidth(bp), dcol, bp, og, 0, k, 0, bp, false, tile);
      col2imBand(dcol, g, cg, oh0, oh1, dxg);
    }
  }
}

/**
 * Partial filter gradients: parts[part, gi] = sum over images of this part, in order, of
 * dy[n, gi] * col(x[n, gi])^T; chunk = (part, group). Each partial is one running float32 sum.
 */
export function convBackFilter(x: usize, dy: usize, parts: usize, gp: usize, scratch: usize, stride: i32, chunk: i32, tid: i32): void {
  const g = changetype<ConvGeom>(gp);
  const cg = g.c / g.groups, og = g.o / g.groups;
  const k = cg * g.kh * g.kw, p = g.ho * g.wo;
  const gi = chunk % g.groups, part = chunk / g.groups;
  const s = scratch + <usize>tid * (<usize>stride << 2);
  const col = s;
  const packed = col + (<usize>(k * g.bandRows * g.wo) << 2);
  const tile = packed + (<usize>packedFloats(g) << 2);
  const c = parts + (<usize>((part * g.groups + gi) * og * k) << 2);
  const n0 = part * g.imagesPerPart, n1 = min(g.n, n0 + g.imagesPerPart);
  const pw = pointwise(g);
  let first = true;
  for (let ni = n0; ni < n1; ni++) {
    const xg = x + (<usize>((ni * g.c + gi * cg) * g.h * g.w) << 2);
    for (let oh0 = 0; oh0 < g.ho; oh0 += g.bandRows) {
      const oh1 = min(g.ho, oh0 + g.bandRows);
      const bp = (oh1 - oh0) * g.wo;
      // B(q = pixel, j = tap) = col[j, q]: the patch matrix read transposed
      if (pw) packB(xg + (<usize>(oh0 * g.wo) << 2), 1, g.h * g.w, bp, k, 0, k, packed);
      else {
        im2colBand(xg, g, cg, oh0, oh1, col);
        packB(col, 1, bp, bp, k, 0, k, packed);
      }
      const dyb = dy + (<usize>((ni * g.o + gi * og) * p + oh0 * g.wo) << 2);
      gemmTile(dyb, p, 1, packed, packedWidth(k), c, k, bp, 0, og, 0, k, !first, tile);
      first = false;
    }
  }
  if (first) zeroF32(c, og * k);
}

/** out[i] = sum over parts (in order, float64) of parts[part, i]; chunk = a range of `len`. */
export function convSumParts(parts: usize, nParts: i32, len: i32, out: usize, perChunk: i32, chunk: i32, _tid: i32): void {
  const i0 = chunk * perChunk, i1 = min(len, i0 + perChunk);
  for (let i = i0; i < i1; i++) {
    let acc: f64 = 0;
    for (let q = 0; q < nParts; q++) acc += <f64>load<f32>(parts + (<usize>(q * len + i) << 2));
    store<f32>(out + (<usize>i << 2), <f32>acc);
  }
}
