// The filter gradient of the Winograd F(2x2, 3x3) convolution (see winograd.ts): the adjoint of
// the forward transform, dg_c = G^T [ sum over tiles t of (A dY_t A^T) .* (B^T d_{c,t} B) ] G, where
// A dY A^T maps each 2x2 tile of dY to the 16 transform points. Per transform point xi this is a
// GEMM over the tiles, dU[xi] [O, C] = E[xi] [O, tiles] * V[xi] [C, tiles]^T, run as 2x4 blocks of
// dot products whose tile sums are long (whole images side by side when one fits a band).
import { WinoGeom } from './geometry';
import { padBand, transformInputBand, zeroTail } from './winograd';

/** dY's band (all cout channels of image ni, tile rows [ty0, ty0 + nr)) into E = A dY A^T (spilling like V). */
function transformGradBand(dy: usize, g: WinoGeom, ni: i32, ty0: i32, nr: i32, pad: usize, e: usize): void {
  const tw4 = (g.tw + 3) & ~3, pw = 2 * tw4;
  const plane = g.hout * g.wout, ld = g.ld;
  const xiStride = <usize>(g.cout * ld) << 2;
  const rowB = <usize>pw << 2;
  for (let ch = 0; ch < g.cout; ch++) {
    padBand(dy + (<usize>((ni * g.cout + ch) * plane) << 2), g.hout, g.wout, 2 * ty0, 0, 2 * nr, pw, pad);
    for (let r = 0; r < nr; r++) {
      for (let tx = 0; tx < g.tw; tx += 4) {
        const base = pad + (<usize>(2 * r * pw + 2 * tx) << 2);
        let a = v128.load(base), b = v128.load(base, 16);
        const y00 = v128.shuffle<f32>(a, b, 0, 2, 4, 6), y01 = v128.shuffle<f32>(a, b, 1, 3, 5, 7);
        a = v128.load(base + rowB); b = v128.load(base + rowB, 16);
        const y10 = v128.shuffle<f32>(a, b, 0, 2, 4, 6), y11 = v128.shuffle<f32>(a, b, 1, 3, 5, 7);
        // A applied to both indices: (y0, y1) -> (y0, y0 + y1, y0 - y1, -y1)
        const neg = f32x4.splat(-1);
        const r0 = y00, r1 = f32x4.add(y00, y10), r2 = f32x4.sub(y00, y10), r3 = f32x4.mul(neg, y10);
        const q0 = y01, q1 = f32x4.add(y01, y11), q2 = f32x4.sub(y01, y11), q3 = f32x4.mul(neg, y11);
        let o = e + (<usize>(ch * ld + r * g.tw + tx) << 2);
        v128.store(o, r0); o += xiStride;
        v128.store(o, f32x4.add(r0, q0)); o += xiStride;
        v128.store(o, f32x4.sub(r0, q0)); o += xiStride;
        v128.store(o, f32x4.mul(neg, q0)); o += xiStride;
        v128.store(o, r1); o += xiStride;
        v128.store(o, f32x4.add(r1, q1)); o += xiStride;
        v128.store(o, f32x4.sub(r1, q1)); o += xiStride;
        v128.store(o, f32x4.mul(neg, q1)); o += xiStride;
        v128.store(o, r2); o += xiStride;
        v128.store(o, f32x4.add(r2, q2)); o += xiStride;
        v128.store(o, f32x4.sub(r2, q2)); o += xiStride;
        v128.store(o, f32x4.mul(neg, q2)); o += xiStride;
        v128.store(o, r3); o += xiStride;
        v128.store(o, f32x4.add(r3, q3)); o += xiStride;
        v128.store(o, f32x4.sub(r3, q3)); o += xiStride;
        v128.store(o, f32x4.mul(neg, q3));
      }
    }
  }
}

/** (l0 + l2) + (l1 + l3) of one vector (the lane order of `hsum4`). */
@inline
function hsum(v: v128): f32 {
  return (f32x4.extract_lane(v, 0) + f32x4.extract_lane(v, 2)) + (f32x4.extract_lane(v, 1) + f32x4.extract_lane(v, 3));
}

