// The N:M key-pair kernel: one pair of D loads serves a list of output rows.
//
// With the groups of m along the REDUCED index (axis 'out' for the input-gradient products, 'in'
// for nmMatmul), every output row keeps exactly n entries of every group. For 2:4 those are 2 of
// the group's 4 keys; for 1:2, one key in each of two neighbouring groups (a 4-key block). So a
// row's kept entries come in pairs (ka, kb) inside one 4-key block, and the host sorts the
// (row, block) pairs by which keys they hold (6 combinations for 2:4, 4 for 1:2) into lists, so
// one list reads two FIXED D windows for a run of rows:
//   Z[r, q..q+15] (+)= va[r] · D[offA + q ..] + vb[r] · D[offB + q ..]   for r in the list
// The 8 D vectors stay in registers while the rows stream past (4 Z loads, 4 Z stores, 2 splats
// and 16 mul/add a row), the mirror image of the pair kernel (pairs.ts), which keeps two rows'
// accumulators in registers while the keys stream past.
// NOTE: float32 sums in list order, so results equal the dense product to rounding only.

/** List record: [offA, offB, r0, r1] as i32 (16 bytes); byte offsets into D; offB < 0: one key. */
const REC: usize = 16;
/** Row record: [row (or ~row: the first write of this row, which initialises it), va, vb] (12 bytes). */
const REC_R: usize = 12;

/**
 * Runs `nLists` lists over Z rows of stride `ldz` floats and q in [0, qp) (qp a multiple of 16),
 * in chunks of `qc` floats (a multiple of 16): per chunk every list, per list every 16-float tile
 * of the chunk, so the rows' Z tiles stay in L1 and the chunk's D window in L2.
 */
export function spmmKeyPairs(lists: usize, nLists: i32, recs: usize, d: usize, z: usize, ldz: i32, qp: i32, qc: i32): void {
  const ldzb = <usize>ldz << 2;
  for (let q0 = 0; q0 < qp; q0 += qc) {
    const q1 = min(qp, q0 + qc);
    for (let l = 0; l < nLists; l++) {
      const rec = lists + <usize>l * REC;
      const offA = load<i32>(rec), offB = load<i32>(rec, 4);
      const p0 = recs + <usize>load<i32>(rec, 8) * REC_R, p1 = recs + <usize>load<i32>(rec, 12) * REC_R;
      for (let q = q0; q < q1; q += 16) {
        const qb = <usize>q << 2;
        const pa = d + <usize>offA + qb;
        const xa0 = v128.load(pa, 0), xa1 = v128.load(pa, 16), xa2 = v128.load(pa, 32), xa3 = v128.load(pa, 48);
        if (offB < 0) {
          for (let pr = p0; pr < p1; pr += REC_R) {
            const rw = load<i32>(pr);
            const zq = z + <usize>(rw < 0 ? ~rw : rw) * ldzb + qb;
            const va = v128.load32_splat(pr, 4);
            let a0 = f32x4.mul(va, xa0), a1 = f32x4.mul(va, xa1), a2 = f32x4.mul(va, xa2), a3 = f32x4.mul(va, xa3);
            if (rw >= 0) {
              a0 = f32x4.add(v128.load(zq, 0), a0); a1 = f32x4.add(v128.load(zq, 16), a1);
              a2 = f32x4.add(v128.load(zq, 32), a2); a3 = f32x4.add(v128.load(zq, 48), a3);
            }
            v128.store(zq, a0, 0); v128.store(zq, a1, 16); v128.store(zq, a2, 32); v128.store(zq, a3, 48);
          }
          continue;
        }
        const pb = d + <usize>offB + qb;
        const xb0 = v128.load(pb, 0), xb1 = v128.load(pb, 16), xb2 = v128.load(pb, 32), xb3 = v128.load(pb, 48);
        // one vector at a time (load, two multiply-adds, store): the 8 D vectors, 2 splats and
        // 2 temporaries fit V8's 15 allocatable SIMD registers; four accumulators at once spill
        for (let pr = p0; pr < p1; pr += REC_R) {
          const rw = load<i32>(pr);
          const va = v128.load32_splat(pr, 4), vb = v128.load32_splat(pr, 8);
          if (rw < 0) {
            const zq = z + <usize>~rw * ldzb + qb;
            v128.store(zq, f32x4.add(f32x4.mul(va, xa0), f32x4.mul(vb, xb0)), 0);
            v128.store(zq, f32x4.add(f32x4.mul(va, xa1), f32x4.mul(vb, xb1)), 16);
            v128.store(zq, f32x4.add(f32x4.mul(va, xa2), f32x4.mul(vb, xb2)), 32);
            v128.store(zq, f32x4.add(f32x4.mul(va, xa3), f32x4.mul(vb, xb3)), 48);
          } else {
            const zq = z + <usize>rw * ldzb + qb;
            v128.store(zq, f32x4.add(v128.load(zq, 0), f32x4.add(f32x4.mul(va, xa0), f32x4.mul(vb, xb0))), 0);
            v128.store(zq, f32x4.add(v128.load(zq, 16), f32x4.add(f32x4.mul(va, xa1), f32x4.mul(vb, xb1))), 16);
            v128.store(zq, f32x4.add(v128.load(zq, 32), f32x4.add(f32x4.mul(va, xa2), f32x4.mul(vb, xb2))), 32);
            v128.store(zq, f32x4.add(v128.load(zq, 48), f32x4.add(f32x4.mul(va, xa3), f32x4.mul(vb, xb3))), 48);
          }
        }
      }
    }
  }
}
