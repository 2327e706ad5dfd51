import type { Kernel } from '../../../backend.js';
import type { PrimAttrs } from '../../../primitives.js';
import { dataOf, fromHost, type Tensor } from '../../../tensor.js';
import type { WasmRuntime } from '../runtime.js';

/**
 * Views x as [outer, red, inner] when the reduced axes (ignoring size-1 axes) form one contiguous
 * block, or as [red, kept, red] (tagged 'around') when they sit on both sides of one kept block;
 * returns null otherwise (the reference handles other interleavings).
 */
export function reductionView(shape: readonly number[], axes: readonly number[]): [number, number, number] | [number, number, number, 'around'] | null {
  const kinds: ('k' | 'r')[] = [];
  const sizes: number[] = [];
  shape.forEach((d, i) => {
    if (d === 1) return;
    const kind = axes.includes(i) ? 'r' : 'k';
    if (kinds[kinds.length - 1] === kind) sizes[sizes.length - 1]! *= d;
    else {
      kinds.push(kind);
      sizes.push(d);
    }
  });
  const pattern = kinds.join('');
  const s = sizes;
  switch (pattern) {
    case '': return [1, 1, 1];
    case 'r': return [1, s[0]!, 1];
    case 'k': return [s[0]!, 1, 1];
    case 'kr': return [s[0]!, s[1]!, 1];
    case 'rk': return [1, s[0]!, s[1]!];
    case 'krk': return [s[0]!, s[1]!, s[2]!];
    case 'rkr': return [s[0]!, s[1]!, s[2]!, 'around'];
    default: return null;
  }
}

export function reduceKernel<P extends 'sum' | 'max'>(rt: WasmRuntime, kind: number, fallback: Kernel<P>): Kernel<P> {
  return (inputs: readonly Tensor[], attrs: PrimAttrs[P]): Tensor => {
    const x = inputs[0]!;
    if (x.dtype !== 'float32' || x.size === 0 || x.size < rt.minElements) return fallback(inputs, attrs);
    const view = reductionView(x.shape, attrs.axes);
    if (view === null) return fallback(inputs, attrs);
    const outShape = attrs.keepdims ? x.shape.map((d, i) => (attrs.axes.includes(i) ? 1 : d)) : x.shape.filter((_, i) => !attrs.axes.includes(i));
    const around = view.length === 4;
    const [outer, red, inner] = view;
    const nOut = around ? red : outer * inner;
    const mark = rt.begin((x.size + nOut) * 4, rt.bytesWork(x.size * 4));
    try {
      const px = rt.input(dataOf(x)), py = rt.output(nOut * 4);
      const work = rt.bytesWork(x.size * 4);
      let out: Float32Array;
      if (around) {
        // [outer, kept, inner] with `red` holding the kept size here
        const chunks = rt.chunks(red, work);
        const per = Math.ceil(red / chunks);
        out = rt.runTake('reduceAround', [kind, px, py, outer, red, inner, per], Math.ceil(red / per), work, py, nOut);
      } else if (inner === 1) {
        const chunks = rt.chunks(outer, work);
        const per = Math.ceil(outer / chunks);
        out = rt.runTake('reduceRows', [kind, px, py, outer, red, per], Math.ceil(outer / per), work, py, nOut);
      } else {
        const blocksWanted = Math.max(1, Math.ceil(rt.chunks(outer * inner, work) / outer));
        const per = Math.max(4, Math.ceil(inner / blocksWanted / 4) * 4);
        const blocks = Math.ceil(inner / per);
        out = rt.runTake('reduce', [kind, px, py, outer, red, inner, per], outer * blocks, work, py, nOut);
      }
      return fromHost(out, outShape, 'float32');
    } finally {
      rt.release(mark);
    }
  };
}
