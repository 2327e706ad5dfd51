import { matmulDims, operandBatchIndices } from '../../matmul-dims.js';
import { allocate } from '../../dtype.js';
import type { PrimAttrs } from '../../primitives.js';
import { dataOf, fromHost, type Tensor } from '../../tensor.js';

/**
 * C[m, n] += A[m, k] · B[k, n] on contiguous row-major panels (offsets into larger arrays).
 * i-k-j order with a float64 row accumulator: the inner loop streams a row of B and is the fastest
 * plain-JS form; k is blocked so the touched rows of B stay in cache.
 */
export function gemm(
  A: ArrayLike<number>, aOff: number,
  B: ArrayLike<number>, bOff: number,
  C: Float32Array, cOff: number,
  m: number, k: number, n: number,
): void {
  const acc = new Float64Array(n);
  // NOTE: a zero a[i, p] may skip row p of B only when that row is finite: 0·NaN and 0·±∞ are NaN
  // (IEEE), so skipping would hide them. Each row's finiteness is found once, on first need
  // (0 unknown, 1 finite, 2 not), so dense inputs pay nothing and sparse ones one pass over B.
  const rowState = new Uint8Array(k);
  const KB = 256;
  for (let i = 0; i < m; i++) {
    acc.fill(0);
    const aRow = aOff + i * k;
    for (let k0 = 0; k0 < k; k0 += KB) {
      const k1 = Math.min(k, k0 + KB);
      for (let p = k0; p < k1; p++) {
        const a = A[aRow + p]!;
        const bRow = bOff + p * n;
        if (a === 0) {
          let st = rowState[p]!;
          if (st === 0) rowState[p] = st = rowIsFinite(B, bRow, n) ? 1 : 2;
          if (st === 1) continue;
        }
        for (let j = 0; j < n; j++) acc[j] += a * B[bRow + j]!;
      }
    }
    const cRow = cOff + i * n;
    for (let j = 0; j < n; j++) C[cRow + j] = acc[j]!;
  }
}

function rowIsFinite(B: ArrayLike<number>, off: number, n: number): boolean {
  // v − v is 0 for finite v and NaN for NaN and ±∞
  for (let j = off; j < off + n; j++) {
    const v = B[j]!;
    if (v - v !== 0) return false;
  }
  return true;
}

/** Copies the transpose of a [rows, cols] panel into a new [cols, rows] array. */
export function transposePanel(src: ArrayLike<number>, off: number, rows: number, cols: number): Float32Array {
  const out = new Float32Array(rows * cols);
  for (let r = 0; r < rows; r++) for (let c = 0; c < cols; c++) out[c * rows + r] = src[off + r * cols + c]!;
  return out;
}

export function matmul(inputs: readonly Tensor[], attrs: PrimAttrs['matmul']): Tensor {
  const [a, b] = inputs as [Tensor, Tensor];
  const D = matmulDims(a.shape, b.shape, attrs);
  const { m, k, n, nb } = D;
  const out = new Float32Array(nb * m * n);
  const A = dataOf(a), B = dataOf(b);
  const idx = operandBatchIndices(D);
  for (let bi = 0; bi < nb; bi++) {
    const ai = idx.a[bi]!, bj = idx.b[bi]!;
    let aArr: ArrayLike<number> = A, aOff = ai * m * k;
    let bArr: ArrayLike<number> = B, bOff = bj * k * n;
    if (attrs.transposeA) { aArr = transposePanel(A, aOff, k, m); aOff = 0; }
    if (attrs.transposeB) { bArr = transposePanel(B, bOff, n, k); bOff = 0; }
    gemm(aArr, aOff, bArr, bOff, out, bi * m * n, m, k, n);
  }
  const dtype = a.dtype;
  const result = dtype === 'int32' ? allocate('int32', out.length) : out;
  if (result !== out) result.set(out);
  return fromHost(result, [...D.outShape], dtype);
}
