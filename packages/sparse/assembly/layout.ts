// Data movement around the kernels, so that no JavaScript loop touches the activations:
// zero-padded dy planes for the conv input gradient (the col2im shift becomes a D offset), the
// strided scatter of each stride phase's result into dx, and transposes for the dense products.

/** dst[0 .. len) = src[0 .. len), floats, 4 at a time then the tail (no bulk-memory call per row). */
@inline
function copyF32(dst: usize, src: usize, len: i32): void {
  let k = 0;
  for (; k + 4 <= len; k += 4) v128.store(dst + (<usize>k << 2), v128.load(src + (<usize>k << 2)));
  for (; k < len; k++) store<f32>(dst + (<usize>k << 2), load<f32>(src + (<usize>k << 2)));
}

/** dst[0 .. len) = 0, 4 floats at a time then the tail. */
@inline
function zeroF32(dst: usize, len: i32): void {
  let k = 0;
  const z = f32x4.splat(0);
  for (; k + 4 <= len; k += 4) v128.store(dst + (<usize>k << 2), z);
  for (; k < len; k++) store<f32>(dst + (<usize>k << 2), 0);
}

/**
 * Lays images [n0, n0 + nb) of dy [N, O, HO, WO] into D: per channel o a run of `dStride` floats
 * holding the nb padded planes at `imgStride` floats each, rows of `ws` floats, zeros elsewhere;
 * dy row ho goes to plane row ho + t (kept when 0 <= ho + t < hp), column wo to wo + l
 * (kept when 0 <= wo + l < wp). Planes may share zero rows/columns (imgStride = hs * ws, hs <= hp).
 * Every float of the run is written once (data, or a zero gap before it).
 */
export function padPlanes(
  dy: usize, n0: i32, nb: i32, o: i32, ho: i32, wo: i32,
  d: usize, dStride: i32, imgStride: i32, ws: i32, hp: i32, wp: i32, t: i32, l: i32,
): void {
  const h0 = max(0, -t), h1 = min(ho, hp - t), w0 = max(0, -l), w1 = min(wo, wp - l);
  if (h1 <= h0 || w1 <= w0) {
    memory.fill(d, 0, <usize>o * <usize>dStride << 2);
    return;
  }
  const len = w1 - w0;
  for (let c = 0; c < o; c++) {
    const base = d + (<usize>c * <usize>dStride << 2);
    let pos = 0;
    for (let k = 0; k < nb; k++) {
      let src = dy + ((<usize>((n0 + k) * o + c) * <usize>ho + <usize>h0) * <usize>wo + <usize>w0 << 2);
      let at = k * imgStride + (h0 + t) * ws + w0 + l;
      for (let r = h0; r < h1; r++) {
        zeroF32(base + (<usize>pos << 2), at - pos);
        copyF32(base + (<usize>at << 2), src, len);
        pos = at + len;
        src += <usize>wo << 2;
        at += ws;
      }
    }
    zeroF32(base + (<usize>pos << 2), dStride - pos);
  }
}

/**
 * dx[n0 + k, i, ph + sh·a, pw + sw·b] = Z[i, k·imgStride + a·ws + b] for k < nb, i < ni, a < ha,
 * b < wa: one stride phase of the conv input gradient (stride 1: the crop of the padded layout).
 */
export function scatterPhase(
  z: usize, ldz: i32, nb: i32, ni: i32, imgStride: i32, ws: i32,
  dx: usize, n0: i32, h: i32, w: i32, ph: i32, pw: i32, sh: i32, sw: i32, ha: i32, wa: i32,
): void {
  for (let k = 0; k < nb; k++) {
    for (let i = 0; i < ni; i++) {
      let src = z + (<usize>i * <usize>ldz + <usize>k * <usize>imgStride << 2);
      let dst = dx + ((<usize>((n0 + k) * ni + i) * <usize>h + <usize>ph) * <usize>w + <usize>pw << 2);
      for (let a = 0; a < ha; a++) {
        if (sw == 1) copyF32(dst, src, wa);
        else for (let b = 0; b < wa; b++) store<f32>(dst + (<usize>(b * sw) << 2), load<f32>(src + (<usize>b << 2)));
        src += <usize>ws << 2;
        dst += <usize>(sh * w) << 2;
      }
    }
  }
}

