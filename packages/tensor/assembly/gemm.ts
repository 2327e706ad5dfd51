// Single-precision GEMM on WebAssembly SIMD: C[m, n] (+)= sum_p A[m, p] * B[p, n].
//
// BLIS structure: B is packed once into column panels of NR = 8 floats per k step (`packB`), a
// block of A rows into row panels of MR = 5 floats per k step (`packA`), and a 5x8 register-blocked
// micro-kernel runs over the panels. 5x8 keeps 10 accumulators + 2 B vectors + 1 broadcast A value
// in V8's 15 allocatable xmm registers (6x8 spills one accumulator; measured 44 vs 29 GFLOP/s).
//
// NOTE: every C element is a float32 sum over k in ascending order, whatever the tiling and the
// thread split (k blocks continue the running sum through C), so results do not depend on how the
// caller splits rows or columns across threads.

export const MR: i32 = 5;
export const NR: i32 = 8;
export const KC: i32 = 256;
/** Rows of A packed at a time (a multiple of MR): 120 x 256 floats = 120 KiB, an L2 block. */
export const MC: i32 = 120;

/** 5x8 tile: C (+)= Ap (kc x 5, packed) * Bp (kc x 8, packed). `ldc` in bytes. */
function kernel5x8(ap: usize, bp: usize, c: usize, ldc: usize, kc: i32, accumulate: bool): void {
  let c00: v128, c01: v128, c10: v128, c11: v128, c20: v128, c21: v128, c30: v128, c31: v128, c40: v128, c41: v128;
  if (accumulate) {
    c00 = v128.load(c, 0); c01 = v128.load(c, 16);
    c10 = v128.load(c + ldc, 0); c11 = v128.load(c + ldc, 16);
    c20 = v128.load(c + 2 * ldc, 0); c21 = v128.load(c + 2 * ldc, 16);
    c30 = v128.load(c + 3 * ldc, 0); c31 = v128.load(c + 3 * ldc, 16);
    c40 = v128.load(c + 4 * ldc, 0); c41 = v128.load(c + 4 * ldc, 16);
  } else {
    c00 = f32x4.splat(0); c01 = c00; c10 = c00; c11 = c00; c20 = c00;
    c21 = c00; c30 = c00; c31 = c00; c40 = c00; c41 = c00;
  }
  for (let p = 0; p < kc; p++) {
    const b0 = v128.load(bp, 0), b1 = v128.load(bp, 16);
    let x = v128.load32_splat(ap, 0);
    c00 = f32x4.add(c00, f32x4.mul(x, b0)); c01 = f32x4.add(c01, f32x4.mul(x, b1));
    x = v128.load32_splat(ap, 4);
    c10 = f32x4.add(c10, f32x4.mul(x, b0)); c11 = f32x4.add(c11, f32x4.mul(x, b1));
    x = v128.load32_splat(ap, 8);
    c20 = f32x4.add(c20, f32x4.mul(x, b0)); c21 = f32x4.add(c21, f32x4.mul(x, b1));
    x = v128.load32_splat(ap, 12);
    c30 = f32x4.add(c30, f32x4.mul(x, b0)); c31 = f32x4.add(c31, f32x4.mul(x, b1));
    x = v128.load32_splat(ap, 16);
    c40 = f32x4.add(c40, f32x4.mul(x, b0)); c41 = f32x4.add(c41, f32x4.mul(x, b1));
    ap += 20; bp += 32;
  }
  v128.store(c, c00, 0); v128.store(c, c01, 16);
  v128.store(c + ldc, c10, 0); v128.store(c + ldc, c11, 16);
  v128.store(c + 2 * ldc, c20, 0); v128.store(c + 2 * ldc, c21, 16);
  v128.store(c + 3 * ldc, c30, 0); v128.store(c + 3 * ldc, c31, 16);
  v128.store(c + 4 * ldc, c40, 0); v128.store(c + 4 * ldc, c41, 16);
}

