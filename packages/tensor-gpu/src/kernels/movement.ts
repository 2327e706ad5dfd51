import { Tensor, type PrimAttrs } from '@ssam/tensor';
import { linear, sizeOf, strides, unravel } from '../codegen.js';
import type { GpuRuntime } from '../runtime.js';

/**
 * Movement primitives as index kernels: each output element computes where it comes from. reshape
 * needs no kernel (the texture is shared: tensors are immutable).
 */

const dims = (s: readonly number[]) => s.join('x');
const coordNames = (n: number, p = 'c') => Array.from({ length: n }, (_, d) => `${p}${d}`);

/** A kernel reading X at a strided position: out[c] = X[offset + Σ c_d · coef_d]. */
function stridedSource(outShape: readonly number[], coefs: readonly number[], offset: number): string {
  return `function(X) {
  const i = this.thread.x;
  ${unravel('i', outShape, 'c', coefs.map((c) => c !== 0))}
  return X[${linear(coordNames(outShape.length), coefs, offset)}];
}`;
}

export function reshape(rt: GpuRuntime, ins: readonly Tensor[], attrs: PrimAttrs['reshape']): Tensor {
  const x = ins[0]!;
  if (rt.isResident(x)) return new Tensor(x.storage, attrs.shape, x.dtype);
  // A host tensor: move it to the GPU once (the upload is cached per storage) and share that.
  return new Tensor(rt.storageOf(x), attrs.shape, x.dtype);
}

export function transpose(rt: GpuRuntime, ins: readonly Tensor[], attrs: PrimAttrs['transpose']): Tensor {
  const x = ins[0]!;
  const st = strides(x.shape);
  const shape = attrs.perm.map((p) => x.shape[p]!);
  const coefs = attrs.perm.map((p) => st[p]!);
  return rt.launch('transpose', `transpose|${dims(x.shape)}|${attrs.perm.join(',')}`, shape, () => stridedSource(shape, coefs, 0), [rt.textureOf(x)]);
}

export function slice(rt: GpuRuntime, ins: readonly Tensor[], attrs: PrimAttrs['slice']): Tensor {
  const x = ins[0]!;
  const st = strides(x.shape);
  const offset = attrs.start.reduce((a, s, d) => a + s * st[d]!, 0);
  const coefs = st.map((s, d) => s * attrs.step[d]!);
  const key = `slice|${dims(x.shape)}|${attrs.start.join(',')}|${attrs.step.join(',')}|${dims(attrs.shape)}`;
  return rt.launch('slice', key, attrs.shape, () => stridedSource(attrs.shape, coefs, offset), [rt.textureOf(x)]);
}

/** The pad value is a uniform, so ±∞ and NaN pass unchanged and one kernel serves every value. */
export function pad(rt: GpuRuntime, ins: readonly Tensor[], attrs: PrimAttrs['pad']): Tensor {
  const x = ins[0]!;
  const shape = x.shape.map((d, i) => d + attrs.pads[i]![0] + attrs.pads[i]![1]);
  const st = strides(x.shape);
  const c = coordNames(shape.length);
  const inside = x.shape.map((d, k) => `${c[k]} >= ${attrs.pads[k]![0]} && ${c[k]} < ${attrs.pads[k]![0] + d}`);
  const src = () => `function(X, v) {
  const i = this.thread.x;
  ${unravel('i', shape, 'c')}
  if (${inside.length ? inside.join(' && ') : 'true'}) { return X[${linear(c, st, -x.shape.reduce((a, _, k) => a + attrs.pads[k]![0] * st[k]!, 0))}]; }
  return v;
}`;
  const key = `pad|${dims(x.shape)}|${JSON.stringify(attrs.pads)}`;
  return rt.launch('pad', key, shape, src, [rt.textureOf(x), attrs.value], { X: 'ArrayTexture(1)', v: 'Float' });
}

/** Parts per concat kernel: each is a sampler, and GL guarantees only 8 texture units. */
const CONCAT_PARTS = 6;

