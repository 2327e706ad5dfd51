// Float32 elementwise primitives. The JavaScript side collapses broadcasting into at most four
// axes with per-operand element strides (0 on broadcast axes); the innermost axis runs as a SIMD
// loop when the operands are contiguous or broadcast along it. Results equal the reference
// kernels bit for bit (IEEE add/sub/mul/div/sqrt round the same in float32 as via float64; max and
// min reproduce the reference's comparison order, NaN and signed-zero cases included), except exp
// and log: AssemblyScript's Mathf (musl's expf/logf, < 1 ulp) instead of a rounded float64 result.

// The op codes come from src/backends/wasm/opcodes.ts through the generated assembly/opcodes.ts.
import {
  OP_NEG, OP_ABS, OP_SQRT, OP_SIGN, OP_EXP, OP_UNARY_SIMD_END,
  OP_ADD, OP_SUB, OP_MUL, OP_DIV, OP_MAXIMUM, OP_MINIMUM, OP_EQ, OP_NE, OP_LT, OP_LE, OP_GT,
} from './opcodes';

@inline
export function unaryS(op: i32, a: f32): f32 {
  switch (op) {
    case OP_NEG: return -a;
    case OP_ABS: return abs<f32>(a);
    case OP_SQRT: return sqrt<f32>(a);
    case OP_SIGN: return a > 0 ? 1 : a < 0 ? -1 : a;
    case OP_EXP: return Mathf.exp(a);
    default: return Mathf.log(a); // OP_LOG
  }
}

/** y[i] = op(x[i]) for i in the chunk's range. */
export function unary(op: i32, x: usize, y: usize, n: i32, perChunk: i32, chunk: i32, _tid: i32): void {
  const i0 = chunk * perChunk, i1 = min(n, i0 + perChunk);
  let i = i0;
  if (op < OP_UNARY_SIMD_END) {
    const one = f32x4.splat(1), zero = f32x4.splat(0);
    for (; i + 4 <= i1; i += 4) {
      const a = v128.load(x + (<usize>i << 2));
      let r: v128;
      if (op == OP_NEG) r = f32x4.neg(a);
      else if (op == OP_ABS) r = f32x4.abs(a);
      else if (op == OP_SQRT) r = f32x4.sqrt(a);
      else {
        // sign: 1, -1, or a itself (keeps -0, +0 and NaN)
        const pos = f32x4.gt(a, zero), neg = f32x4.lt(a, zero);
        r = v128.bitselect(one, v128.bitselect(f32x4.neg(one), a, neg), pos);
      }
      v128.store(y + (<usize>i << 2), r);
    }
  }
  for (; i < i1; i++) store<f32>(y + (<usize>i << 2), unaryS(op, load<f32>(x + (<usize>i << 2))));
}

@inline
export function binaryV(op: i32, a: v128, b: v128): v128 {
  const one = f32x4.splat(1);
  switch (op) {
    case OP_ADD: return f32x4.add(a, b);
    case OP_SUB: return f32x4.sub(a, b);
    case OP_MUL: return f32x4.mul(a, b);
    case OP_DIV: return f32x4.div(a, b);
    // reference: a > b || a is NaN ? a : b
    case OP_MAXIMUM: return v128.bitselect(a, b, v128.or(f32x4.gt(a, b), f32x4.ne(a, a)));
    case OP_MINIMUM: return v128.bitselect(a, b, v128.or(f32x4.lt(a, b), f32x4.ne(a, a)));
    case OP_EQ: return v128.and(f32x4.eq(a, b), one);
    case OP_NE: return v128.and(f32x4.ne(a, b), one);
    case OP_LT: return v128.and(f32x4.lt(a, b), one);
    case OP_LE: return v128.and(f32x4.le(a, b), one);
    case OP_GT: return v128.and(f32x4.gt(a, b), one);
    default: return v128.and(f32x4.ge(a, b), one); // OP_GE
  }
}