/** A partial tile (rows < 5 or cols < 8) goes through a 5x8 scratch tile with the same arithmetic. */
function edgeTile(ap: usize, bp: usize, c: usize, ldc: usize, kc: i32, accumulate: bool, rows: i32, cols: i32, tile: usize): void {
  if (accumulate) {
    for (let r = 0; r < MR; r++)
      for (let j = 0; j < NR; j++)
        store<f32>(tile + ((r * NR + j) << 2), r < rows && j < cols ? load<f32>(c + <usize>r * ldc + (j << 2)) : 0);
  }
  kernel5x8(ap, bp, tile, NR << 2, kc, accumulate);
  for (let r = 0; r < rows; r++)
    for (let j = 0; j < cols; j++) store<f32>(c + <usize>r * ldc + (j << 2), load<f32>(tile + ((r * NR + j) << 2)));
}

/**
 * The k-block length: k split into equal blocks of at most KC (784 = 4 x 196, not 3 x 256 + 16,
 * whose 16-deep tail block would cost a full C load/store per tile for little work).
 */
@inline
function blockK(k: i32): i32 {
  const blocks = (k + KC - 1) / KC;
  return (k + blocks - 1) / max(1, blocks);
}

/** Padded width of B after packing: n rounded up to NR. */
export function packedWidth(n: i32): i32 {
  return (n + NR - 1) / NR * NR;
}

/** Floats needed by `packB` for a k x n matrix. */
export function packedBSize(k: i32, n: i32): i32 {
  return k * packedWidth(n);
}

/**
 * Packs columns [j0, j1) (j0 a multiple of NR) of the k x n matrix B(p, j) = b[p*rsB + j*csB]
 * (strides in elements) into `dst`: for each k block (`blockK`) of rows starting at pc, the NR-wide panel
 * at column j lies at float offset pc*npad + j*kc, kc x NR, zero-padded past column n.
 */
export function packB(b: usize, rsB: i32, csB: i32, k: i32, n: i32, j0: i32, j1: i32, dst: usize): void {
  const npad = packedWidth(n);
  const kb = blockK(k);
  for (let pc = 0; pc < k; pc += kb) {
    const kc = min(kb, k - pc);
    for (let j = j0; j < j1; j += NR) {
      let d = dst + ((<usize>pc * npad + <usize>j * kc) << 2);
      const cols = min(NR, n - j);
      if (cols == NR && csB == 1) {
        let s = b + ((<usize>pc * rsB + j) << 2);
        const step = <usize>rsB << 2;
        for (let p = 0; p < kc; p++) {
          v128.store(d, v128.load(s, 0), 0);
          v128.store(d, v128.load(s, 16), 16);
          s += step; d += 32;
        }
      } else if (cols == NR && rsB == 1) {
        // B is a transposed row-major matrix: column j is contiguous in p. Transpose 4x4 blocks.
        const cs = <usize>csB << 2;
        let s = b + ((<usize>pc + <usize>j * csB) << 2);
        let p = 0;
        for (; p + 4 <= kc; p += 4) {
          for (let h = 0; h < 2; h++) {
            const r0 = v128.load(s + (4 * h) * cs), r1 = v128.load(s + (4 * h + 1) * cs);
            const r2 = v128.load(s + (4 * h + 2) * cs), r3 = v128.load(s + (4 * h + 3) * cs);
            const t0 = v128.shuffle<f32>(r0, r1, 0, 4, 1, 5), t1 = v128.shuffle<f32>(r2, r3, 0, 4, 1, 5);
            const t2 = v128.shuffle<f32>(r0, r1, 2, 6, 3, 7), t3 = v128.shuffle<f32>(r2, r3, 2, 6, 3, 7);
            const o = d + (h << 4);
            v128.store(o, v128.shuffle<f32>(t0, t1, 0, 1, 4, 5), 0);
            v128.store(o, v128.shuffle<f32>(t0, t1, 2, 3, 6, 7), 32);
            v128.store(o, v128.shuffle<f32>(t2, t3, 0, 1, 4, 5), 64);
            v128.store(o, v128.shuffle<f32>(t2, t3, 2, 3, 6, 7), 96);
          }
          s += 16; d += 128;
        }
        for (; p < kc; p++) {
          for (let c = 0; c < NR; c++) store<f32>(d + (c << 2), load<f32>(s + <usize>c * cs));
          s += 4; d += 32;
        }
      } else {
        for (let p = 0; p < kc; p++) {
          const row = b + ((<usize>(pc + p) * rsB) << 2);
          for (let c = 0; c < NR; c++)
            store<f32>(d + (c << 2), c < cols ? load<f32>(row + ((<usize>(j + c) * csB) << 2)) : 0);
          d += 32;
        }
      }
    }
  }
}

