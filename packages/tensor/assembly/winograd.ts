// Winograd F(2x2, 3x3) for stride-1, undilated 3x3 convolutions (Lavin & Gray, "Fast Algorithms
// for Convolutional Neural Networks", CVPR 2016). Each 2x2 output tile of a plane is
//   Y = A^T [ sum_c (G g_c G^T) .* (B^T d_c B) ] A,   d_c the 4x4 input patch at (2ty - pt, 2tx - pl),
// so one tile costs 16 multiplies per (out, in) channel pair instead of 36:
//   B^T = [1 0 -1 0; 0 1 1 0; 0 -1 1 0; 0 1 0 -1],  G = [1 0 0; .5 .5 .5; .5 -.5 .5; 0 0 1],
//   A^T = [1 1 1 0; 0 1 -1 -1].
// The channel sum is 16 GEMMs (one per transform point xi) M[xi] = U[xi] [O, C] * V[xi] [C, tiles],
// run on a 4x8 register-blocked micro-kernel whose operands the transforms write in place (no im2col,
// no packing). The back-input convolution is the same computation on dy with the flipped, transposed
// filter; the back-filter one is its adjoint: dg_c = G^T [ sum_tiles (A dY A^T) .* (B^T d_c B) ] G.
//
// NOTE: float32 error. Every transform matrix entry is 0, +-1 or +-1/2, so with k the longest chain
// of roundings (C + 10 here) |y_wino - y| <= gamma_k * sum_c sum |A^T||G||g||G^T| .* |B^T||d||B| |A|,
// at most gamma_k * 64 * sum_c max|g_c| max|d_c| per output (the direct sum's factor is 9). The
// tests check this bound against the reference backend's direct convolution.
import { copyF32, zeroF32 } from './copy';
import { WinoGeom } from './geometry';

/** Floats of one thread's scratch: the zero-padded band plane, V and M (or dY) for one band. */
export function winoScratchSize(gp: usize): i32 {
  const g = changetype<WinoGeom>(gp);
  const padPlane = (2 * g.bandRows + 2) * (2 * ((g.tw + 3) & ~3) + 2);
  return padPlane + 16 * (g.cin + max(g.opad, g.cout)) * g.ld + 64;
}

/**
 * Copies rows [2*ty0 - top, +rows) x cols [-left, -left + width) of a hin x win plane into `dst`
 * (rows x width), zero outside the plane.
 */
export function padBand(src: usize, hin: i32, win: i32, r0: i32, c0: i32, rows: i32, width: i32, dst: usize): void {
  // rows are short (10 to 66 floats): inline SIMD runs, not memory.copy / memory.fill calls, whose
  // overhead cost about 10 % of an 8 x 8 px convolution (measured)
  const lo = min(width, max(0, -c0)), hi = max(lo, min(width, win - c0));
  for (let r = 0; r < rows; r++) {
    const d = dst + (<usize>(r * width) << 2);
    const iy = r0 + r;
    if (iy < 0 || iy >= hin) {
      zeroF32(d, width);
      continue;
    }
    zeroF32(d, lo);
    copyF32(d + (<usize>lo << 2), src + (<usize>(iy * win + c0 + lo) << 2), hi - lo);
    zeroF32(d + (<usize>hi << 2), width - hi);
  }
}

/**
 * V[xi, ch, t] = (B^T d B)[xi] for the tiles t of tile rows [ty0, ty0 + nr), four tiles per vector.
 * `pad` holds the band's zero-padded plane (2*nr + 2 rows of width pw). Row stride of V: ld.
 */
