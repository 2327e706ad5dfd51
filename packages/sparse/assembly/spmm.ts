// Generic sparse-rows × dense product on WebAssembly SIMD, for the patterns the pair kernel
// (pairs.ts) does not cover (groups along the reduced axis, ratios other than 2:4 and 1:2):
//   Z[r, q .. q+15] = Σ_{e ∈ row r} vals[e] · D[offs[e] + q .. offs[e] + q + 15]
// Rows hold only the KEPT weight entries (a CSR of the compressed N:M weight), so masked work is
// never done. `offs[e]` is a BYTE offset into D: a dense row (D = xᵀ or dyᵀ) or, for the conv
// input gradient, a shifted window of the padded dy planes, which turns col2im into plain
// offsets. Each 16-float output tile stays in four registers while the row's entries stream past.
// NOTE: float32 sums in entry order, so results differ from the float64 reference in the last bits.

/**
 * All pointers in bytes. Entry e is the 8-byte record at recs + 8e: [BYTE offset into D, value];
 * row r's entries are [rowPtr[r], rowPtr[r + 1]). qp (the span of Z computed and read from D) is a
 * multiple of 16; Z rows are `ldz` floats apart.
 * NOTE: 16-float tiles (four accumulators). 32-float tiles (eight) were measured 2-3x slower on
 * V8 (x64): the accumulators, the splat and the loads no longer fit the SIMD registers.
 */
export function spmm(rowPtr: usize, recs: usize, rows: i32, d: usize, z: usize, ldz: i32, qp: i32): void {
  for (let r = 0; r < rows; r++) {
    const e0 = load<i32>(rowPtr + (<usize>r << 2)), e1 = load<i32>(rowPtr + (<usize>(r + 1) << 2));
    const zr = z + (<usize>r * <usize>ldz << 2);
    for (let q = 0; q < qp; q += 16) {
      let a0 = f32x4.splat(0), a1 = a0, a2 = a0, a3 = a0;
      const dq = d + (<usize>q << 2);
      for (let e = e0; e < e1; e++) {
        const v = v128.load32_splat(recs + (<usize>e << 3), 4);
        const p = dq + <usize>load<u32>(recs + (<usize>e << 3));
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
