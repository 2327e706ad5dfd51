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
 * The one strided move behind transpose, slice, broadcastTo and pad:
 * out[outOffset + Σ i_j·outSt_j] = src[srcOffset + Σ i_j·srcSt_j] over every index i of `shape0`.
 * Size-1 axes are dropped and neighbouring axes that step through both arrays as one are merged
 * (contiguous runs, runs of broadcast axes), so the inner loop runs as long as it can.
 */
function stridedMove(
  src: ArrayLike<number>, srcOffset: number, srcSt0: readonly number[],
  out: Int32Array | Float32Array, outOffset: number, outSt0: readonly number[], shape0: readonly number[],
): void {
  if (sizeOf(shape0) === 0) return;
  const shape: number[] = [], sst: number[] = [], ost: number[] = [];
  for (let a = 0; a < shape0.length; a++) {
    const d = shape0[a]!;
    if (d === 1) continue;
    const last = shape.length - 1;
    if (last >= 0 && sst[last] === srcSt0[a]! * d && ost[last] === outSt0[a]! * d) {
      shape[last] = shape[last]! * d;
      sst[last] = srcSt0[a]!;
      ost[last] = outSt0[a]!;
    } else {
      shape.push(d);
      sst.push(srcSt0[a]!);
      ost.push(outSt0[a]!);
    }
  }
  if (shape.length === 0) {
    out[outOffset] = src[srcOffset]!;
    return;
  }
  const rank = shape.length, inner = shape[rank - 1]!, si = sst[rank - 1]!, oi = ost[rank - 1]!;
  const typed = ArrayBuffer.isView(src) && src.constructor === out.constructor ? (src as unknown as Float32Array) : null;
  const counter = new Array<number>(rank).fill(0);
  let sb = srcOffset, ob = outOffset;
  for (let r = sizeOf(shape) / inner; r > 0; r--) {
    if (si === 0 && oi === 1) out.fill(src[sb]!, ob, ob + inner);
    else if (si === 1 && oi === 1 && typed) out.set(typed.subarray(sb, sb + inner), ob);
    else if (oi === 1) for (let j = 0; j < inner; j++) out[ob + j] = src[sb + j * si]!;
    else for (let j = 0; j < inner; j++) out[ob + j * oi] = src[sb + j * si]!;
    for (let ax = rank - 2; ax >= 0; ax--) {
      counter[ax]!++;
      sb += sst[ax]!;
      ob += ost[ax]!;
      if (counter[ax]! < shape[ax]!) break;
      sb -= sst[ax]! * shape[ax]!;
      ob -= ost[ax]! * shape[ax]!;
      counter[ax] = 0;
    }
  }
}

/** out (contiguous, shaped `shape`) = src read at `offset` with strides `st`: transpose, slice, broadcastTo. */
const stridedCopy = (src: ArrayLike<number>, out: Int32Array | Float32Array, shape: readonly number[], st: readonly number[], offset: number): void =>
  stridedMove(src, offset, st, out, 0, stridesOf(shape), shape);

export function transpose(inputs: readonly Tensor[], attrs: PrimAttrs['transpose']): Tensor {
  const x = inputs[0]!;
  const inSt = stridesOf(x.shape);
  const shape = attrs.perm.map((p) => x.shape[p]!);
  const st = attrs.perm.map((p) => inSt[p]!);
  const out = allocate(x.dtype, x.size);
  stridedCopy(dataOf(x), out, shape, st, 0);
  return fromHost(out, shape, x.dtype);
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
  stridedMove(dataOf(x), 0, stridesOf(x.shape), out, origin, outSt, x.shape);
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