function inputTransform(pad: usize, pw: i32, nr: i32, tw: i32, v: usize, ch: i32, channels: i32, ld: i32): void {
  const xiStride = <usize>(channels * ld) << 2;
  const rowB = <usize>pw << 2;
  for (let r = 0; r < nr; r++) {
    for (let tx = 0; tx < tw; tx += 4) {
      const base = pad + (<usize>(2 * r * pw + 2 * tx) << 2);
      let o = v + (<usize>(ch * ld + r * tw + tx) << 2);
      // t[i][j]: patch row i after the row transform d_i B (j = transform point)
      let a = v128.load(base), b = v128.load(base, 16), c = v128.load(base, 8), d = v128.load(base, 24);
      let e0 = v128.shuffle<f32>(a, b, 0, 2, 4, 6), e1 = v128.shuffle<f32>(a, b, 1, 3, 5, 7);
      let e2 = v128.shuffle<f32>(c, d, 0, 2, 4, 6), e3 = v128.shuffle<f32>(c, d, 1, 3, 5, 7);
      const t00 = f32x4.sub(e0, e2), t01 = f32x4.add(e1, e2), t02 = f32x4.sub(e2, e1), t03 = f32x4.sub(e1, e3);
      a = v128.load(base + rowB); b = v128.load(base + rowB, 16); c = v128.load(base + rowB, 8); d = v128.load(base + rowB, 24);
      e0 = v128.shuffle<f32>(a, b, 0, 2, 4, 6); e1 = v128.shuffle<f32>(a, b, 1, 3, 5, 7);
      e2 = v128.shuffle<f32>(c, d, 0, 2, 4, 6); e3 = v128.shuffle<f32>(c, d, 1, 3, 5, 7);
      const t10 = f32x4.sub(e0, e2), t11 = f32x4.add(e1, e2), t12 = f32x4.sub(e2, e1), t13 = f32x4.sub(e1, e3);
      a = v128.load(base + 2 * rowB); b = v128.load(base + 2 * rowB, 16); c = v128.load(base + 2 * rowB, 8); d = v128.load(base + 2 * rowB, 24);
      e0 = v128.shuffle<f32>(a, b, 0, 2, 4, 6); e1 = v128.shuffle<f32>(a, b, 1, 3, 5, 7);
      e2 = v128.shuffle<f32>(c, d, 0, 2, 4, 6); e3 = v128.shuffle<f32>(c, d, 1, 3, 5, 7);
      const t20 = f32x4.sub(e0, e2), t21 = f32x4.add(e1, e2), t22 = f32x4.sub(e2, e1), t23 = f32x4.sub(e1, e3);
      a = v128.load(base + 3 * rowB); b = v128.load(base + 3 * rowB, 16); c = v128.load(base + 3 * rowB, 8); d = v128.load(base + 3 * rowB, 24);
      e0 = v128.shuffle<f32>(a, b, 0, 2, 4, 6); e1 = v128.shuffle<f32>(a, b, 1, 3, 5, 7);
      e2 = v128.shuffle<f32>(c, d, 0, 2, 4, 6); e3 = v128.shuffle<f32>(c, d, 1, 3, 5, 7);
      const t30 = f32x4.sub(e0, e2), t31 = f32x4.add(e1, e2), t32 = f32x4.sub(e2, e1), t33 = f32x4.sub(e1, e3);
      // column transform B^T (rows of the 4x4 result: transform point a = 0..3)
      v128.store(o, f32x4.sub(t00, t20)); o += xiStride;
      v128.store(o, f32x4.sub(t01, t21)); o += xiStride;
      v128.store(o, f32x4.sub(t02, t22)); o += xiStride;
      v128.store(o, f32x4.sub(t03, t23)); o += xiStride;
      v128.store(o, f32x4.add(t10, t20)); o += xiStride;
      v128.store(o, f32x4.add(t11, t21)); o += xiStride;
      v128.store(o, f32x4.add(t12, t22)); o += xiStride;
      v128.store(o, f32x4.add(t13, t23)); o += xiStride;
      v128.store(o, f32x4.sub(t20, t10)); o += xiStride;
      v128.store(o, f32x4.sub(t21, t11)); o += xiStride;
      v128.store(o, f32x4.sub(t22, t12)); o += xiStride;
      v128.store(o, f32x4.sub(t23, t13)); o += xiStride;
      v128.store(o, f32x4.sub(t10, t30)); o += xiStride;
      v128.store(o, f32x4.sub(t11, t31)); o += xiStride;
      v128.store(o, f32x4.sub(t12, t32)); o += xiStride;
      v128.store(o, f32x4.sub(t13, t33));
    }
  }
}

