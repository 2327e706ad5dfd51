import { matmulDims, operandBatchIndices } from '../../../matmul-dims.js';
import type { PrimAttrs } from '../../../primitives.js';
import { sizeOf } from '../../../shape.js';
import { dataOf, fromHost, type Tensor } from '../../../tensor.js';
import type { WasmRuntime } from '../runtime.js';

const MR = 5;
const NR = 8;

const ceilDiv = (a: number, b: number) => Math.floor((a + b - 1) / b);

/**
 * Batched matmul with NumPy batch broadcasting. Phase 1 packs each distinct B once (chunks over
 * column panels); phase 2 runs the 5x8 SIMD micro-kernel over (batch, row block, column block)
 * chunks. Transposed operands are handled by the packing strides, so no transpose is materialised.
 */
export function matmulKernel(rt: WasmRuntime) {
  return (inputs: readonly Tensor[], attrs: PrimAttrs['matmul']): Tensor => {
    const [a, b] = inputs as [Tensor, Tensor];
    const D = matmulDims(a.shape, b.shape, attrs);
    const { m, k, n, nb, bBatch } = D;
    const ta = attrs.transposeA, tb = attrs.transposeB;
    const outShape = [...D.outShape];
    if (nb * m * n === 0) return fromHost(new Float32Array(0), outShape, 'float32');
    // operand batch index of every output batch element (broadcast axes contribute 0)
    const idx = operandBatchIndices(D);
    const aIdx = idx.a.map((ai) => ai * m * k), bIdx = idx.b;
    const nbB = sizeOf(bBatch);
    if (m === 1 || n === 1) return matvec(rt, a, b, attrs, { m, k, n, nb, aIdx, bIdx, outShape });
    const ex = rt.exports;
    const mark = rt.begin((a.size + b.size + nb * m * n) * 4, 2 * nb * m * n * k);
    try {
      const pa = rt.input(dataOf(a));
      const pb = rt.input(dataOf(b));
      const pc = rt.output(nb * m * n * 4);
      const bOffs = rt.putInts(Array.from({ length: nbB }, (_, i) => i * k * n));
      const tables = rt.alloc(nb * 8);
      rt.i32.set(aIdx, tables >>> 2);
      rt.i32.set(bIdx, (tables >>> 2) + nb);
      const packed = rt.alloc(nbB * ex.packedBSize(k, n) * 4);
      const scratchStride = ex.tileScratchSize() * 4;
      const scratch = rt.alloc(rt.threads * scratchStride);
      const flops = 2 * nb * m * n * k;
      const parallel = rt.threads > 1 && flops >= rt.minParallelWork;
      // fine row blocks: a thread that starts late or is preempted leaves at most one small block as a tail
      const target = parallel ? 8 * rt.threads : 1;
      // phase 1: pack B
      const panels = ceilDiv(n, NR);
      const packChunks = parallel ? Math.min(panels, ceilDiv(target, nbB)) : 1;
      const panelsPerChunk = ceilDiv(panels, packChunks);
      const chunksPerMatrix = ceilDiv(panels, panelsPerChunk);
      const rsB = tb ? 1 : n, csB = tb ? k : 1;
      rt.run('bmmPackB', [pb, bOffs, rsB, csB, k, n, packed, panelsPerChunk, chunksPerMatrix], nbB * chunksPerMatrix, flops);
      // phase 2: C tiles
      const perBatch = parallel ? ceilDiv(target, nb) : 1;
      const rowPanels = ceilDiv(m, MR);
      const rowChunks = Math.min(rowPanels, perBatch);
      const rowsPerChunk = ceilDiv(rowPanels, rowChunks) * MR;
      const colChunks = Math.min(panels, ceilDiv(perBatch, ceilDiv(m, rowsPerChunk)));
      const colsPerChunk = ceilDiv(panels, colChunks) * NR;
      const rC = ceilDiv(m, rowsPerChunk), cC = ceilDiv(n, colsPerChunk);
      const rsA = ta ? 1 : k, csA = ta ? m : 1;
      const out = rt.runTake(
        'bmmCompute',
        [pa, tables, nb, rsA, csA, packed, pc, m, n, k, rowsPerChunk, rC, colsPerChunk, cC, scratch, scratchStride],
        nb * rC * cC,
        flops,
        pc,
        nb * m * n,
      );
      return fromHost(out, outShape, 'float32');
    } finally {
      rt.release(mark);
    }
  };
}

interface Dims {
  readonly m: number;
  readonly k: number;
  readonly n: number;
  readonly nb: number;
  /** per output batch: element offset of A, batch index of B */
  readonly aIdx: Int32Array;
  readonly bIdx: Int32Array;
  readonly outShape: number[];
}

/**
 * One output row or column: out[i] = sum_p mat(i, p)·vec[p]. n = 1 takes mat = A and vec = the
 * column of B; m = 1 takes mat = Bᵀ and vec = the row of A (both vectors are contiguous in either
 * orientation). Chunks are blocks of outputs.
 */
function matvec(rt: WasmRuntime, a: Tensor, b: Tensor, attrs: PrimAttrs['matmul'], d: Dims): Tensor {
  const { m, k, n, nb } = d;
  const ta = attrs.transposeA, tb = attrs.transposeB;
  const byRows = n === 1; // mat = A
  const cnt = byRows ? m : n;
  // mat(i, p) strides: A(i, p) = a[i*rsA + p*csA]; Bᵀ(j, p) = B(p, j) = b[p*rsB + j*csB]
  const rs = byRows ? (ta ? 1 : k) : tb ? k : 1;
  const cs = byRows ? (ta ? m : 1) : tb ? 1 : n;
  const mark = rt.begin((a.size + b.size + nb * cnt) * 4, 2 * nb * cnt * k);
  try {
    const pa = rt.input(dataOf(a)), pb = rt.input(dataOf(b));
    const pc = rt.output(nb * cnt * 4);
    const tables = rt.alloc(nb * 8);
    const t = tables >>> 2;
    for (let bi = 0; bi < nb; bi++) {
      const aOff = d.aIdx[bi]!, bOff = d.bIdx[bi]! * k * n;
      rt.i32[t + bi] = byRows ? aOff : bOff;
      rt.i32[t + nb + bi] = byRows ? bOff : aOff;
    }
    const work = 2 * nb * cnt * k;
    const want = Math.max(1, Math.ceil(rt.chunks(nb * cnt, work) / nb));
    const perChunk = Math.max(16, Math.ceil(cnt / want / 16) * 16);
    const chunksPerBatch = Math.ceil(cnt / perChunk);
    const mat = byRows ? pa : pb, vec = byRows ? pb : pa;
    const out = rt.runTake('bmv', [mat, rs, cs, vec, tables, nb, pc, cnt, k, perChunk, chunksPerBatch], nb * chunksPerBatch, work, pc, nb * cnt);
    return fromHost(out, d.outShape, 'float32');
  } finally {
    rt.release(mark);
  }
}
