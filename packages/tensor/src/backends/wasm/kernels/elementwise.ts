import type { Kernel } from '../../../backend.js';
import type { BroadcastAttrs, PrimAttrs } from '../../../primitives.js';
import { sizeOf } from '../../../shape.js';
import { dataOf, fromHost, type Tensor } from '../../../tensor.js';
import type { WasmRuntime } from '../runtime.js';
import { collapse } from './broadcast.js';

import { COMPARE_OPS, UNARY_SIMD_END, type BinaryWasmPrim, type UnaryWasmPrim } from '../opcodes.js';

type UnaryPrim = UnaryWasmPrim;
type BinaryPrim = BinaryWasmPrim | 'compare';

export function unaryKernel<P extends UnaryPrim>(rt: WasmRuntime, op: number, fallback: Kernel<P>): Kernel<P> {
  return (inputs: readonly Tensor[], attrs: PrimAttrs[P]): Tensor => {
    const x = inputs[0]!;
    if (x.dtype !== 'float32' || x.size === 0 || x.size < rt.minElements) return fallback(inputs, attrs);
    const n = x.size;
    const mark = rt.begin(2 * n * 4, rt.bytesWork(n * 8));
    try {
      const px = rt.input(dataOf(x)), py = rt.output(n * 4);
      const work = rt.bytesWork(op >= UNARY_SIMD_END ? n * 64 : n * 8);
      const chunks = rt.chunks(Math.ceil(n / 4096), work);
      const per = Math.ceil(n / chunks / 4) * 4;
      return fromHost(rt.runTake('unary', [op, px, py, n, per], Math.ceil(n / per), work, py, n), x.shape, 'float32');
    } finally {
      rt.release(mark);
    }
  };
}

/** Shared by the binary primitives and `compare`; pow and int32 operands take the reference. */
export function binaryKernel<P extends BinaryPrim>(rt: WasmRuntime, opOf: (attrs: PrimAttrs[P]) => number, fallback: Kernel<P>): Kernel<P> {
  return (inputs: readonly Tensor[], attrs: PrimAttrs[P]): Tensor => {
    const [a, b] = inputs as [Tensor, Tensor];
    const shape = (attrs as BroadcastAttrs).shape;
    const n = sizeOf(shape);
    if (a.dtype !== 'float32' || b.dtype !== 'float32' || n === 0 || n < rt.minElements) return fallback(inputs, attrs);
    const col = collapse(shape, [a.shape, b.shape]);
    if (col === null) return fallback(inputs, attrs);
    const work = rt.bytesWork(n * 12);
    const mark = rt.begin((a.size + b.size + n) * 4, work);
    try {
      const pa = rt.input(dataOf(a)), pb = rt.input(dataOf(b)), py = rt.output(n * 4);
      const sa = col.strides[0]!, sb = col.strides[1]!;
      const ps = rt.putInts([...sa, ...sb, ...col.dims]);
      const rows = col.dims[0] * col.dims[1] * col.dims[2];
      const chunks = rt.chunks(rows, work);
      const per = Math.ceil(rows / chunks);
      const out = rt.runTake('binary', [opOf(attrs), pa, ps, pb, ps + 16, py, ps + 32, per], Math.ceil(rows / per), work, py, n);
      return fromHost(out, shape, 'float32');
    } finally {
      rt.release(mark);
    }
  };
}

export const compareOp = (attrs: PrimAttrs['compare']): number => COMPARE_OPS[attrs.op];

/**
 * The three-operand kernels (`where`, `addcmul`): all three broadcast over one collapsed rank-4
 * iteration space; `extra` are the entry point's arguments after the operand and shape words.
 */
function ternaryKernel<P extends 'where' | 'addcmul'>(rt: WasmRuntime, entry: 'select' | 'addcmul', fallback: Kernel<P>, extra: (attrs: PrimAttrs[P]) => number[]): Kernel<P> {
  return (inputs: readonly Tensor[], attrs: PrimAttrs[P]): Tensor => {
    const [c, a, b] = inputs as [Tensor, Tensor, Tensor];
    const n = sizeOf(attrs.shape);
    if (c.dtype !== 'float32' || a.dtype !== 'float32' || b.dtype !== 'float32' || n === 0 || n < rt.minElements) return fallback(inputs, attrs);
    const col = collapse(attrs.shape, [c.shape, a.shape, b.shape]);
    if (col === null) return fallback(inputs, attrs);
    const work = rt.bytesWork(n * 16);
    const mark = rt.begin((c.size + a.size + b.size + n) * 4, work);
    try {
      const pc = rt.input(dataOf(c)), pa = rt.input(dataOf(a)), pb = rt.input(dataOf(b)), py = rt.output(n * 4);
      const ps = rt.putInts([...col.strides.flat(), ...col.dims]);
      const rows = col.dims[0] * col.dims[1] * col.dims[2];
      const chunks = rt.chunks(rows, work);
      const per = Math.ceil(rows / chunks);
      return fromHost(rt.runTake(entry, [pc, pa, pb, ps, py, ps + 48, ...extra(attrs), per], Math.ceil(rows / per), work, py, n), attrs.shape, 'float32');
    } finally {
      rt.release(mark);
    }
  };
}

/** where(cond, a, b); int32 operands and tiny outputs take the reference. */
export const whereKernel = (rt: WasmRuntime, fallback: Kernel<'where'>): Kernel<'where'> => ternaryKernel(rt, 'select', fallback, () => []);

/** x + (a · b) · value; int32 operands (refused by the op layer) and tiny outputs take the reference. */
export const addcmulKernel = (rt: WasmRuntime, fallback: Kernel<'addcmul'>): Kernel<'addcmul'> => ternaryKernel(rt, 'addcmul', fallback, (attrs) => [attrs.value]);