export function concat(rt: GpuRuntime, ins: readonly Tensor[], attrs: PrimAttrs['concat']): Tensor {
  if (ins.length > CONCAT_PARTS) {
    const head = concat(rt, ins.slice(0, CONCAT_PARTS), attrs);
    return concat(rt, [head, ...ins.slice(CONCAT_PARTS)], attrs);
  }
  const axis = attrs.axis;
  const first = ins[0]!;
  const shape = [...first.shape];
  shape[axis] = ins.reduce((s, t) => s + t.shape[axis]!, 0);
  const rowOut = sizeOf(shape.slice(axis));
  const names = ins.map((_, k) => `P${k}`);
  const src = () => {
    const lines: string[] = [];
    let col = 0;
    ins.forEach((t, k) => {
      const row = sizeOf(t.shape.slice(axis));
      if (row > 0) lines.push(`if (col < ${col + row}) { return ${names[k]}[o * ${row} + col - ${col}]; }`);
      col += row;
    });
    return `function(${names.join(', ')}) {
  const i = this.thread.x;
  const o = idiv(i, ${rowOut});
  const col = imod(i, ${rowOut});
  ${lines.join('\n  ')}
  return 0;
}`;
  };
  const key = `concat|${ins.map((t) => dims(t.shape)).join(',')}|${axis}`;
  return rt.launch('concat', key, shape, src, ins.map((t) => rt.textureOf(t)));
}

/** out[o, j, r] = x[o, idx[j], r] for outer o, flat index position j and inner r. */
export function gather(rt: GpuRuntime, ins: readonly Tensor[], attrs: PrimAttrs['gather']): Tensor {
  const [x, idx] = ins as [Tensor, Tensor];
  const axis = attrs.axis;
  const dim = x.shape[axis]!;
  const inner = sizeOf(x.shape.slice(axis + 1));
  const k = idx.size;
  const shape = [...x.shape.slice(0, axis), ...idx.shape, ...x.shape.slice(axis + 1)];
  const src = () => `function(X, I) {
  const i = this.thread.x;
  const r = imod(i, ${inner});
  const oj = idiv(i, ${inner});
  const j = imod(oj, ${k});
  const o = idiv(oj, ${k});
  return X[(o * ${dim} + toInt(I[j])) * ${inner} + r];
}`;
  const key = `gather|${dims(x.shape)}|${dims(idx.shape)}|${axis}`;
  return rt.launch('gather', key, shape, src, [rt.textureOf(x), rt.textureOf(idx)]);
}

/** out[o, s, r] = Σ_j [idx[j] = s] · updates[o, j, r]: each output element scans the indices. */
export function scatterAdd(rt: GpuRuntime, ins: readonly Tensor[], attrs: PrimAttrs['scatterAdd']): Tensor {
  const [u, idx] = ins as [Tensor, Tensor];
  const axis = attrs.axis;
  const k = idx.size;
  const inner = sizeOf(u.shape.slice(axis + idx.rank));
  const shape = [...u.shape.slice(0, axis), attrs.size, ...u.shape.slice(axis + idx.rank)];
  const src = () => `function(U, I) {
  const i = this.thread.x;
  const r = imod(i, ${inner});
  const os = idiv(i, ${inner});
  const s = imod(os, ${attrs.size});
  const o = idiv(os, ${attrs.size});
  let acc = 0;
  for (let j = 0; j < ${k}; j++) {
    if (toInt(I[j]) == s) { acc += U[(o * ${k} + j) * ${inner} + r]; }
  }
  return acc;
}`;
  const key = `scatterAdd|${dims(u.shape)}|${dims(idx.shape)}|${axis}|${attrs.size}`;
  return rt.launch('scatterAdd', key, shape, src, [rt.textureOf(u), rt.textureOf(idx)]);
}

/** float32 → float32 shares the texture; every cast involving int32 runs on the CPU (backend.ts). */
export function cast(_rt: GpuRuntime, ins: readonly Tensor[]): Tensor {
  const x = ins[0]!;
  return new Tensor(x.storage, x.shape, 'float32');
}
