import type { PrimAttrs, Tensor } from '@ssam/tensor';
import { linear, strides, unravel } from '../codegen.js';
import type { GpuRuntime } from '../runtime.js';

/**
 * sum and max over any set of axes. One thread per output element walks the reduced elements in
 * ascending flat order. Long reductions split in two passes (chunks of about √R, then the chunk
 * partials), which keeps every thread's loop short and sums pairwise-ish for accuracy.
 */
export const SPLIT_ABOVE = 1024;

type Combine = 'sum' | 'max';

/** The accumulation step; NaN wins in max as in NumPy. */
const step = (op: Combine) => (op === 'sum' ? 'acc += v;' : 'if (v > acc || isNaN_(v) > 0.5) { acc = v; }');

/**
 * Source of a reduction of `shape` over `axes` into one value per kept-axes element, optionally
 * chunked: output index = o · chunks + chunk, each chunk covering `chunkLen` reduced elements.
 */
export function reduceSource(op: Combine, shape: readonly number[], axes: readonly number[], chunkLen: number, chunks: number): string {
  const st = strides(shape);
  const kept = shape.map((_, d) => d).filter((d) => !axes.includes(d));
  const keptShape = kept.map((d) => shape[d]!);
  const redShape = axes.map((d) => shape[d]!);
  const R = redShape.reduce((a, b) => a * b, 1);
  const contiguous = axes.every((a, i) => i === 0 || a === axes[i - 1]! + 1);
  const redOffset = axes.length === 0
    ? '0'
    : contiguous
    ? linear(['r'], [st[axes[axes.length - 1]!]!])
    : `${linear(axes.map((_, k) => `q${k}`), axes.map((d) => st[d]!))}`;
  const unravelR = contiguous ? '' : unravel('r', redShape, 'q');
  const base = linear(kept.map((_, k) => `k${k}`), kept.map((d) => st[d]!));
  const outIndex = chunks > 1 ? 'idiv(i, ' + chunks + ')' : 'i';
  const start = chunks > 1 ? `imod(i, ${chunks}) * ${chunkLen}` : '0';
  return `function(X) {
  const i = this.thread.x;
  const o = ${outIndex};
  ${unravel('o', keptShape, 'k')}
  const base = ${base};
  const r0 = ${start};
  let acc = 0;
  for (let j = 0; j < ${chunkLen}; j++) {
    const r = r0 + j;
    if (r >= ${R}) { break; }
    ${unravelR}
    const v = X[base + ${redOffset}];
    if (j == 0) { acc = v; } else { ${step(op)} }
  }
  return acc;
}`;
}

function reduceOnGpu(rt: GpuRuntime, op: Combine, x: Tensor, axes: readonly number[], outShape: readonly number[]): Tensor {
  const R = axes.reduce((a, d) => a * x.shape[d]!, 1);
  const nOut = outShape.reduce((a, b) => a * b, 1);
  const tag = `${op}|${x.shape.join('x')}|${axes.join(',')}`;
  if (R <= SPLIT_ABOVE) {
    return rt.launch(op, `${tag}|${outShape.join('x')}`, outShape, () => reduceSource(op, x.shape, axes, Math.max(R, 1), 1), [rt.textureOf(x)]);
  }
  const chunkLen = Math.ceil(Math.sqrt(R));
  const chunks = Math.ceil(R / chunkLen);
  const partial = rt.launch(op, `${tag}|chunks ${chunks}`, [nOut, chunks], () => reduceSource(op, x.shape, axes, chunkLen, chunks), [rt.textureOf(x)]);
  return reduceOnGpu(rt, op, partial, [1], outShape);
}

const reduce = (op: Combine) => (rt: GpuRuntime, ins: readonly Tensor[], attrs: PrimAttrs['sum']): Tensor => {
  const x = ins[0]!;
  const { axes, keepdims } = attrs;
  const outShape = keepdims ? x.shape.map((d, i) => (axes.includes(i) ? 1 : d)) : x.shape.filter((_, i) => !axes.includes(i));
  return reduceOnGpu(rt, op, x, axes, outShape);
};

export const sum = reduce('sum');
export const max = reduce('max');
