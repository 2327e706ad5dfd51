import { allocate } from '../../dtype.js';
import type { PrimAttrs } from '../../primitives.js';
import { sizeOf, stridesOf } from '../../shape.js';
import { dataOf, fromHost, type Tensor } from '../../tensor.js';

export function reshape(inputs: readonly Tensor[], attrs: PrimAttrs['reshape']): Tensor {
  const x = inputs[0]!;
  // Tensors are immutable, so the new tensor can share the storage.
  return fromHost(dataOf(x), attrs.shape, x.dtype);
}

export function broadcastTo(inputs: readonly Tensor[], attrs: PrimAttrs['broadcastTo']): Tensor {
  const x = inputs[0]!;
  const n = sizeOf(attrs.shape);
  const out = allocate(x.dtype, n);
  const src = dataOf(x);
  if (x.size === 1) out.fill(src[0] ?? 0);
  else {
    // A strided copy whose broadcast axes have stride 0 (no index array, fills for runs of them).
    const rank = attrs.shape.length;
    const inStr = stridesOf(x.shape);
    const st = new Array<number>(rank).fill(0);
    for (let i = 0; i < x.rank; i++) st[rank - x.rank + i] = x.shape[i] === 1 ? 0 : inStr[i]!;
    stridedCopy(src, out, attrs.shape, st, 0);
  }
  return fromHost(out, attrs.shape, x.dtype);
}

/**
 * Generic strided copy: out[i0..ik] = src[offset + sum(i_j * st_j)]. Used by transpose and slice.
 * The innermost axis runs as a tight loop.
 */
function stridedCopy(src: ArrayLike<number>, out: Int32Array | Float32Array, shape0: readonly number[], st0: readonly number[], offset: number): void {
  const n = out.length;
  if (n === 0) return;
  if (shape0.length === 0) {
    out[0] = src[offset]!;
    return;
  }
  // Merge neighbouring axes that walk the source as one (contiguous runs, runs of broadcast axes).
  const shape: number[] = [shape0[0]!];
  const st: number[] = [st0[0]!];
  for (let a = 1; a < shape0.length; a++) {
    const last = shape.length - 1;
    if (st[last] === st0[a]! * shape0[a]!) {
      shape[last] = shape[last]! * shape0[a]!;
      st[last] = st0[a]!;
    } else {
      shape.push(shape0[a]!);
      st.push(st0[a]!);
    }
  }
  const rank = shape.length;
  const inner = shape[rank - 1]!;
  const innerSt = st[rank - 1]!;
  const typed = ArrayBuffer.isView(src) ? (src as unknown as Float32Array) : null;
  const counter = new Array<number>(rank).fill(0);
  let base = offset;
  for (let o = 0; o < n; o += inner) {
    if (innerSt === 0) out.fill(src[base]!, o, o + inner);
    else if (innerSt === 1 && typed && typed.constructor === out.constructor) out.set(typed.subarray(base, base + inner), o);
    else if (innerSt === 1) for (let j = 0; j < inner; j++) out[o + j] = src[base + j]!;
    else for (let j = 0; j < inner; j++) out[o + j] = src[base + j * innerSt]!;
    for (let ax = rank - 2; ax >= 0; ax--) {
      counter[ax]!++;
      base += st[ax]!;
      if (counter[ax]! < shape[ax]!) break;
      base -= st[ax]! * shape[ax]!;
      counter[ax] = 0;
    }
  }
}

export function transpose(inputs: readonly Tensor[], attrs: PrimAttrs['transpose']): Tensor {
  const x = inputs[0]!;
  const inSt = stridesOf(x.shape);
  const shape = attrs.perm.map((p) => x.shape[p]!);
  const st = attrs.perm.map((p) => inSt[p]!);
  const out = allocate(x.dtype, x.size);
  stridedCopy(dataOf(x), out, shape, st, 0);
  return fromHost(out, shape, x.dtype);
}

/**
 * The mirror of stridedCopy: out[origin + Σ idx·st] = src[flat idx] over `shape0` (src contiguous).
 * Size-1 axes are dropped and neighbouring axes that step through `out` as one are merged, so the
 * inner loop runs as long as it can (pad's interior, also the 5-D interleave of a strided slice's
 * adjoint, whose last axis has one element).
 */
function stridedScatter(src: ArrayLike<number>, out: Int32Array | Float32Array, shape0: readonly number[], st0: readonly number[], origin: number): void {
  const n = src.length;
  if (n === 0) return;
  const shape: number[] = [];
  const st: number[] = [];
  for (let a = 0; a < shape0.length; a++) {
    const d = shape0[a]!;
    if (d === 1) continue;
    const last = shape.length - 1;
    if (last >= 0 && st[last] === st0[a]! * d) {
      shape[last] = shape[last]! * d;
      st[last] = st0[a]!;
    } else {
      shape.push(d);
      st.push(st0[a]!);
    }
  }
  if (shape.length === 0) {
    out[origin] = src[0]!;
    return;
  }
  const rank = shape.length;
  const inner = shape[rank - 1]!;
  const innerSt = st[rank - 1]!;
  const typed = ArrayBuffer.isView(src) && src.constructor === out.constructor ? (src as unknown as Float32Array) : null;
  const counter = new Array<number>(rank).fill(0);
  let base = origin;
  for (let o = 0; o < n; o += inner) {
    if (innerSt === 1 && typed) out.set(typed.subarray(o, o + inner), base);
    else for (let j = 0; j < inner; j++) out[base + j * innerSt] = src[o + j]!;
    for (let ax = rank - 2; ax >= 0; ax--) {
      counter[ax]!++;
      base += st[ax]!;
      if (counter[ax]! < shape[ax]!) break;
      base -= st[ax]! * shape[ax]!;
      counter[ax] = 0;
    }
  }
}

