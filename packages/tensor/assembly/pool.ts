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

/** 2x2 windows, stride 2, all inside the input (no padding reaches a window). */
@inline
function fastWindows(g: PoolGeom): bool {
  return g.kh == 2 && g.kw == 2 && g.sh == 2 && g.sw == 2 && g.pt == 0 && g.pl == 0 && 2 * g.ho <= g.h && 2 * g.wo <= g.w;
}

/** "v replaces the running maximum m": strictly greater, or NaN over a number (first max wins). */
@inline
function beats(v: v128, m: v128): v128 {
  return v128.or(f32x4.gt(v, m), v128.and(f32x4.ne(v, v), f32x4.eq(m, m)));
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
      m = v128.bitselect(o0, m, beats(o0, m));
      m = v128.bitselect(e1, m, beats(e1, m));
      m = v128.bitselect(o1, m, beats(o1, m));
      v128.store(out + (<usize>ow << 2), m);
    }
    for (; ow < g.wo; ow++) store<f32>(out + (<usize>ow << 2), load<f32>(xp + (<usize>argmaxWindow(xp, g, oh, ow) << 2)));
  }
}

export function maxPoolForward(x: usize, y: usize, gp: usize, chunk: i32, _tid: i32): void {
  const g = changetype<PoolGeom>(gp);
  const p0 = chunk * g.planesPerChunk, p1 = min(g.planes, p0 + g.planesPerChunk);
  const fast = fastWindows(g);
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

/**
 * 2x2 windows, stride 2, no padding: the windows tile the input, so each window writes its four
 * dx entries directly (dy at the first maximum, 0 elsewhere), four windows at a time.
 */
function maxPoolBackward2x2Plane(dyp: usize, xp: usize, dxp: usize, g: PoolGeom): void {
  const zero = f32x4.splat(0);
  if (g.h != 2 * g.ho || g.w != 2 * g.wo) zeroF32(dxp, g.h * g.w); // odd sizes leave a border untouched
  for (let oh = 0; oh < g.ho; oh++) {
    const r0 = xp + (<usize>(2 * oh * g.w) << 2), r1 = r0 + (<usize>g.w << 2);
    const d0 = dxp + (<usize>(2 * oh * g.w) << 2), d1 = d0 + (<usize>g.w << 2);
    const dyr = dyp + (<usize>(oh * g.wo) << 2);
    let ow = 0;
    for (; ow + 4 <= g.wo; ow += 4) {
      const o = <usize>ow << 3;
      const a0 = v128.load(r0 + o), a1 = v128.load(r0 + o, 16);
      const b0 = v128.load(r1 + o), b1 = v128.load(r1 + o, 16);
      const e0 = v128.shuffle<f32>(a0, a1, 0, 2, 4, 6), o0 = v128.shuffle<f32>(a0, a1, 1, 3, 5, 7);
      const e1 = v128.shuffle<f32>(b0, b1, 0, 2, 4, 6), o1 = v128.shuffle<f32>(b0, b1, 1, 3, 5, 7);
      const c1 = beats(o0, e0);
      let m = v128.bitselect(o0, e0, c1);
      const c2 = beats(e1, m);
      m = v128.bitselect(e1, m, c2);
      const c3 = beats(o1, m);
      // the winner is the last candidate that replaced the maximum
      const w3 = c3, w2 = v128.andnot(c2, c3), w1 = v128.andnot(v128.andnot(c1, c2), c3);
      const w0 = v128.not(v128.or(v128.or(c1, c2), c3));
      // NOTE: 0 + dy as in the reference's dx[arg] += dy (turns a -0 gradient into +0)
      const d = f32x4.add(zero, v128.load(dyr + (<usize>ow << 2)));
      const g0 = v128.and(d, w0), g1 = v128.and(d, w1), g2 = v128.and(d, w2), g3 = v128.and(d, w3);
      v128.store(d0 + o, v128.shuffle<f32>(g0, g1, 0, 4, 1, 5));
      v128.store(d0 + o, v128.shuffle<f32>(g0, g1, 2, 6, 3, 7), 16);
      v128.store(d1 + o, v128.shuffle<f32>(g2, g3, 0, 4, 1, 5));
      v128.store(d1 + o, v128.shuffle<f32>(g2, g3, 2, 6, 3, 7), 16);
    }
    for (; ow < g.wo; ow++) {
      const o = <usize>ow << 3;
      store<f32>(d0 + o, 0); store<f32>(d0 + o, 0, 4); store<f32>(d1 + o, 0); store<f32>(d1 + o, 0, 4);
      const a = dxp + (<usize>argmaxWindow(xp, g, oh, ow) << 2);
      store<f32>(a, <f32>0 + load<f32>(dyr + (<usize>ow << 2)));
    }
  }
}

/** dx = 0, then dx[first max of each window] += dy (windows in row-major order). */
export function maxPoolBackward(dy: usize, x: usize, dx: usize, gp: usize, chunk: i32, _tid: i32): void {
  const g = changetype<PoolGeom>(gp);
  const p0 = chunk * g.planesPerChunk, p1 = min(g.planes, p0 + g.planesPerChunk);
  const fast = fastWindows(g);
  for (let pi = p0; pi < p1; pi++) {
    const xp = x + (<usize>(pi * g.h * g.w) << 2);
    const dxp = dx + (<usize>(pi * g.h * g.w) << 2);
    const dyp = dy + (<usize>(pi * g.ho * g.wo) << 2);
    if (fast) {
      maxPoolBackward2x2Plane(dyp, xp, dxp, g);
      continue;
    }
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
