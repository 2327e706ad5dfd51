import { allocate } from '../../dtype.js';
import type { PrimAttrs } from '../../primitives.js';
import { sizeOf } from '../../shape.js';
import { dataOf, fromHost, type Tensor } from '../../tensor.js';

/**
 * Reductions view the input as [outer, reduced, inner] blocks after moving reduced axes together.
 * Contiguous reduced axes (the common case: trailing or leading) need no transpose. The
 * accumulation order is fixed: ascending flat index within each output element.
 */
function reduceKernel(init0: number, combine: 'sum' | 'max') {
  return (inputs: readonly Tensor[], attrs: PrimAttrs['sum']): Tensor => {
    let init = init0;
    const x = inputs[0]!;
    const { axes, keepdims } = attrs;
    const shape = x.shape;
    const outShapeKeep = shape.map((d, i) => (axes.includes(i) ? 1 : d));
    const outShape = keepdims ? outShapeKeep : shape.filter((_, i) => !axes.includes(i));
    const nOut = sizeOf(outShapeKeep);
    const out = allocate(x.dtype, nOut);
    const src = dataOf(x);
    // NOTE: an Int32Array turns -Infinity into 0; use the smallest int32 instead.
    if (x.dtype === 'int32' && init === -Infinity) init = -2147483648;
    if (x.size === 0) {
      out.fill(init);
      return fromHost(out, outShape, x.dtype);
    }
    // Generic strided walk: for each input element add into its output slot. Output index
    // computed incrementally with per-axis output strides (0 on reduced axes).
    const rank = shape.length;
    const outStr = new Array<number>(rank).fill(0);
    {
      let s = 1;
      for (let i = rank - 1; i >= 0; i--) {
        if (!axes.includes(i)) {
          outStr[i] = s;
          s *= shape[i]!;
        }
      }
    }
    out.fill(init);
    const inner = shape[rank - 1] ?? 1;
    const innerSt = outStr[rank - 1] ?? 0;
    const counter = new Array<number>(rank).fill(0);
    let base = 0;
    const n = x.size;
    if (combine === 'sum') {
      for (let o = 0; o < n; o += inner) {
        if (innerSt === 0) {
          let acc = out[base]!;
          for (let j = 0; j < inner; j++) acc += src[o + j]!;
          out[base] = acc;
        } else for (let j = 0; j < inner; j++) out[base + j] = out[base + j]! + src[o + j]!;
        for (let ax = rank - 2; ax >= 0; ax--) {
          counter[ax]!++;
          base += outStr[ax]!;
          if (counter[ax]! < shape[ax]!) break;
          base -= outStr[ax]! * shape[ax]!;
          counter[ax] = 0;
        }
      }
    } else {
      for (let o = 0; o < n; o += inner) {
        for (let j = 0; j < inner; j++) {
          const k = base + j * innerSt;
          const v = src[o + j]!;
          // NOTE: NaN wins, as in NumPy.
          if (v > out[k]! || v !== v) out[k] = v;
        }
        for (let ax = rank - 2; ax >= 0; ax--) {
          counter[ax]!++;
          base += outStr[ax]!;
          if (counter[ax]! < shape[ax]!) break;
          base -= outStr[ax]! * shape[ax]!;
          counter[ax] = 0;
        }
      }
    }
    return fromHost(out, outShape, x.dtype);
  };
}

export const sum = reduceKernel(0, 'sum');
export const max = reduceKernel(-Infinity, 'max');
