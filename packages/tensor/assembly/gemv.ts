// Matrix-vector products, for matmuls with a single output row or column (vdot, norms, a batch of
// one): the packed GEMM would pad the one row to MR and the one column to NR and pack a k x 8
// panel for one useful column. out[i] = sum_p mat(i, p) * vec[p] with mat(i, p) = mat[i*rs + p*cs].
//   cs == 1 (rows contiguous): a dot product per output, float64 accumulation in 8 lanes, rounded
//                               once (matching the reference's float64 sums to rounding);
//   rs == 1 (columns contiguous): out += vec[p] * column p, float32, p ascending, SIMD over i
//                               (the same arithmetic as the GEMM micro-kernel).

function dot64(m: usize, v: usize, k: i32): f32 {
  let s0 = f64x2.splat(0), s1 = s0, s2 = s0, s3 = s0;
  let p = 0;
  for (; p + 8 <= k; p += 8) {
    const o = <usize>p << 2;
    const a0 = v128.load(m + o), a1 = v128.load(m + o, 16);
    const b0 = v128.load(v + o), b1 = v128.load(v + o, 16);
    s0 = f64x2.add(s0, f64x2.mul(f64x2.promote_low_f32x4(a0), f64x2.promote_low_f32x4(b0)));
    s1 = f64x2.add(s1, f64x2.mul(
      f64x2.promote_low_f32x4(v128.shuffle<f32>(a0, a0, 2, 3, 0, 1)), f64x2.promote_low_f32x4(v128.shuffle<f32>(b0, b0, 2, 3, 0, 1))));
    s2 = f64x2.add(s2, f64x2.mul(f64x2.promote_low_f32x4(a1), f64x2.promote_low_f32x4(b1)));
    s3 = f64x2.add(s3, f64x2.mul(
      f64x2.promote_low_f32x4(v128.shuffle<f32>(a1, a1, 2, 3, 0, 1)), f64x2.promote_low_f32x4(v128.shuffle<f32>(b1, b1, 2, 3, 0, 1))));
  }
  const t = f64x2.add(f64x2.add(s0, s1), f64x2.add(s2, s3));
  let s = f64x2.extract_lane(t, 0) + f64x2.extract_lane(t, 1);
  for (; p < k; p++) s += <f64>load<f32>(m + (<usize>p << 2)) * <f64>load<f32>(v + (<usize>p << 2));
  return <f32>s;
}

/** out[i0..i1) += sum_p vec[p] * mat[p*cs + i] (caller zeroes out first). */
function axpyColumns(mat: usize, cs: i32, v: usize, out: usize, i0: i32, i1: i32, k: i32): void {
  const colBytes = <usize>cs << 2;
  let i = i0;
  for (; i + 16 <= i1; i += 16) {
    const o = out + (<usize>i << 2);
    let c0 = f32x4.splat(0), c1 = c0, c2 = c0, c3 = c0;
    let mp = mat + (<usize>i << 2);
    for (let p = 0; p < k; p++) {
      const x = v128.load32_splat(v + (<usize>p << 2));
      c0 = f32x4.add(c0, f32x4.mul(x, v128.load(mp)));
      c1 = f32x4.add(c1, f32x4.mul(x, v128.load(mp, 16)));
      c2 = f32x4.add(c2, f32x4.mul(x, v128.load(mp, 32)));
      c3 = f32x4.add(c3, f32x4.mul(x, v128.load(mp, 48)));
      mp += colBytes;
    }
    v128.store(o, c0); v128.store(o, c1, 16); v128.store(o, c2, 32); v128.store(o, c3, 48);
  }
  for (; i < i1; i++) {
    let c: f32 = 0;
    let mp = mat + (<usize>i << 2);
    for (let p = 0; p < k; p++) {
      c += load<f32>(v + (<usize>p << 2)) * load<f32>(mp);
      mp += colBytes;
    }
    store<f32>(out + (<usize>i << 2), c);
  }
}

/**
 * Batched matrix-vector products; chunk = (batch, block of `perChunk` outputs). `tables` holds nb
 * i32 element offsets of the matrices, then nb of the vectors; batch bi writes out[bi*cnt ...].
 */
export function bmv(
  mat: usize, rs: i32, cs: i32, vec: usize, tables: usize, nb: i32, out: usize, cnt: i32, k: i32,
  perChunk: i32, chunksPerBatch: i32, chunk: i32, _tid: i32,
): void {
  const bi = chunk / chunksPerBatch, ci = chunk % chunksPerBatch;
  const i0 = ci * perChunk, i1 = min(cnt, i0 + perChunk);
  const m = mat + (<usize>load<i32>(tables + (<usize>bi << 2)) << 2);
  const v = vec + (<usize>load<i32>(tables + (<usize>(nb + bi) << 2)) << 2);
  const o = out + (<usize>(bi * cnt) << 2);
  if (cs == 1 || k <= 1) {
    for (let i = i0; i < i1; i++) store<f32>(o + (<usize>i << 2), dot64(m + (<usize>(i * rs) << 2), v, k));
  } else axpyColumns(m, cs, v, o, i0, i1, k);
}
