import { allocate } from '../../dtype.js';
import type { PrimAttrs } from '../../primitives.js';
import { sizeOf, stridesOf } from '../../shape.js';
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
  const KB = 256;
  for (let i = 0; i < m; i++) {
    acc.fill(0);
    const aRow = aOff + i * k;
    for (let k0 = 0; k0 < k; k0 += KB) {
      const k1 = Math.min(k, k0 + KB);
      for (let p = k0; p < k1; p++) {
        const a = A[aRow + p]!;
        if (a === 0) continue;
        const bRow = bOff + p * n;
        for (let j = 0; j < n; j++) acc[j] += a * B[bRow + j]!;
      }
    }
    const cRow = cOff + i * n;
    for (let j = 0; j < n; j++) C[cRow + j] = acc[j]!;
  }
}

/** Copies the transpose of a [rows, cols] panel into a new [cols, rows] array. */
export function transposePanel(src: ArrayLike<number>, off: number, rows: number, cols: number): Float32Array {
  const out = new Float32Array(rows * cols);
  for (let r = 0; r < rows; r++) for (let c = 0; c < cols; c++) out[c * rows + r] = src[off + r * cols + c]!;
  return out;
}

export function matmul(inputs: readonly Tensor[], attrs: PrimAttrs['matmul']): Tensor {
  const [a, b] = inputs as [Tensor, Tensor];
  const ra = a.rank, rb = b.rank;
  const m = attrs.transposeA ? a.shape[ra - 1]! : a.shape[ra - 2]!;
  const k = attrs.transposeA ? a.shape[ra - 2]! : a.shape[ra - 1]!;
  const n = attrs.transposeB ? b.shape[rb - 2]! : b.shape[rb - 1]!;
  const aBatch = a.shape.slice(0, ra - 2);
  const bBatch = b.shape.slice(0, rb - 2);
  const rank = Math.max(aBatch.length, bBatch.length);
  const batch: number[] = [];
  for (let i = 0; i < rank; i++) {
    const da = aBatch[aBatch.length - rank + i] ?? 1;
    const db = bBatch[bBatch.length - rank + i] ?? 1;
    batch.push(da === 1 ? db : da);
  }
  const nb = sizeOf(batch);
  const out = new Float32Array(nb * m * n);
  const A = dataOf(a), B = dataOf(b);
  const aSt = stridesOf(aBatch), bSt = stridesOf(bBatch);
  const bStr = stridesOf(batch);
  for (let bi = 0; bi < nb; bi++) {
    // map the output batch index to the (broadcast) operand batch indices
    let ai = 0, bj = 0;
    for (let d = 0; d < rank; d++) {
      const id = Math.floor(bi / bStr[d]!) % batch[d]!;
      const da = d - (rank - aBatch.length), db = d - (rank - bBatch.length);
      if (da >= 0 && aBatch[da]! !== 1) ai += id * aSt[da]!;
      if (db >= 0 && bBatch[db]! !== 1) bj += id * bSt[db]!;
    }
    let aArr: ArrayLike<number> = A, aOff = ai * m * k;
    let bArr: ArrayLike<number> = B, bOff = bj * k * n;
    if (attrs.transposeA) { aArr = transposePanel(A, aOff, k, m); aOff = 0; }
    if (attrs.transposeB) { bArr = transposePanel(B, bOff, n, k); bOff = 0; }
    gemm(aArr, aOff, bArr, bOff, out, bi * m * n, m, k, n);
  }
  const dtype = a.dtype;
  const result = dtype === 'int32' ? allocate('int32', out.length) : out;
  if (result !== out) result.set(out);
  return fromHost(result, [...batch, m, n], dtype);
}
