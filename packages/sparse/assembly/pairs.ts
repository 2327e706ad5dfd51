// The N:M pair kernel: two output rows share every D load.
//
// With the groups of m along the OUTPUT rows (dx rows = input channels i for axis 'in'), each
// reduced index r (o for dense, (o, kh, kw) for conv) keeps exactly n rows of every group. For
// 2:4 those are 2 rows of one group; for 1:2, 1 row in each of two groups. The host sorts the
// (block, r) entries by which rows they hit (their "type": 6 pairs for 2:4, 4 for 1:2 over two
// groups) into lists, so one list updates two FIXED rows:
//   Z[ra, q..q+15] (+)= Σ_e va[e] · D[off[e] + q ..],  Z[rb, q..q+15] (+)= Σ_e vb[e] · D[off[e] + q ..]
// Both rows' accumulators (8 v128) stay in registers and each D vector feeds two mul + add, so
// one 16-float D tile (4 loads) + 2 splats + 1 offset serve 8 multiply-adds (spmm: 4 loads + 1 splat
// + 1 offset for 4). A list either initialises its rows (the first list touching them in a block)
// or adds to them, so Z needs no zero fill.
// NOTE: float32 sums in list order, so results equal the dense product to rounding only.
// NOTE: V8 (x64) compiles an entry to ~26 instructions: 16 mul/add, the 4 + 2 + 1 loads, address
// and loop. 16 128-bit mul/add take 4 cycles on 4 FP pipes (Zen 4), so this runs close to the same
// arithmetic rate as the dense 5×8 GEMM. 20-float tiles (10 accumulators) measured ~18% slower
// (register spills); one copy of dy per column shift (rows without padding columns) was no faster.

/** List record: [ra, rb, init, e0, e1] as i32 (20 bytes). */
const REC: usize = 20;
/** Entry record: [offset, va, vb] (12 bytes). */
const REC_E: usize = 12;

/**
 * Runs `nLists` lists over Z rows of stride `ldz` floats and q in [0, qp) (qp a multiple of 16),
 * in chunks of `qc` floats (a multiple of 16): per chunk every list, per list every 16-float tile
 * of the chunk, so a list's entries stay in L1 and the chunk's D window in L2.
 * Entry e is the 12-byte record at recs + 12e: [BYTE offset into D (i32), va (f32), vb (f32)].
 */
export function spmmPairs(lists: usize, nLists: i32, recs: usize, d: usize, z: usize, ldz: i32, qp: i32, qc: i32): void {
  const ldzb = <usize>ldz << 2;
  for (let q0 = 0; q0 < qp; q0 += qc) {
    const q1 = min(qp, q0 + qc);
    for (let l = 0; l < nLists; l++) {
      const rec = lists + <usize>l * REC;
      const za0 = z + <usize>load<i32>(rec) * ldzb, zb0 = z + <usize>load<i32>(rec, 4) * ldzb;
      const init = load<i32>(rec, 8) != 0;
      const e0 = <usize>load<i32>(rec, 12), e1 = <usize>load<i32>(rec, 16);
      const pe = recs + e1 * REC_E;
      for (let q = q0; q < q1; q += 16) {
        const qb = <usize>q << 2;
        const za = za0 + qb, zb = zb0 + qb;
        let a0: v128, a1: v128, a2: v128, a3: v128, b0: v128, b1: v128, b2: v128, b3: v128;
        if (init) {
          a0 = f32x4.splat(0); a1 = a0; a2 = a0; a3 = a0; b0 = a0; b1 = a0; b2 = a0; b3 = a0;
        } else {
          a0 = v128.load(za, 0); a1 = v128.load(za, 16); a2 = v128.load(za, 32); a3 = v128.load(za, 48);
          b0 = v128.load(zb, 0); b1 = v128.load(zb, 16); b2 = v128.load(zb, 32); b3 = v128.load(zb, 48);
        }
        const dq = d + qb;
        let pr = recs + e0 * REC_E;
        while (pr < pe) {
          const p = dq + <usize>load<u32>(pr);
          const va = v128.load32_splat(pr, 4), vb = v128.load32_splat(pr, 8);
          let x = v128.load(p, 0);
          a0 = f32x4.add(a0, f32x4.mul(va, x)); b0 = f32x4.add(b0, f32x4.mul(vb, x));
          x = v128.load(p, 16);
          a1 = f32x4.add(a1, f32x4.mul(va, x)); b1 = f32x4.add(b1, f32x4.mul(vb, x));
          x = v128.load(p, 32);
          a2 = f32x4.add(a2, f32x4.mul(va, x)); b2 = f32x4.add(b2, f32x4.mul(vb, x));
          x = v128.load(p, 48);
          a3 = f32x4.add(a3, f32x4.mul(va, x)); b3 = f32x4.add(b3, f32x4.mul(vb, x));
          pr += REC_E;
        }
        v128.store(za, a0, 0); v128.store(za, a1, 16); v128.store(za, a2, 32); v128.store(za, a3, 48);
        v128.store(zb, b0, 0); v128.store(zb, b1, 16); v128.store(zb, b2, 32); v128.store(zb, b3, 48);
      }
    }
  }
}

/**
 * The per-call values of a cached pattern: for entry e and slot j < per, the f32 at
 * recs + e·stride + 4 + 4j = values[src[e·per + j]] (src indexes c.values; the host puts a 0 at
 * values[len(c.values)] for empty slots). per = 0: pairs whose two values are adjacent in
 * c.values (2:4, and 1:2 of a dense weight), one index per entry and one 8-byte copy.
 */
export function gatherVals(values: usize, src: usize, recs: usize, entries: i32, stride: i32, per: i32): void {
  let s = src, r = recs + 4;
  const st = <usize>stride;
  if (per == 0) {
    for (let e = 0; e < entries; e++) {
      store<u64>(r, load<u64>(values + (<usize>load<i32>(s) << 2)));
      s += 4;
      r += st;
    }
  } else if (per == 2) {
    for (let e = 0; e < entries; e++) {
      store<f32>(r, load<f32>(values + (<usize>load<i32>(s) << 2)));
      store<f32>(r, load<f32>(values + (<usize>load<i32>(s, 4) << 2)), 4);
      s += 8;
      r += st;
    }
  } else {
    for (let e = 0; e < entries; e++) {
      store<f32>(r, load<f32>(values + (<usize>load<i32>(s) << 2)));
      s += 4;
      r += st;
    }
  }
}
