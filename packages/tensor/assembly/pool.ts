// Max / average pooling over NCHW planes and their gradients. A window (oh, ow) covers rows
// oh*sh - pt + [0, kH) and columns ow*sw - pl + [0, kW), clipped to the input: padding is never
// read (for max pooling it counts as -inf). Chunk = a range of planes, so results do not depend
// on the thread count. Semantics follow the reference kernels exactly: the FIRST maximum of a
// window (row-major; NaN beats any number) is the one selected and routed to by the gradient;
// average windows sum in float64.
import { PoolGeom } from './geometry';
import { zeroF32 } from './copy';

/** Flat offset (in the plane) of the first maximum of window (oh, ow). */
@inline
function argmaxWindow(xp: usize, g: PoolGeom, oh: i32, ow: i32): i32 {
  const top = oh * g.sh - g.pt, left = ow * g.sw - g.pl;
  const r0 = max(0, top), r1 = min(g.h, top + g.kh);
  const c0 = max(0, left), c1 = min(g.w, left + g.kw);
  let best = r0 * g.w + c0;
  let bv = load<f32>(xp + (<usize>best << 2));
  for (let r = r0; r < r1; r++) {
    for (let c = c0; c < c1; c++) {
      const i = r * g.w + c;
      const v = load<f32>(xp + (<usize>i << 2));
      if (v > bv || (v != v && bv == bv)) {
        bv = v;
        best = i;
      }
    }
  }
  return best;
}

/** 2x2 windows, stride 2, no padding: SIMD over four outputs at a time. */
function maxPool2x2Plane(xp: usize, yp: usize, g: PoolGeom): void {
  for (let oh = 0; oh < g.ho; oh++) {
    const r0 = xp + (<usize>(2 * oh * g.w) << 2), r1 = r0 + (<usize>g.w << 2);
    const out = yp + (<usize>(oh * g.wo) << 2);
    let ow = 0;
    for (; ow + 4 <= g.wo; ow += 4) {
      const o = <usize>ow << 3;
      const a0 = v128.load(r0 + o), a1 = v128.load(r0 + o, 16);
      const b0 = v128.load(r1 + o), b1 = v128.load(r1 + o, 16);
      // window elements in row-major order: (r0, even) (r0, odd) (r1, even) (r1, odd)
      const e0 = v128.shuffle<f32>(a0, a1, 0, 2, 4, 6), o0 = v128.shuffle<f32>(a0, a1, 1, 3, 5, 7);
      const e1 = v128.shuffle<f32>(b0, b1, 0, 2, 4, 6), o1 = v128.shuffle<f32>(b0, b1, 1, 3, 5, 7);
      let m = e0;
      // first-max semantics: replace only when strictly greater, or when NaN meets a number
      m = v128.bitselect(o0, m, v128.or(f32x4.gt(o0, m), v128.and(f32x4.ne(o0, o0), f32x4.eq(m, m))));
      m = v128.bitselect(e1, m, v128.or(f32x4.gt(e1, m), v128.and(f32x4.ne(e1, e1), f32x4.eq(m, m))));
      m = v128.bitselect(o1, m, v128.or(f32x4.gt(o1, m), v128.and(f32x4.ne(o1, o1), f32x4.eq(m, m))));
      v128.store(out + (<usize>ow << 2), m);
    }
    for (; ow < g.wo; ow++) store<f32>(out + (<usize>ow << 2), load<f32>(xp + (<usize>argmaxWindow(xp, g, oh, ow) << 2)));
  }
}

export function maxPoolForward(x: usize, y: usize, gp: usize, chunk: i32, _tid: i32): void {
  const g = changetype<PoolGeom>(gp);
  const p0 = chunk * g.planesPerChunk, p1 = min(g.planes, p0 + g.planesPerChunk);
  const fast = g.kh == 2 && g.kw == 2 && g.sh == 2 && g.sw == 2 && g.pt == 0 && g.pl == 0;
  for (let pi = p0; pi < p1; pi++) {
    const xp = x + (<usize>(pi * g.h * g.w) << 2);
    const yp = y + (<usize>(pi * g.ho * g.wo) << 2);
    if (fast) maxPool2x2Plane(xp, yp, g);
    else
      for (let oh = 0; oh < g.ho; oh++)
        for (let ow = 0; ow < g.wo; ow++)
          store<f32>(yp + (<usize>(oh * g.wo + ow) << 2), load<f32>(xp + (<usize>argmaxWindow(xp, g, oh, ow) << 2)));
  }
}

