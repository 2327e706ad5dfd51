// Sparse-rows × dense product on WebAssembly SIMD, the one kernel behind every N:M product here:
//   Z[r, q .. q+15] = Σ_{e ∈ row r} vals[e] · D[offs[e] + q .. offs[e] + q + 15]
// Rows hold only the KEPT weight entries (a CSR of the compressed N:M weight), so masked work is
// never done. `offs[e]` is a float offset into D: a dense row (D = xᵀ or dyᵀ, offset = k·ld) or,
// for the stride-1 conv input gradient, a shifted window of the padded dy planes (offset = o·plane
// + filter shift), which turns col2im into plain offsets. Each 16-float output tile stays in four
// registers (32-float tiles: eight) while the row's entries stream past: per entry one splat, and one
// load, mul and add per vector.
// NOTE: float32 sums in entry order (ascending reduced index), so results differ from the float64
// reference in the last bits only.

/** All pointers in bytes. qp (the row length of Z and the span read from D) is a multiple of 16. */
export function spmm(rowPtr: usize, offs: usize, vals: usize, rows: i32, d: usize, z: usize, qp: i32): void {
  const q32 = qp & ~31;
  for (let r = 0; r < rows; r++) {
    const e0 = load<i32>(rowPtr + (<usize>r << 2)), e1 = load<i32>(rowPtr + (<usize>(r + 1) << 2));
    const zr = z + (<usize>r * <usize>qp << 2);
    // 32-float tiles: eight accumulators amortise each entry's value and offset over 32 outputs.
    for (let q = 0; q < q32; q += 32) {
      let a0 = f32x4.splat(0), a1 = a0, a2 = a0, a3 = a0, a4 = a0, a5 = a0, a6 = a0, a7 = a0;
      const dq = d + (<usize>q << 2);
      for (let e = e0; e < e1; e++) {
        const v = v128.load32_splat(vals + (<usize>e << 2));
        const p = dq + (<usize>load<i32>(offs + (<usize>e << 2)) << 2);
        a0 = f32x4.add(a0, f32x4.mul(v, v128.load(p, 0)));
        a1 = f32x4.add(a1, f32x4.mul(v, v128.load(p, 16)));
        a2 = f32x4.add(a2, f32x4.mul(v, v128.load(p, 32)));
        a3 = f32x4.add(a3, f32x4.mul(v, v128.load(p, 48)));
        a4 = f32x4.add(a4, f32x4.mul(v, v128.load(p, 64)));
        a5 = f32x4.add(a5, f32x4.mul(v, v128.load(p, 80)));
        a6 = f32x4.add(a6, f32x4.mul(v, v128.load(p, 96)));
        a7 = f32x4.add(a7, f32x4.mul(v, v128.load(p, 112)));
      }
      const zq = zr + (<usize>q << 2);
      v128.store(zq, a0, 0);
      v128.store(zq, a1, 16);
      v128.store(zq, a2, 32);
      v128.store(zq, a3, 48);
      v128.store(zq, a4, 64);
      v128.store(zq, a5, 80);
      v128.store(zq, a6, 96);
      v128.store(zq, a7, 112);
    }
    if (q32 < qp) {
      let a0 = f32x4.splat(0), a1 = a0, a2 = a0, a3 = a0;
      const dq = d + (<usize>q32 << 2);
      for (let e = e0; e < e1; e++) {
        const v = v128.load32_splat(vals + (<usize>e << 2));
        const p = dq + (<usize>load<i32>(offs + (<usize>e << 2)) << 2);
        a0 = f32x4.add(a0, f32x4.mul(v, v128.load(p, 0)));
        a1 = f32x4.add(a1, f32x4.mul(v, v128.load(p, 16)));
        a2 = f32x4.add(a2, f32x4.mul(v, v128.load(p, 32)));
        a3 = f32x4.add(a3, f32x4.mul(v, v128.load(p, 48)));
      }
      const zq = zr + (<usize>q32 << 2);
      v128.store(zq, a0, 0);
      v128.store(zq, a1, 16);
      v128.store(zq, a2, 32);
      v128.store(zq, a3, 48);
    }
  }
}

/**
 * Copies `rows` rows of `w` floats from src (row stride `ss` floats) to dst (row stride `ds`):
 * used to lay dy into zero-padded planes and to crop the conv result back out.
 */
export function copyRows(src: usize, ss: i32, dst: usize, ds: i32, rows: i32, w: i32): void {
  for (let y = 0; y < rows; y++) memory.copy(dst + (<usize>(y * ds) << 2), src + (<usize>(y * ss) << 2), <usize>w << 2);
}
