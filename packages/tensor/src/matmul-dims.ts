import type { PrimAttrs } from './primitives.js';
import { sizeOf, stridesOf } from './shape.js';

/** The dimensions of one (batched, broadcast) matmul application, shared by every backend. */
export interface MatmulDims {
  readonly m: number; readonly k: number; readonly n: number;
  /** batch axes of each operand and of the output (broadcast NumPy-style) */
  readonly aBatch: readonly number[]; readonly bBatch: readonly number[]; readonly batch: readonly number[];
  /** output batch elements */
  readonly nb: number;
  readonly outShape: readonly number[];
}

/** `a` [..., m, k] (or [..., k, m] with transposeA), `b` [..., k, n] (or [..., n, k]); both rank ≥ 2. */
export function matmulDims(aShape: readonly number[], bShape: readonly number[], attrs: PrimAttrs['matmul']): MatmulDims {
  const ra = aShape.length, rb = bShape.length;
  const m = attrs.transposeA ? aShape[ra - 1]! : aShape[ra - 2]!;
  const k = attrs.transposeA ? aShape[ra - 2]! : aShape[ra - 1]!;
  const n = attrs.transposeB ? bShape[rb - 2]! : bShape[rb - 1]!;
  const aBatch = aShape.slice(0, ra - 2), bBatch = bShape.slice(0, rb - 2);
  const rank = Math.max(aBatch.length, bBatch.length);
  const batch: number[] = [];
  for (let i = 0; i < rank; i++) {
    const da = aBatch[aBatch.length - rank + i] ?? 1, db = bBatch[bBatch.length - rank + i] ?? 1;
    batch.push(da === 1 ? db : da);
  }
  return { m, k, n, aBatch, bBatch, batch, nb: sizeOf(batch), outShape: [...batch, m, n] };
}

/** For every output batch element, the batch element of `a` and of `b` it reads (broadcast axes give 0). */
export function operandBatchIndices(d: MatmulDims): { readonly a: Int32Array; readonly b: Int32Array } {
  const { aBatch, bBatch, batch, nb } = d;
  const rank = batch.length;
  const a = new Int32Array(nb), b = new Int32Array(nb);
  const aSt = stridesOf(aBatch), bSt = stridesOf(bBatch), oSt = stridesOf(batch);
  for (let bi = 0; bi < nb; bi++) {
    let ai = 0, bj = 0;
    for (let x = 0; x < rank; x++) {
      const id = Math.floor(bi / oSt[x]!) % batch[x]!;
      const da = x - (rank - aBatch.length), db = x - (rank - bBatch.length);
      if (da >= 0 && aBatch[da] !== 1) ai += id * aSt[da]!;
      if (db >= 0 && bBatch[db] !== 1) bj += id * bSt[db]!;
    }
    a[bi] = ai;
    b[bi] = bj;
  }
  return { a, b };
}