/**
 * dst[k·ld + b] = src[b·lds + k] for b < rows, k < cols (a transpose between row strides lds and
 * ld); dst columns rows .. ld are zeroed.
 */
export function transpose(src: usize, rows: i32, cols: i32, lds: i32, dst: usize, ld: i32): void {
  const cs = <usize>lds << 2;
  let b0 = 0;
  for (; b0 + 4 <= rows; b0 += 4) {
    let s = src + (<usize>b0 * <usize>lds << 2);
    let o = dst + (<usize>b0 << 2);
    for (let k = 0; k < cols; k++) {
      let v = f32x4.splat(load<f32>(s));
      v = f32x4.replace_lane(v, 1, load<f32>(s + cs));
      v = f32x4.replace_lane(v, 2, load<f32>(s + 2 * cs));
      v = f32x4.replace_lane(v, 3, load<f32>(s + 3 * cs));
      v128.store(o, v);
      s += 4;
      o += <usize>ld << 2;
    }
  }
  for (let k = 0; k < cols; k++) {
    for (let b = b0; b < rows; b++) store<f32>(dst + (<usize>(k * ld + b) << 2), load<f32>(src + (<usize>(b * lds + k) << 2)));
    for (let b = rows; b < ld; b++) store<f32>(dst + (<usize>(k * ld + b) << 2), 0);
  }
}

/**
 * Stride-2 columns: dx[n0 + k, i, ph + sh·a, 2b + c] = Zc[i, k·imgStride + a·ws + b] for c = 0, 1
 * (the phases (ph, 0) and (ph, 1) at z0 and z1), interleaved 4 + 4 → 8 floats at a time.
 * wa0 = ceil(w / 2) and wa1 = floor(w / 2) columns.
 */
export function scatterPair2(
  z0: usize, z1: usize, ldz: i32, nb: i32, ni: i32, imgStride: i32, ws: i32,
  dx: usize, n0: i32, h: i32, w: i32, ph: i32, sh: i32, ha: i32,
): void {
  const wa1 = w >> 1;
  for (let k = 0; k < nb; k++) {
    for (let i = 0; i < ni; i++) {
      const zo = <usize>i * <usize>ldz + <usize>k * <usize>imgStride << 2;
      let s0 = z0 + zo, s1 = z1 + zo;
      let dst = dx + ((<usize>((n0 + k) * ni + i) * <usize>h + <usize>ph) * <usize>w << 2);
      for (let a = 0; a < ha; a++) {
        let b = 0;
        for (; b + 4 <= wa1; b += 4) {
          const x = v128.load(s0 + (<usize>b << 2)), y = v128.load(s1 + (<usize>b << 2));
          v128.store(dst + (<usize>b << 3), v128.shuffle<f32>(x, y, 0, 4, 1, 5));
          v128.store(dst + (<usize>b << 3), v128.shuffle<f32>(x, y, 2, 6, 3, 7), 16);
        }
        for (; b < wa1; b++) {
          store<f32>(dst + (<usize>b << 3), load<f32>(s0 + (<usize>b << 2)));
          store<f32>(dst + (<usize>b << 3), load<f32>(s1 + (<usize>b << 2)), 4);
        }
        if (w & 1) store<f32>(dst + (<usize>wa1 << 3), load<f32>(s0 + (<usize>wa1 << 2)));
        s0 += <usize>ws << 2;
        s1 += <usize>ws << 2;
        dst += <usize>(sh * w) << 2;
      }
    }
  }
}
