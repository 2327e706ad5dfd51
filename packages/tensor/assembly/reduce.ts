// Float32 sum / max over one contiguous block of axes: x viewed as [outer, red, inner].
// inner > 1: out[o, i] runs down `red` in order with one float32 rounding per step, vectorised
// across i (bit-identical to the reference kernel). inner == 1: a float64 sum over 8 lanes,
// rounded once (the reference sums in float64 in order; both round the same float64 value except
// in rare ties). Max replaces only on strictly greater or on NaN, as the reference does.
// Chunk = a range of (outer, inner-block) pairs, so the thread count never changes a result.

import { RED_SUM } from './opcodes'; // RED_MAX is the other kind

@inline
function maxV(acc: v128, v: v128): v128 {
  return v128.bitselect(v, acc, v128.or(f32x4.gt(v, acc), f32x4.ne(v, v)));
}

@inline
function maxS(acc: f32, v: f32): f32 {
  return v > acc || v != v ? v : acc;
}

/** The float64 sum of one contiguous run x[0..n), 8 lanes. */
function sumRun64(x: usize, n: i32): f64 {
  let s0 = f64x2.splat(0), s1 = s0, s2 = s0, s3 = s0;
  let i = 0;
  for (; i + 8 <= n; i += 8) {
    const p = x + (<usize>i << 2);
    const a = v128.load(p), b = v128.load(p, 16);
    s0 = f64x2.add(s0, f64x2.promote_low_f32x4(a));
    s1 = f64x2.add(s1, f64x2.promote_low_f32x4(v128.shuffle<f32>(a, a, 2, 3, 0, 1)));
    s2 = f64x2.add(s2, f64x2.promote_low_f32x4(b));
    s3 = f64x2.add(s3, f64x2.promote_low_f32x4(v128.shuffle<f32>(b, b, 2, 3, 0, 1)));
  }
  const t = f64x2.add(f64x2.add(s0, s1), f64x2.add(s2, s3));
  let s = f64x2.extract_lane(t, 0) + f64x2.extract_lane(t, 1);
  for (; i < n; i++) s += <f64>load<f32>(x + (<usize>i << 2));
  return s;
}

/** The reduction of one contiguous run x[0..n). */
function reduceRun(kind: i32, x: usize, n: i32): f32 {
  if (kind == RED_SUM) return <f32>sumRun64(x, n);
  let m = load<f32>(x);
  let i = 1;
  if (n >= 8) {
    let v = v128.load32_splat(x);
    for (; i + 4 <= n; i += 4) v = maxV(v, v128.load(x + (<usize>i << 2)));
    m = maxS(maxS(maxS(maxS(m, f32x4.extract_lane(v, 0)), f32x4.extract_lane(v, 1)), f32x4.extract_lane(v, 2)), f32x4.extract_lane(v, 3));
  }
  for (; i < n; i++) m = maxS(m, load<f32>(x + (<usize>i << 2)));
  return m;
}

/**
 * out[o, i] = reduce over r of x[o, r, i]; chunk = (o, block of `innerPerChunk` inner columns).
 * red >= 1 (empty reductions are handled by the caller).
 */
export function reduce(kind: i32, x: usize, out: usize, outer: i32, red: i32, inner: i32, innerPerChunk: i32, chunk: i32, _tid: i32): void {
  const blocks = (inner + innerPerChunk - 1) / innerPerChunk;
  const o = chunk / blocks, blk = chunk % blocks;
  if (o >= outer) return;
  if (inner == 1) {
    store<f32>(out + (<usize>o << 2), reduceRun(kind, x + (<usize>(o * red) << 2), red));
    return;
  }
  const i0 = blk * innerPerChunk, i1 = min(inner, i0 + innerPerChunk);
  const base = x + (<usize>(o * red * inner) << 2);
  const rowBytes = <usize>inner << 2;
  const dst = out + (<usize>(o * inner) << 2);
  let i = i0;
  for (; i + 4 <= i1; i += 4) {
    let p = base + (<usize>i << 2);
    // NOTE: the sum starts from +0 like the reference (so a lone -0 sums to +0)
    let acc = kind == RED_SUM ? f32x4.add(f32x4.splat(0), v128.load(p)) : v128.load(p);
    for (let r = 1; r < red; r++) {
      p += rowBytes;
      const v = v128.load(p);
      acc = kind == RED_SUM ? f32x4.add(acc, v) : maxV(acc, v);
    }
    v128.store(dst + (<usize>i << 2), acc);
  }
  for (; i < i1; i++) {
    let p = base + (<usize>i << 2);
    let acc = kind == RED_SUM ? <f32>0 + load<f32>(p) : load<f32>(p);
    for (let r = 1; r < red; r++) {
      p += rowBytes;
      const v = load<f32>(p);
      acc = kind == RED_SUM ? acc + v : maxS(acc, v);
    }
    store<f32>(dst + (<usize>i << 2), acc);
  }
}

/** Many short rows (inner == 1, small red): chunk = a range of `rowsPerChunk` outputs. */
export function reduceRows(kind: i32, x: usize, out: usize, outer: i32, red: i32, rowsPerChunk: i32, chunk: i32, _tid: i32): void {
  const o0 = chunk * rowsPerChunk, o1 = min(outer, o0 + rowsPerChunk);
  for (let o = o0; o < o1; o++) store<f32>(out + (<usize>o << 2), reduceRun(kind, x + (<usize>(o * red) << 2), red));
}

/**
 * Reduced axes on both sides of the kept ones: x viewed as [outer, kept, inner], out[k] reduces
 * x[:, k, :] (a bias gradient: NCHW summed over N, H, W). Like the reference, each run of `inner`
 * values is summed in float64 onto the float32 result, outer index ascending. Chunk = a block of
 * `perChunk` kept indices.
 */
export function reduceAround(kind: i32, x: usize, out: usize, outer: i32, kept: i32, inner: i32, perChunk: i32, chunk: i32, _tid: i32): void {
  const k0 = chunk * perChunk, k1 = min(kept, k0 + perChunk);
  const rowBytes = <usize>inner << 2;
  for (let k = k0; k < k1; k++) {
    let p = x + <usize>k * rowBytes;
    let acc: f32 = kind == RED_SUM ? 0 : reduceRun(kind, p, inner);
    for (let o = 0; o < outer; o++) {
      acc = kind == RED_SUM ? <f32>(<f64>acc + sumRun64(p, inner)) : maxS(acc, reduceRun(kind, p, inner));
      p += <usize>kept * rowBytes;
    }
    store<f32>(out + (<usize>k << 2), acc);
  }
}