/** dx = 0, then dx[first max of each window] += dy (windows in row-major order). */
export function maxPoolBackward(dy: usize, x: usize, dx: usize, gp: usize, chunk: i32, _tid: i32): void {
  const g = changetype<PoolGeom>(gp);
  const p0 = chunk * g.planesPerChunk, p1 = min(g.planes, p0 + g.planesPerChunk);
  for (let pi = p0; pi < p1; pi++) {
    const xp = x + (<usize>(pi * g.h * g.w) << 2);
    const dxp = dx + (<usize>(pi * g.h * g.w) << 2);
    const dyp = dy + (<usize>(pi * g.ho * g.wo) << 2);
    zeroF32(dxp, g.h * g.w);
    for (let oh = 0; oh < g.ho; oh++)
      for (let ow = 0; ow < g.wo; ow++) {
        const d = dxp + (<usize>argmaxWindow(xp, g, oh, ow) << 2);
        store<f32>(d, load<f32>(d) + load<f32>(dyp + (<usize>(oh * g.wo + ow) << 2)));
      }
  }
}

@inline
function divisor(g: PoolGeom, r0: i32, r1: i32, c0: i32, c1: i32): f64 {
  return g.countIncludePad ? <f64>(g.kh * g.kw) : <f64>((r1 - r0) * (c1 - c0));
}

export function avgPoolForward(x: usize, y: usize, gp: usize, chunk: i32, _tid: i32): void {
  const g = changetype<PoolGeom>(gp);
  const p0 = chunk * g.planesPerChunk, p1 = min(g.planes, p0 + g.planesPerChunk);
  for (let pi = p0; pi < p1; pi++) {
    const xp = x + (<usize>(pi * g.h * g.w) << 2);
    const yp = y + (<usize>(pi * g.ho * g.wo) << 2);
    for (let oh = 0; oh < g.ho; oh++) {
      const top = oh * g.sh - g.pt;
      const r0 = max(0, top), r1 = min(g.h, top + g.kh);
      for (let ow = 0; ow < g.wo; ow++) {
        const left = ow * g.sw - g.pl;
        const c0 = max(0, left), c1 = min(g.w, left + g.kw);
        let s: f64 = 0;
        for (let r = r0; r < r1; r++)
          for (let c = c0; c < c1; c++) s += <f64>load<f32>(xp + (<usize>(r * g.w + c) << 2));
        store<f32>(yp + (<usize>(oh * g.wo + ow) << 2), <f32>(s / divisor(g, r0, r1, c0, c1)));
      }
    }
  }
}

/** dx = 0, then every window adds dy / divisor (rounded to float32 per addition, as the reference). */
export function avgPoolBackward(dy: usize, dx: usize, gp: usize, chunk: i32, _tid: i32): void {
  const g = changetype<PoolGeom>(gp);
  const p0 = chunk * g.planesPerChunk, p1 = min(g.planes, p0 + g.planesPerChunk);
  for (let pi = p0; pi < p1; pi++) {
    const dxp = dx + (<usize>(pi * g.h * g.w) << 2);
    const dyp = dy + (<usize>(pi * g.ho * g.wo) << 2);
    zeroF32(dxp, g.h * g.w);
    for (let oh = 0; oh < g.ho; oh++) {
      const top = oh * g.sh - g.pt;
      const r0 = max(0, top), r1 = min(g.h, top + g.kh);
      for (let ow = 0; ow < g.wo; ow++) {
        const left = ow * g.sw - g.pl;
        const c0 = max(0, left), c1 = min(g.w, left + g.kw);
        const v = <f64>load<f32>(dyp + (<usize>(oh * g.wo + ow) << 2)) / divisor(g, r0, r1, c0, c1);
        for (let r = r0; r < r1; r++)
          for (let c = c0; c < c1; c++) {
            const d = dxp + (<usize>(r * g.w + c) << 2);
            store<f32>(d, <f32>(<f64>load<f32>(d) + v));
          }
      }
    }
  }
}
