import { matmulDims, type PrimAttrs, type Tensor } from '@ssam/tensor';
import { linear, strides, unravel } from '../codegen.js';
import type { GpuRuntime } from '../runtime.js';

/**
 * Batched matmul with broadcast batch dimensions: one thread per output element runs the dot
 * product over k; transposes only change the strides it reads with.
 */
export function matmul(rt: GpuRuntime, ins: readonly Tensor[], attrs: PrimAttrs['matmul']): Tensor {
  const [a, b] = ins as [Tensor, Tensor];
  const { m, k, n, aBatch, bBatch, batch, outShape } = matmulDims(a.shape, b.shape, attrs);
  const rank = batch.length;
  const shape = [...outShape];
  // Element strides of each operand along the output batch axes (0 where it broadcasts).
  const batchCoefs = (opBatch: readonly number[], panel: number) => {
    const st = strides(opBatch);
    return batch.map((_, d) => {
      const j = d - (rank - opBatch.length);
      return j < 0 || opBatch[j] === 1 ? 0 : st[j]! * panel;
    });
  };
  const aCoefs = batchCoefs(aBatch, m * k), bCoefs = batchCoefs(bBatch, k * n);
  // A[row, p] and B[p, col] strides for the stored (possibly transposed) panels.
  const [aRow, aP] = attrs.transposeA ? [1, m] : [k, 1];
  const [bP, bCol] = attrs.transposeB ? [1, k] : [n, 1];
  const bNames = batch.map((_, d) => `c${d}`);
  const src = () => `function(A, B) {
  const i = this.thread.x;
  const col = imod(i, ${n});
  const row = imod(idiv(i, ${n}), ${m});
  ${batch.length ? `const bi = idiv(i, ${m * n});\n  ${unravel('bi', batch, 'c')}` : ''}
  const a0 = ${linear([...bNames, 'row'], [...aCoefs, aRow])};
  const b0 = ${linear([...bNames, 'col'], [...bCoefs, bCol])};
  let acc = 0;
  for (let p = 0; p < ${k}; p++) {
    acc += A[a0 + p * ${aP}] * B[b0 + p * ${bP}];
  }
  return acc;
}`;
  const key = `matmul|${a.shape.join('x')}|${b.shape.join('x')}|${attrs.transposeA}|${attrs.transposeB}`;
  return rt.launch('matmul', key, shape, src, [rt.textureOf(a), rt.textureOf(b)]);
}