/** [hsum(a), hsum(b), hsum(c), hsum(d)] by two transposing shuffle-add steps. */
@inline
function hsum4(a: v128, b: v128, c: v128, d: v128): v128 {
  // p = [a0+a2, b0+b2, a1+a3, b1+b3], q likewise for c, d
  const p = f32x4.add(v128.shuffle<f32>(a, b, 0, 4, 1, 5), v128.shuffle<f32>(a, b, 2, 6, 3, 7));
  const q = f32x4.add(v128.shuffle<f32>(c, d, 0, 4, 1, 5), v128.shuffle<f32>(c, d, 2, 6, 3, 7));
  return f32x4.add(v128.shuffle<f32>(p, q, 0, 1, 4, 5), v128.shuffle<f32>(p, q, 2, 3, 6, 7));
}

/**
 * acc[o, c] += sum_{t < n} E[o, t] * V[c, t] for rows o, o+1 of E and c..c+3 of V (n a multiple of
 * 4): the tile sum runs in four lanes, added in a fixed order at the end.
 */
function dot2x4(e: usize, v: usize, ld: i32, n: i32, acc: usize, cin: i32): void {
  const ldb = <usize>ld << 2;
  let a00 = f32x4.splat(0), a01 = a00, a02 = a00, a03 = a00, a10 = a00, a11 = a00, a12 = a00, a13 = a00;
  for (let t = 0; t < n; t += 4) {
    const off = <usize>t << 2;
    const e0 = v128.load(e + off), e1 = v128.load(e + ldb + off);
    let x = v128.load(v + off);
    a00 = f32x4.add(a00, f32x4.mul(e0, x)); a10 = f32x4.add(a10, f32x4.mul(e1, x));
    x = v128.load(v + ldb + off);
    a01 = f32x4.add(a01, f32x4.mul(e0, x)); a11 = f32x4.add(a11, f32x4.mul(e1, x));
    x = v128.load(v + 2 * ldb + off);
    a02 = f32x4.add(a02, f32x4.mul(e0, x)); a12 = f32x4.add(a12, f32x4.mul(e1, x));
    x = v128.load(v + 3 * ldb + off);
    a03 = f32x4.add(a03, f32x4.mul(e0, x)); a13 = f32x4.add(a13, f32x4.mul(e1, x));
  }
  const r1 = acc + (<usize>cin << 2);
  v128.store(acc, f32x4.add(v128.load(acc), hsum4(a00, a01, a02, a03)));
  v128.store(r1, f32x4.add(v128.load(r1), hsum4(a10, a11, a12, a13)));
}

/** acc[0] += sum_{t < n} e[t] * v[t], with dot2x4's lane order. */
function dot1x1(e: usize, v: usize, n: i32, acc: usize): void {
  let a = f32x4.splat(0);
  for (let t = 0; t < n; t += 4) a = f32x4.add(a, f32x4.mul(v128.load(e + (<usize>t << 2)), v128.load(v + (<usize>t << 2))));
  store<f32>(acc, load<f32>(acc) + hsum(a));
}

/**
 * Partial transformed filter gradients: parts[part, xi, o, c] = sum over the images of this part
 * (in order) and their tiles of E[xi, o, t] * V[xi, c, t]; chunk = part. One float32 running sum
 * per entry, so the result depends on the shape only, never on the thread count.
 */
export function winoBackFilter(x: usize, dy: usize, parts: usize, gp: usize, scratch: usize, stride: i32, chunk: i32, tid: i32): void {
  const g = changetype<WinoGeom>(gp);
  const cin = g.cin, cout = g.cout, ld = g.ld;
  const s = scratch + <usize>tid * (<usize>stride << 2);
  const v = s;
  const e = v + (<usize>(16 * cin * ld) << 2);
  const pad = e + (<usize>(16 * max(g.opad, cout) * ld) << 2);
  const acc = parts + (<usize>(chunk * 16 * cout * cin) << 2);
  memory.fill(acc, 0, <usize>(16 * cout * cin) << 2);
  const n0 = chunk * g.imagesPerPart, n1 = min(g.n, n0 + g.imagesPerPart);
  const o2 = cout & ~1, c4 = cin & ~3;
  const whole = g.th * g.tw;
  for (let ni = n0; ni < n1; ni += g.imagesPerBand) {
    const imgs = min(g.imagesPerBand, n1 - ni);
    for (let ty0 = 0; ty0 < g.th; ty0 += g.bandRows) {
      const nr = min(g.bandRows, g.th - ty0);
      // several whole images side by side (in order: each one overwrites the previous one's spill)
      for (let k = 0; k < imgs; k++) {
        transformInputBand(x, g, ni + k, ty0, nr, pad, v + (<usize>(k * whole) << 2));
        transformGradBand(dy, g, ni + k, ty0, nr, pad, e + (<usize>(k * whole) << 2));
      }
      const tiles = imgs * nr * g.tw, n = (tiles + 7) & ~7;
      zeroTail(v, 16 * cin, ld, tiles, n);
      zeroTail(e, 16 * cout, ld, tiles, n);
      for (let xi = 0; xi < 16; xi++) {
        const ex = e + (<usize>(xi * cout * ld) << 2), vx = v + (<usize>(xi * cin * ld) << 2);
        const ax = acc + (<usize>(xi * cout * cin) << 2);
        for (let o = 0; o < cout; o++) {
          const er = ex + (<usize>(o * ld) << 2), ar = ax + (<usize>(o * cin) << 2);
          if (o < o2) {
            if ((o & 1) == 0) for (let c = 0; c < c4; c += 4) dot2x4(er, vx + (<usize>(c * ld) << 2), ld, n, ar + (<usize>c << 2), cin);
          } else for (let c = 0; c < c4; c++) dot1x1(er, vx + (<usize>(c * ld) << 2), n, ar + (<usize>c << 2));
          for (let c = c4; c < cin; c++) dot1x1(er, vx + (<usize>(c * ld) << 2), n, ar + (<usize>c << 2));
        }
      }
    }
  }
}