export function slice(inputs: readonly Tensor[], attrs: PrimAttrs['slice']): Tensor {
  const x = inputs[0]!;
  const inSt = stridesOf(x.shape);
  let offset = 0;
  for (let i = 0; i < inSt.length; i++) offset += attrs.start[i]! * inSt[i]!;
  const st = inSt.map((s, i) => s * attrs.step[i]!);
  const out = allocate(x.dtype, sizeOf(attrs.shape));
  stridedCopy(dataOf(x), out, attrs.shape, st, offset);
  return fromHost(out, attrs.shape, x.dtype);
}

export function pad(inputs: readonly Tensor[], attrs: PrimAttrs['pad']): Tensor {
  const x = inputs[0]!;
  const shape = x.shape.map((d, i) => d + attrs.pads[i]![0] + attrs.pads[i]![1]);
  const out = allocate(x.dtype, sizeOf(shape));
  if (attrs.value !== 0) out.fill(attrs.value);
  if (x.size === 0) return fromHost(out, shape, x.dtype);
  // Copy x into the interior.
  const outSt = stridesOf(shape);
  const rank = x.shape.length;
  if (rank === 0) {
    out[0] = dataOf(x)[0]!;
    return fromHost(out, shape, x.dtype);
  }
  let origin = 0;
  for (let i = 0; i < rank; i++) origin += attrs.pads[i]![0] * outSt[i]!;
  stridedScatter(dataOf(x), out, x.shape, outSt, origin);
  return fromHost(out, shape, x.dtype);
}

export function concat(inputs: readonly Tensor[], attrs: PrimAttrs['concat']): Tensor {
  const first = inputs[0]!;
  const axis = attrs.axis;
  const shape = [...first.shape];
  shape[axis] = inputs.reduce((s, t) => s + t.shape[axis]!, 0);
  const out = allocate(first.dtype, sizeOf(shape));
  const outer = sizeOf(shape.slice(0, axis));
  const innerOut = sizeOf(shape.slice(axis));
  let col = 0;
  for (const t of inputs) {
    const src = dataOf(t);
    const innerIn = sizeOf(t.shape.slice(axis));
    for (let o = 0; o < outer; o++) out.set(src.subarray(o * innerIn, (o + 1) * innerIn), o * innerOut + col);
    col += innerIn;
  }
  return fromHost(out, shape, first.dtype);
}

export function gather(inputs: readonly Tensor[], attrs: PrimAttrs['gather']): Tensor {
  const [x, indices] = inputs as [Tensor, Tensor];
  const axis = attrs.axis;
  const outer = sizeOf(x.shape.slice(0, axis));
  const dim = x.shape[axis]!;
  const inner = sizeOf(x.shape.slice(axis + 1));
  const idx = dataOf(indices);
  const shape = [...x.shape.slice(0, axis), ...indices.shape, ...x.shape.slice(axis + 1)];
  const out = allocate(x.dtype, sizeOf(shape));
  const src = dataOf(x);
  const k = idx.length;
  for (let o = 0; o < outer; o++)
    for (let j = 0; j < k; j++) {
      const from = (o * dim + idx[j]!) * inner;
      out.set(src.subarray(from, from + inner), (o * k + j) * inner);
    }
  return fromHost(out, shape, x.dtype);
}

export function scatterAdd(inputs: readonly Tensor[], attrs: PrimAttrs['scatterAdd']): Tensor {
  const [updates, indices] = inputs as [Tensor, Tensor];
  const axis = attrs.axis;
  const k = indices.size;
  const outer = sizeOf(updates.shape.slice(0, axis));
  const inner = sizeOf(updates.shape.slice(axis + indices.rank));
  const shape = [...updates.shape.slice(0, axis), attrs.size, ...updates.shape.slice(axis + indices.rank)];
  const out = allocate(updates.dtype, sizeOf(shape));
  const src = dataOf(updates);
  const idx = dataOf(indices);
  for (let o = 0; o < outer; o++)
    for (let j = 0; j < k; j++) {
      const to = (o * attrs.size + idx[j]!) * inner;
      const from = (o * k + j) * inner;
      for (let i = 0; i < inner; i++) out[to + i] = out[to + i]! + src[from + i]!;
    }
  return fromHost(out, shape, updates.dtype);
}