/** Zeroes slots [from, to) of every row (xi, ch) of a transformed band: tiles past the band's last. */
export function zeroTail(v: usize, rows: i32, ld: i32, from: i32, to: i32): void {
  if (to <= from) return;
  for (let r = 0; r < rows; r++) zeroF32(v + (<usize>(r * ld + from) << 2), to - from);
}

/**
 * x's band (all cin channels of image ni, tile rows [ty0, ty0 + nr)) into V. The last vector of
 * each tile row spills up to 3 slots past it (the caller zeroes what the GEMM reads past the band).
 */
export function transformInputBand(x: usize, g: WinoGeom, ni: i32, ty0: i32, nr: i32, pad: usize, v: usize): void {
  const tw4 = (g.tw + 3) & ~3, pw = 2 * tw4 + 2;
  const plane = g.hin * g.win;
  for (let ch = 0; ch < g.cin; ch++) {
    const src = x + (<usize>((ni * g.cin + ch) * plane) << 2);
    padBand(src, g.hin, g.win, 2 * ty0 - g.pt, -g.pl, 2 * nr + 2, pw, pad);
    inputTransform(pad, pw, nr, g.tw, v, ch, g.cin, g.ld);
  }
}

/**
 * 4x8 tile of one transform point's GEMM: C[4 rows, 8 cols] = sum_p Ap[p][0..4] * B[p][0..8],
 * Ap packed (4 floats per p), B rows `ldb` bytes apart, C rows `ldc` bytes apart. 8 accumulators,
 * 2 B vectors and a broadcast fit V8's 15 allocatable xmm registers with room to spare.
 */
@inline
function kernel4x8(ap: usize, b: usize, ldb: usize, c: usize, ldc: usize, k: i32): void {
  let c00 = f32x4.splat(0), c01 = c00, c10 = c00, c11 = c00, c20 = c00, c21 = c00, c30 = c00, c31 = c00;
  for (let p = 0; p < k; p++) {
    const b0 = v128.load(b), b1 = v128.load(b, 16);
    let s = v128.load32_splat(ap);
    c00 = f32x4.add(c00, f32x4.mul(s, b0)); c01 = f32x4.add(c01, f32x4.mul(s, b1));
    s = v128.load32_splat(ap, 4);
    c10 = f32x4.add(c10, f32x4.mul(s, b0)); c11 = f32x4.add(c11, f32x4.mul(s, b1));
    s = v128.load32_splat(ap, 8);
    c20 = f32x4.add(c20, f32x4.mul(s, b0)); c21 = f32x4.add(c21, f32x4.mul(s, b1));
    s = v128.load32_splat(ap, 12);
    c30 = f32x4.add(c30, f32x4.mul(s, b0)); c31 = f32x4.add(c31, f32x4.mul(s, b1));
    ap += 16; b += ldb;
  }
  v128.store(c, c00); v128.store(c, c01, 16);
  v128.store(c + ldc, c10); v128.store(c + ldc, c11, 16);
  v128.store(c + 2 * ldc, c20); v128.store(c + 2 * ldc, c21, 16);
  v128.store(c + 3 * ldc, c30); v128.store(c + 3 * ldc, c31, 16);
}

/**
 * Output transform of one band: y[ni, o, 2ty + i, 2tx + j] = (A^T M A)[i][j] for the valid outputs,
 * four tiles per vector, the two output columns of each tile interleaved back into a row.
 */