/** sum over parts (in order, float64) of parts[part, xi, i] (len floats per transform point). */
@inline
function partSum(parts: usize, nParts: i32, len: i32, xi: i32, i: i32): f64 {
  let s: f64 = 0;
  for (let q = 0; q < nParts; q++) s += <f64>load<f32>(parts + (<usize>((q * 16 + xi) * len + i) << 2));
  return s;
}

/** Taps (r, 0..2) of G^T S G from row r (u0..u3) of G^T S: (u0 + (u1 + u2)/2, (u1 - u2)/2, (u1 + u2)/2 + u3). */
@inline
function storeTaps(d: usize, r: i32, u0: f64, u1: f64, u2: f64, u3: f64): void {
  const p = d + (<usize>(r * 3) << 2);
  store<f32>(p, <f32>(u0 + 0.5 * (u1 + u2)));
  store<f32>(p, <f32>(0.5 * (u1 - u2)), 4);
  store<f32>(p, <f32>(0.5 * (u1 + u2) + u3), 8);
}

/**
 * dw[o, c] = G^T (sum over parts, in order, float64, of parts[part, :, o, c]) G, as 3 x 3 taps;
 * chunk = a range of `perChunk` (o, c) pairs.
 */
export function winoFilterGrad(parts: usize, nParts: i32, cout: i32, cin: i32, dw: usize, perChunk: i32, chunk: i32, _tid: i32): void {
  const len = cout * cin;
  const i0 = chunk * perChunk, i1 = min(len, i0 + perChunk);
  for (let i = i0; i < i1; i++) {
    const d = dw + (<usize>(i * 9) << 2);
    // rows r = 0..2 of G^T S (a 3 x 4 matrix), one column b at a time: S[a][b] at xi = 4a + b
    let t00: f64 = 0, t01: f64 = 0, t02: f64 = 0, t03: f64 = 0, t10: f64 = 0, t11: f64 = 0, t12: f64 = 0, t13: f64 = 0;
    let t20: f64 = 0, t21: f64 = 0, t22: f64 = 0, t23: f64 = 0;
    for (let b = 0; b < 4; b++) {
      const s0 = partSum(parts, nParts, len, b, i), s1 = partSum(parts, nParts, len, 4 + b, i);
      const s2 = partSum(parts, nParts, len, 8 + b, i), s3 = partSum(parts, nParts, len, 12 + b, i);
      const c0 = s0 + 0.5 * (s1 + s2), c1 = 0.5 * (s1 - s2), c2 = 0.5 * (s1 + s2) + s3;
      if (b == 0) { t00 = c0; t10 = c1; t20 = c2; }
      else if (b == 1) { t01 = c0; t11 = c1; t21 = c2; }
      else if (b == 2) { t02 = c0; t12 = c1; t22 = c2; }
      else { t03 = c0; t13 = c1; t23 = c2; }
    }
    storeTaps(d, 0, t00, t01, t02, t03);
    storeTaps(d, 1, t10, t11, t12, t13);
    storeTaps(d, 2, t20, t21, t22, t23);
  }
}