@inline
export function binaryS(op: i32, a: f32, b: f32): f32 {
  switch (op) {
    case OP_ADD: return a + b;
    case OP_SUB: return a - b;
    case OP_MUL: return a * b;
    case OP_DIV: return a / b;
    case OP_MAXIMUM: return a > b || a != a ? a : b;
    case OP_MINIMUM: return a < b || a != a ? a : b;
    case OP_EQ: return a == b ? 1 : 0;
    case OP_NE: return a != b ? 1 : 0;
    case OP_LT: return a < b ? 1 : 0;
    case OP_LE: return a <= b ? 1 : 0;
    case OP_GT: return a > b ? 1 : 0;
    default: return a >= b ? 1 : 0; // OP_GE
  }
}

/** One innermost run of `n` outputs; sa/sb are the operands' element strides along it (0 or 1 use SIMD). */
@inline
function binaryRun(op: i32, a: usize, sa: i32, b: usize, sb: i32, y: usize, n: i32): void {
  let i = 0;
  if (sa == 1 && sb == 1) {
    for (; i + 4 <= n; i += 4) {
      const o = <usize>i << 2;
      v128.store(y + o, binaryV(op, v128.load(a + o), v128.load(b + o)));
    }
  } else if (sa == 0 && sb == 1) {
    const va = v128.load32_splat(a);
    for (; i + 4 <= n; i += 4) {
      const o = <usize>i << 2;
      v128.store(y + o, binaryV(op, va, v128.load(b + o)));
    }
  } else if (sa == 1 && sb == 0) {
    const vb = v128.load32_splat(b);
    for (; i + 4 <= n; i += 4) {
      const o = <usize>i << 2;
      v128.store(y + o, binaryV(op, v128.load(a + o), vb));
    }
  }
  for (; i < n; i++)
    store<f32>(y + (<usize>i << 2), binaryS(op, load<f32>(a + (<usize>(i * sa) << 2)), load<f32>(b + (<usize>(i * sb) << 2))));
}

/**
 * y = op(a, b) over a rank-4 iteration space `dims` (i32 x4 at `dp`) with operand strides
 * (i32 x4 at `sap`, `sbp`); chunk = a range of the d0*d1*d2 outer rows.
 */
export function binary(op: i32, a: usize, sap: usize, b: usize, sbp: usize, y: usize, dp: usize, rowsPerChunk: i32, chunk: i32, _tid: i32): void {
  const d1 = load<i32>(dp, 4), d2 = load<i32>(dp, 8), d3 = load<i32>(dp, 12);
  const rows = load<i32>(dp) * d1 * d2;
  const sa3 = load<i32>(sap, 12), sb3 = load<i32>(sbp, 12);
  const r0 = chunk * rowsPerChunk, r1 = min(rows, r0 + rowsPerChunk);
  for (let r = r0; r < r1; r++) {
    const i2 = r % d2, i1 = (r / d2) % d1, i0 = r / d2 / d1;
    binaryRun(op, rowAt(a, sap, i0, i1, i2), sa3, rowAt(b, sbp, i0, i1, i2), sb3, y + (<usize>(r * d3) << 2), d3);
  }
}

/** Byte address of row (i0, i1, i2) of an operand at `base` whose i32 x4 strides are at `sp`. */
@inline
function rowAt(base: usize, sp: usize, i0: i32, i1: i32, i2: i32): usize {
  return base + (<usize>(i0 * load<i32>(sp) + i1 * load<i32>(sp, 4) + i2 * load<i32>(sp, 8)) << 2);
}

