// Batched matmul entry points, called once per chunk by the fork-join pool (see
// src/backends/wasm/threads.ts): phase 1 packs every distinct B, phase 2 computes C tiles.
import { KC, MR, NR, gemmTile, packB, packedBSize, packedWidth } from './gemm';

/**
 * Phase 1. Packs columns of the distinct B matrices; chunk = (matrix, column-panel group).
 * `bOffs` holds nbB element offsets (i32) of the B matrices inside `b`.
 */
export function bmmPackB(
  b: usize, bOffs: usize, rsB: i32, csB: i32, k: i32, n: i32, dst: usize, panelsPerChunk: i32, chunksPerMatrix: i32,
  chunk: i32, _tid: i32,
): void {
  const bi = chunk / chunksPerMatrix, ci = chunk % chunksPerMatrix;
  const j0 = ci * panelsPerChunk * NR;
  const j1 = min(n, j0 + panelsPerChunk * NR);
  const src = b + (<usize>load<i32>(bOffs + (<usize>bi << 2)) << 2);
  packB(src, rsB, csB, k, n, j0, j1, dst + (<usize>bi * packedBSize(k, n) << 2));
}

/**
 * Phase 2. C[bi] = A[bi] * B[packIdx[bi]] on a grid of (batch, row block, column block) chunks.
 * `tables` holds nb i32 A offsets (elements) followed by nb i32 packed-B indices.
 */
export function bmmCompute(
  a: usize, tables: usize, nb: i32, rsA: i32, csA: i32, bp: usize, c: usize, m: i32, n: i32, k: i32,
  rowsPerChunk: i32, rowChunks: i32, colsPerChunk: i32, colChunks: i32, scratch: usize, scratchStride: i32,
  chunk: i32, tid: i32,
): void {
  const perBatch = rowChunks * colChunks;
  const bi = chunk / perBatch, r = chunk % perBatch;
  const m0 = (r / colChunks) * rowsPerChunk, n0 = (r % colChunks) * colsPerChunk;
  const m1 = min(m, m0 + rowsPerChunk), n1 = min(n, n0 + colsPerChunk);
  const aOff = <usize>load<i32>(tables + (<usize>bi << 2));
  const pIdx = <usize>load<i32>(tables + (<usize>(nb + bi) << 2));
  gemmTile(
    a + (aOff << 2), rsA, csA, bp + (pIdx * packedBSize(k, n) << 2), packedWidth(n),
    c + (<usize>bi * m * n << 2), n, k, m0, m1, n0, n1, false, scratch + <usize>tid * scratchStride,
  );
}

