// A chain of float32 elementwise primitives in one pass (compiled plans, src/compile/fusion.ts).
// The iteration space is the usual collapsed rank-4 one with per-input strides; each innermost row
// is cut into tiles of TILE elements, and a small program runs over each tile instruction by
// instruction, SIMD where the single kernels use SIMD, through the SAME scalar and vector
// functions as assembly/elementwise.ts, so every value is bit-identical to running the primitives
// one by one. Inputs are read in place (contiguous rows) or splat / gathered into a register.

import { binaryS, binaryV, unaryS } from './elementwise';
import { FUSED_WORDS, K_BINARY, K_SELECT, K_UNARY, OP_ABS, OP_NEG, OP_SQRT, OP_UNARY_SIMD_END } from './opcodes';

const TILE = 64;

/** Scratch bytes per thread for `nRegs` tile registers plus their pointer table. */
export function fusedScratchSize(nRegs: i32): i32 {
  return nRegs * (TILE * 4 + 4) + 64;
}

@inline
function unaryTile(op: i32, x: usize, y: usize, n: i32): void {
  let i = 0;
  if (op < OP_UNARY_SIMD_END) {
    const one = f32x4.splat(1), zero = f32x4.splat(0);
    for (; i + 4 <= n; i += 4) {
      const a = v128.load(x + (<usize>i << 2));
      let r: v128;
      if (op == OP_NEG) r = f32x4.neg(a);
      else if (op == OP_ABS) r = f32x4.abs(a);
      else if (op == OP_SQRT) r = f32x4.sqrt(a);
      else {
        const pos = f32x4.gt(a, zero), neg = f32x4.lt(a, zero);
        r = v128.bitselect(one, v128.bitselect(f32x4.neg(one), a, neg), pos);
      }
      v128.store(y + (<usize>i << 2), r);
    }
  }
  for (; i < n; i++) store<f32>(y + (<usize>i << 2), unaryS(op, load<f32>(x + (<usize>i << 2))));
}

/**
 * y = program(inputs) over dims (i32 x4 at dp); input q is at load<i32>(ins + 4q) with i32 x4
 * strides at sp + 16q; `prog` holds nInstr instructions; registers 0..nIns-1 are the inputs, the
 * rest temporaries; the last instruction's destination is the output.
 */
export function fused(prog: usize, nInstr: i32, nIns: i32, nRegs: i32, ins: usize, sp: usize, y: usize, dp: usize, scratch: usize, scratchStride: i32, rowsPerChunk: i32, chunk: i32, tid: i32): void {
  const d1 = load<i32>(dp, 4), d2 = load<i32>(dp, 8), d3 = load<i32>(dp, 12);
  const rows = load<i32>(dp) * d1 * d2;
  const r0 = chunk * rowsPerChunk, r1 = min(rows, r0 + rowsPerChunk);
  const regs = scratch + <usize>(tid * scratchStride);
  const ptrs = regs + <usize>(nRegs * TILE * 4); // usize per register: where its tile is now
  for (let r = r0; r < r1; r++) {
    const i2 = r % d2, i1 = (r / d2) % d1, i0 = r / d2 / d1;
    for (let t0 = 0; t0 < d3; t0 += TILE) {
      const n = min(TILE, d3 - t0);
      for (let q = 0; q < nIns; q++) {
        const s = sp + <usize>(q * 16);
        const base = <usize>load<i32>(ins + <usize>(q * 4));
        const row = base + (<usize>(i0 * load<i32>(s) + i1 * load<i32>(s, 4) + i2 * load<i32>(s, 8)) << 2);
        const s3 = load<i32>(s, 12);
        const reg = regs + <usize>(q * TILE * 4);
        if (s3 == 1) store<usize>(ptrs + (<usize>q << 2), row + (<usize>t0 << 2));
        else {
          for (let i = 0; i < n; i++) store<f32>(reg + (<usize>i << 2), load<f32>(row + (<usize>((t0 + i) * s3) << 2)));
          store<usize>(ptrs + (<usize>q << 2), reg);
        }
      }
      for (let k = 0; k < nInstr; k++) {
        const w = prog + <usize>(k * FUSED_WORDS * 4);
        const kind = load<i32>(w), op = load<i32>(w, 4), dst = load<i32>(w, 8);
        const out = k == nInstr - 1 ? y + (<usize>(r * d3 + t0) << 2) : regs + <usize>(dst * TILE * 4);
        const pa = load<usize>(ptrs + (<usize>load<i32>(w, 12) << 2));
        if (kind == K_UNARY) unaryTile(op, pa, out, n);
        else {
          const pb = load<usize>(ptrs + (<usize>load<i32>(w, 16) << 2));
          let i = 0;
          if (kind == K_BINARY) {
            for (; i + 4 <= n; i += 4) {
              const o = <usize>i << 2;
              v128.store(out + o, binaryV(op, v128.load(pa + o), v128.load(pb + o)));
            }
            for (; i < n; i++) store<f32>(out + (<usize>i << 2), binaryS(op, load<f32>(pa + (<usize>i << 2)), load<f32>(pb + (<usize>i << 2))));
          } else {
            const pc = load<usize>(ptrs + (<usize>load<i32>(w, 20) << 2));
            if (kind == K_SELECT) {
              // where(c = a, x = b, y = c): a != 0 picks b
              const zero = f32x4.splat(0);
              for (; i + 4 <= n; i += 4) {
                const o = <usize>i << 2;
                v128.store(out + o, v128.bitselect(v128.load(pb + o), v128.load(pc + o), f32x4.ne(v128.load(pa + o), zero)));
              }
              for (; i < n; i++) store<f32>(out + (<usize>i << 2), load<f32>(pa + (<usize>i << 2)) != 0 ? load<f32>(pb + (<usize>i << 2)) : load<f32>(pc + (<usize>i << 2)));
            } else {
              // addcmul: x = a, then (b · c) · v, rounded step by step
              const v = load<f32>(w, 24), vv = f32x4.splat(v);
              for (; i + 4 <= n; i += 4) {
                const o = <usize>i << 2;
                v128.store(out + o, f32x4.add(v128.load(pa + o), f32x4.mul(f32x4.mul(v128.load(pb + o), v128.load(pc + o)), vv)));
              }
              for (; i < n; i++) store<f32>(out + (<usize>i << 2), load<f32>(pa + (<usize>i << 2)) + load<f32>(pb + (<usize>i << 2)) * load<f32>(pc + (<usize>i << 2)) * v);
            }
          }
        }
        if (k < nInstr - 1) store<usize>(ptrs + (<usize>dst << 2), out);
      }
    }
  }
}
