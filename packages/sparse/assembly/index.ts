// Sparse-rows × dense product on WebAssembly SIMD, the one kernel behind every N:M product here:
//   Z[r, q .. q+15] = Σ_{e ∈ row r} vals[e] · D[offs[e] + q .. offs[e] + q + 15]
// Rows hold only the KEPT weight entries (a CSR of the compressed N:M weight), so masked work is
// never done. `offs[e]` is a float offset into D: a dense row (D = xᵀ or dyᵀ, offset = k·ld) or,
// for the stride-1 conv input gradient, a shifted window of the padded dy planes (offset = o·plane
// + filter shift), which turns col2im into plain offsets. Each 16-float output tile stays in four
// registers while the row's entries stream past: per entry one splat, four loads, four mul + add.
// NOTE: float32 sums in entry order (ascending reduced index), so results differ from the float64
// reference in the last bits only.

/**
 * All pointers in bytes. qp (the row length of Z and the span read from D) is a multiple of 16.
 * NOTE: 16-float tiles (four accumulators). 32-float tiles (eight) were measured 2-3x slower on
 * V8 (x64): the accumulators, the splat and the loads no longer fit the SIMD registers.
 */
export function spmm(rowPtr: usize, offs: usize, vals: usize, rows: i32, d: usize, z: usize, qp: i32): void {
  for (let r = 0; r < rows; r++) {
    const e0 = load<i32>(rowPtr + (<usize>r << 2)), e1 = load<i32>(rowPtr + (<usize>(r + 1) << 2));
    const zr = z + (<usize>r * <usize>qp << 2);
    for (let q = 0; q < qp; q += 16) {
      let a0 = f32x4.splat(0), a1 = a0, a2 = a0, a3 = a0;
      const dq = d + (<usize>q << 2);
      for (let e = e0; e < e1; e++) {
        const v = v128.load32_splat(vals + (<usize>e << 2));
        const p = dq + (<usize>load<i32>(offs + (<usize>e << 2)) << 2);
        a0 = f32x4.add(a0, f32x4.mul(v, v128.load(p, 0)));
        a1 = f32x4.add(a1, f32x4.mul(v, v128.load(p, 16)));
        a2 = f32x4.add(a2, f32x4.mul(v, v128.load(p, 32)));
        a3 = f32x4.add(a3, f32x4.mul(v, v128.load(p, 48)));
      }
      const zq = zr + (<usize>q << 2);
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