/** y = c != 0 ? a : b over the same rank-4 scheme (three stride vectors at sp: c, a, b). */
export function select(c: usize, a: usize, b: usize, sp: usize, y: usize, dp: usize, rowsPerChunk: i32, chunk: i32, _tid: i32): void {
  const d1 = load<i32>(dp, 4), d2 = load<i32>(dp, 8), d3 = load<i32>(dp, 12);
  const rows = load<i32>(dp) * d1 * d2;
  const r0 = chunk * rowsPerChunk, r1 = min(rows, r0 + rowsPerChunk);
  const sc3 = load<i32>(sp, 12), sa3 = load<i32>(sp, 28), sb3 = load<i32>(sp, 44);
  const zero = f32x4.splat(0);
  for (let r = r0; r < r1; r++) {
    const i2 = r % d2, i1 = (r / d2) % d1, i0 = r / d2 / d1;
    const cp = rowAt(c, sp, i0, i1, i2), ap = rowAt(a, sp + 16, i0, i1, i2), bp = rowAt(b, sp + 32, i0, i1, i2);
    const yp = y + (<usize>(r * d3) << 2);
    let i = 0;
    if (sc3 == 1 && sa3 <= 1 && sb3 <= 1) {
      const va = v128.load32_splat(ap), vb = v128.load32_splat(bp);
      for (; i + 4 <= d3; i += 4) {
        const o = <usize>i << 2;
        const m = f32x4.ne(v128.load(cp + o), zero);
        const x = sa3 == 1 ? v128.load(ap + o) : va;
        const z = sb3 == 1 ? v128.load(bp + o) : vb;
        v128.store(yp + o, v128.bitselect(x, z, m));
      }
    }
    for (; i < d3; i++) {
      const cv = load<f32>(cp + (<usize>(i * sc3) << 2));
      store<f32>(yp + (<usize>i << 2), cv != 0 ? load<f32>(ap + (<usize>(i * sa3) << 2)) : load<f32>(bp + (<usize>(i * sb3) << 2)));
    }
  }
}

/**
 * y = x + (a · b) · v over the same rank-4 scheme (three stride vectors at sp: x, a, b), each
 * product and the sum rounded to f32 (exactly add(x, mul(mul(a, b), v)), never a fused FMA).
 */
export function addcmul(x: usize, a: usize, b: usize, sp: usize, y: usize, dp: usize, v: f32, rowsPerChunk: i32, chunk: i32, _tid: i32): void {
  const d1 = load<i32>(dp, 4), d2 = load<i32>(dp, 8), d3 = load<i32>(dp, 12);
  const rows = load<i32>(dp) * d1 * d2;
  const r0 = chunk * rowsPerChunk, r1 = min(rows, r0 + rowsPerChunk);
  const sx3 = load<i32>(sp, 12), sa3 = load<i32>(sp, 28), sb3 = load<i32>(sp, 44);
  const vv = f32x4.splat(v);
  for (let r = r0; r < r1; r++) {
    const i2 = r % d2, i1 = (r / d2) % d1, i0 = r / d2 / d1;
    const xp = rowAt(x, sp, i0, i1, i2), ap = rowAt(a, sp + 16, i0, i1, i2), bp = rowAt(b, sp + 32, i0, i1, i2);
    const yp = y + (<usize>(r * d3) << 2);
    let i = 0;
    if (sx3 <= 1 && sa3 <= 1 && sb3 <= 1) {
      const vx = v128.load32_splat(xp), va = v128.load32_splat(ap), vb = v128.load32_splat(bp);
      for (; i + 4 <= d3; i += 4) {
        const o = <usize>i << 2;
        const p = f32x4.mul(f32x4.mul(sa3 == 1 ? v128.load(ap + o) : va, sb3 == 1 ? v128.load(bp + o) : vb), vv);
        v128.store(yp + o, f32x4.add(sx3 == 1 ? v128.load(xp + o) : vx, p));
      }
    }
    for (; i < d3; i++) {
      const p = load<f32>(ap + (<usize>(i * sa3) << 2)) * load<f32>(bp + (<usize>(i * sb3) << 2)) * v;
      store<f32>(yp + (<usize>i << 2), load<f32>(xp + (<usize>(i * sx3) << 2)) + p);
    }
  }
}