/** Packs rows [i0, i0 + mc) x k-columns [pc, pc + kc) of A(i, p) = a[i*rsA + p*csA] into MR panels. */
function packA(a: usize, rsA: i32, csA: i32, i0: i32, mc: i32, pc: i32, kc: i32, dst: usize): void {
  for (let ir = 0; ir < mc; ir += MR) {
    const rows = min(MR, mc - ir);
    const d = dst + ((<usize>ir * kc) << 2);
    for (let r = 0; r < MR; r++) {
      let o = d + (r << 2);
      if (r < rows) {
        let s = a + ((<usize>(i0 + ir + r) * rsA + <usize>pc * csA) << 2);
        const step = <usize>csA << 2;
        for (let p = 0; p < kc; p++) {
          store<f32>(o, load<f32>(s));
          s += step; o += MR << 2;
        }
      } else {
        for (let p = 0; p < kc; p++) {
          store<f32>(o, 0);
          o += MR << 2;
        }
      }
    }
  }
}

/** Floats of scratch one `gemmTile` call needs (packed A block + a 5x8 tile). */
export function tileScratchSize(): i32 {
  return MC * KC + MR * NR;
}

/**
 * C[i, j] (+)= sum_p A(i, p) * B(p, j) for rows [m0, m1) and columns [n0, n1) (n0 a multiple of NR),
 * with B already packed by `packB` (npad = packedWidth(n)). `c` points at C[0, 0]; `ldc` in elements.
 * `accumulate` adds to the existing C. `scratch` holds `tileScratchSize()` floats of this thread.
 */
export function gemmTile(
  a: usize, rsA: i32, csA: i32, bp: usize, npad: i32, c: usize, ldc: i32, k: i32,
  m0: i32, m1: i32, n0: i32, n1: i32, accumulate: bool, scratch: usize,
): void {
  const tile = scratch;
  const ap = scratch + ((MR * NR) << 2);
  const ldcb = <usize>ldc << 2;
  if (k == 0) {
    if (!accumulate)
      for (let i = m0; i < m1; i++) memory.fill(c + <usize>i * ldcb + (<usize>n0 << 2), 0, <usize>(n1 - n0) << 2);
    return;
  }
  const kb = blockK(k);
  for (let pc = 0; pc < k; pc += kb) {
    const kc = min(kb, k - pc);
    const acc = accumulate || pc > 0;
    for (let ic = m0; ic < m1; ic += MC) {
      const mc = min(MC, m1 - ic);
      packA(a, rsA, csA, ic, mc, pc, kc, ap);
      for (let j = n0; j < n1; j += NR) {
        const cols = min(NR, n1 - j);
        const bpanel = bp + ((<usize>pc * npad + <usize>j * kc) << 2);
        for (let ir = 0; ir < mc; ir += MR) {
          const rows = min(MR, mc - ir);
          const cptr = c + <usize>(ic + ir) * ldcb + (<usize>j << 2);
          const apanel = ap + ((<usize>ir * kc) << 2);
          if (rows == MR && cols == NR) kernel5x8(apanel, bpanel, cptr, ldcb, kc, acc);
          else edgeTile(apanel, bpanel, cptr, ldcb, kc, acc, rows, cols, tile);
        }
      }
    }
  }
}