function outputTransform(mm: usize, g: WinoGeom, ni: i32, ty0: i32, nr: i32, y: usize): void {
  const ld = g.ld, opad = g.opad, wout = g.wout, hout = g.hout;
  const xiStride = <usize>(opad * ld) << 2;
  for (let o = 0; o < g.cout; o++) {
    const yplane = y + (<usize>((ni * g.cout + o) * hout * wout) << 2);
    for (let r = 0; r < nr; r++) {
      const oy = 2 * (ty0 + r);
      for (let tx = 0; tx < g.tw; tx += 4) {
        let p = mm + (<usize>(o * ld + r * g.tw + tx) << 2);
        const m00 = v128.load(p); p += xiStride; const m01 = v128.load(p); p += xiStride;
        const m02 = v128.load(p); p += xiStride; const m03 = v128.load(p); p += xiStride;
        const m10 = v128.load(p); p += xiStride; const m11 = v128.load(p); p += xiStride;
        const m12 = v128.load(p); p += xiStride; const m13 = v128.load(p); p += xiStride;
        const m20 = v128.load(p); p += xiStride; const m21 = v128.load(p); p += xiStride;
        const m22 = v128.load(p); p += xiStride; const m23 = v128.load(p); p += xiStride;
        const m30 = v128.load(p); p += xiStride; const m31 = v128.load(p); p += xiStride;
        const m32 = v128.load(p); p += xiStride; const m33 = v128.load(p);
        // A^T over the row index a, then over the column index b
        const s00 = f32x4.add(f32x4.add(m00, m10), m20), s10 = f32x4.sub(f32x4.sub(m10, m20), m30);
        const s01 = f32x4.add(f32x4.add(m01, m11), m21), s11 = f32x4.sub(f32x4.sub(m11, m21), m31);
        const s02 = f32x4.add(f32x4.add(m02, m12), m22), s12 = f32x4.sub(f32x4.sub(m12, m22), m32);
        const s03 = f32x4.add(f32x4.add(m03, m13), m23), s13 = f32x4.sub(f32x4.sub(m13, m23), m33);
        const y00 = f32x4.add(f32x4.add(s00, s01), s02), y01 = f32x4.sub(f32x4.sub(s01, s02), s03);
        const y10 = f32x4.add(f32x4.add(s10, s11), s12), y11 = f32x4.sub(f32x4.sub(s11, s12), s13);
        const r0lo = v128.shuffle<f32>(y00, y01, 0, 4, 1, 5), r0hi = v128.shuffle<f32>(y00, y01, 2, 6, 3, 7);
        const r1lo = v128.shuffle<f32>(y10, y11, 0, 4, 1, 5), r1hi = v128.shuffle<f32>(y10, y11, 2, 6, 3, 7);
        const ox = 2 * tx;
        const d0 = yplane + (<usize>(oy * wout + ox) << 2), d1 = d0 + (<usize>wout << 2);
        const row1 = oy + 1 < hout;
        if (tx + 4 <= g.tw && ox + 8 <= wout) {
          v128.store(d0, r0lo); v128.store(d0, r0hi, 16);
          if (row1) { v128.store(d1, r1lo); v128.store(d1, r1hi, 16); }
        } else {
          const n = min(8, min(2 * (g.tw - tx), wout - ox));
          storePartial(d0, r0lo, r0hi, n);
          if (row1) storePartial(d1, r1lo, r1hi, n);
        }
      }
    }
  }
}

/** The first n (<= 8) floats of the pair (lo, hi) to d. */
function storePartial(d: usize, lo: v128, hi: v128, n: i32): void {
  for (let i = 0; i < n; i++) {
    const v = i < 4 ? lo : hi;
    const l = i & 3;
    const f = l == 0 ? f32x4.extract_lane(v, 0) : l == 1 ? f32x4.extract_lane(v, 1) : l == 2 ? f32x4.extract_lane(v, 2) : f32x4.extract_lane(v, 3);
    store<f32>(d + (<usize>i << 2), f);
  }
}

/** Tile rows of band `band`: [ty0, ty0 + nr). */
@inline
function bandStart(g: WinoGeom, band: i32): i32 {
  return band * g.bandRows;
}

/**
 * y = the Winograd convolution of x with the transformed filter U (see `winoFilter`); chunk =
 * (image, band of tile rows). Each output is written by exactly one chunk.
 */
export function winoConv(x: usize, u: usize, y: usize, gp: usize, scratch: usize, stride: i32, chunk: i32, tid: i32): void {
  const g = changetype<WinoGeom>(gp);
  const bands = (g.th + g.bandRows - 1) / g.bandRows;
  const ni = chunk / bands, ty0 = bandStart(g, chunk % bands), nr = min(g.bandRows, g.th - ty0);
  const s = scratch + <usize>tid * (<usize>stride << 2);
  const v = s;
  const mm = v + (<usize>(16 * g.cin * g.ld) << 2);
  const pad = mm + (<usize>(16 * max(g.opad, g.cout) * g.ld) << 2);
  transformInputBand(x, g, ni, ty0, nr, pad, v);
  const cols = (nr * g.tw + 7) & ~7;
  zeroTail(v, 16 * g.cin, g.ld, nr * g.tw, cols);
  const ldb = <usize>g.ld << 2;
  for (let xi = 0; xi < 16; xi++) {
    const ux = u + (<usize>(xi * g.opad * g.cin) << 2);
    const vx = v + (<usize>(xi * g.cin * g.ld) << 2);
    const mx = mm + (<usize>(xi * g.opad * g.ld) << 2);
    for (let o = 0; o < g.opad; o += 4) {
      const ap = ux + (<usize>(o * g.cin) << 2);
      const crow = mx + (<usize>(o * g.ld) << 2);
      for (let j = 0; j < cols; j += 8) kernel4x8(ap, vx + (<usize>j << 2), ldb, crow + (<usize>j << 2), ldb, g.cin);
    }
  }
  outputTransform(mm, g, ni, ty0, nr, y);
}

/** Filter tap (i, j) of f_oc (see `winoFilter`). */
@inline
function tap(w: usize, o: i32, c: i32, cout: i32, cin: i32, flip: i32, i: i32, j: i32): f32 {
  return flip ? load<f32>(w + (<usize>((c * cout + o) * 9 + (2 - i) * 3 + (2 - j)) << 2)) : load<f32>(w + (<usize>((o * cin + c) * 9 + i * 3 + j) << 2));
}

/** Stores the row transform (g0, g1, g2) G^T of transform row a into U's four points (a, 0..3). */
@inline
function storeRow(u: usize, a: i32, xiStride: usize, g0: f32, g1: f32, g2: f32): void {
  let p = u + <usize>(4 * a) * xiStride;
  store<f32>(p, g0); p += xiStride;
  store<f32>(p, (g0 + g1 + g2) * 0.5); p += xiStride;
  store<f32>(p, (g0 - g1 + g2) * 0.5); p += xiStride;
  store<f32>(p, g2);
}

/**
 * U[xi, o/4, c, o%4] = (G f_oc G^T)[xi], zero for the padding rows o >= cout; chunk = 4 rows of o.
 * flip = 0: f_oc = w[o, c] (w [cout, cin, 3, 3]); flip = 1: f_oc = w[c, o] rotated by 180 degrees
 * (w [cin, cout, 3, 3]), the filter of the back-input convolution.
 */
export function winoFilter(w: usize, u: usize, cout: i32, cin: i32, opad: i32, flip: i32, chunk: i32, _tid: i32): void {
  const xiStride = <usize>(opad * cin) << 2;
  for (let o = chunk * 4; o < chunk * 4 + 4; o++) {
    const live = o < cout;
    for (let c = 0; c < cin; c++) {
      const dst = u + (<usize>((o & ~3) * cin + c * 4 + (o & 3)) << 2);
      // G f: rows a = 0..3 of a 4 x 3 matrix, one column j at a time
      for (let j = 0; j < 3; j++) {
        const f0: f32 = live ? tap(w, o, c, cout, cin, flip, 0, j) : 0;
        const f1: f32 = live ? tap(w, o, c, cout, cin, flip, 1, j) : 0;
        const f2: f32 = live ? tap(w, o, c, cout, cin, flip, 2, j) : 0;
        // park G f in U's slots (a, b = j) first; the row pass below reads them back
        store<f32>(dst + <usize>j * xiStride, f0);
        store<f32>(dst + <usize>(4 + j) * xiStride, (f0 + f1 + f2) * 0.5);
        store<f32>(dst + <usize>(8 + j) * xiStride, (f0 - f1 + f2) * 0.5);
        store<f32>(dst + <usize>(12 + j) * xiStride, f2);
      }
      for (let a = 0; a < 4; a++) {
        const g0 = load<f32>(dst + <usize>(4 * a) * xiStride), g1 = load<f32>(dst + <usize>(4 * a + 1) * xiStride);
        const g2 = load<f32>(dst + <usize>(4 * a + 2) * xiStride);
        storeRow(dst, a, xiStride, g0, g1, g2);
      }
    }
  }
}
