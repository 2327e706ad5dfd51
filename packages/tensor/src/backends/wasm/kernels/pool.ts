import type { PoolAttrs, PrimAttrs } from '../../../primitives.js';
import { dataOf, fromHost, type Tensor } from '../../../tensor.js';
import type { WasmRuntime } from '../runtime.js';
import type { Kernel } from '../../../backend.js';

interface Geometry {
  readonly fields: number[];
  readonly planes: number;
  readonly ho: number;
  readonly wo: number;
  readonly chunks: number;
  readonly work: number;
}

function geometry(rt: WasmRuntime, shape: readonly number[], a: PoolAttrs): Geometry {
  const [n, c, h, w] = shape as [number, number, number, number];
  const [[pt, pb], [pl, pr]] = a.padding;
  const ho = Math.floor((h + pt + pb - a.kernel[0]) / a.stride[0]) + 1;
  const wo = Math.floor((w + pl + pr - a.kernel[1]) / a.stride[1]) + 1;
  const planes = n * c;
  const work = rt.bytesWork(planes * (h * w + ho * wo * a.kernel[0] * a.kernel[1]) * 4);
  const chunks = Math.min(planes, rt.chunks(planes, work));
  const perChunk = Math.max(1, Math.ceil(planes / chunks));
  const fields = [planes, h, w, ho, wo, a.kernel[0], a.kernel[1], a.stride[0], a.stride[1], pt, pl, a.countIncludePad ? 1 : 0, perChunk];
  return { fields, planes, ho, wo, chunks: Math.ceil(planes / perChunk), work };
}

/** maxPool2d (float32; int32 goes to the reference): chunk = a range of (n, c) planes. */
export function maxPool2dKernel(rt: WasmRuntime, fallback: Kernel<'maxPool2d'>) {
  return (inputs: readonly Tensor[], attrs: PrimAttrs['maxPool2d']): Tensor => {
    const x = inputs[0]!;
    if (x.dtype !== 'float32' || x.size === 0) return fallback(inputs, attrs);
    const g = geometry(rt, x.shape, attrs);
    const size = g.planes * g.ho * g.wo;
    const mark = rt.begin((x.size + size) * 4, g.work);
    try {
      const px = rt.input(dataOf(x)), py = rt.output(size * 4);
      const out = rt.runTake('maxPoolForward', [px, py, rt.putInts(g.fields)], g.chunks, g.work, py, size);
      return fromHost(out, [x.shape[0]!, x.shape[1]!, g.ho, g.wo], 'float32');
    } finally {
      rt.release(mark);
    }
  };
}

export function maxPool2dBackwardKernel(rt: WasmRuntime, fallback: Kernel<'maxPool2dBackward'>) {
  return (inputs: readonly Tensor[], attrs: PrimAttrs['maxPool2dBackward']): Tensor => {
    const [dy, x] = inputs as [Tensor, Tensor];
    if (dy.dtype !== 'float32' || x.dtype !== 'float32' || x.size === 0) return fallback(inputs, attrs);
    const g = geometry(rt, x.shape, attrs);
    const mark = rt.begin((dy.size + 2 * x.size) * 4, g.work);
    try {
      const pdy = rt.input(dataOf(dy)), px = rt.input(dataOf(x)), pdx = rt.output(x.size * 4);
      const out = rt.runTake('maxPoolBackward', [pdy, px, pdx, rt.putInts(g.fields)], g.chunks, g.work, pdx, x.size);
      return fromHost(out, x.shape, 'float32');
    } finally {
      rt.release(mark);
    }
  };
}

export function avgPool2dKernel(rt: WasmRuntime, fallback: Kernel<'avgPool2d'>) {
  return (inputs: readonly Tensor[], attrs: PrimAttrs['avgPool2d']): Tensor => {
    const x = inputs[0]!;
    if (x.dtype !== 'float32' || x.size === 0) return fallback(inputs, attrs);
    const g = geometry(rt, x.shape, attrs);
    const size = g.planes * g.ho * g.wo;
    const mark = rt.begin((x.size + size) * 4, g.work);
    try {
      const px = rt.input(dataOf(x)), py = rt.output(size * 4);
      const out = rt.runTake('avgPoolForward', [px, py, rt.putInts(g.fields)], g.chunks, g.work, py, size);
      return fromHost(out, [x.shape[0]!, x.shape[1]!, g.ho, g.wo], 'float32');
    } finally {
      rt.release(mark);
    }
  };
}

export function avgPool2dBackwardKernel(rt: WasmRuntime, fallback: Kernel<'avgPool2dBackward'>) {
  return (inputs: readonly Tensor[], attrs: PrimAttrs['avgPool2dBackward']): Tensor => {
    const dy = inputs[0]!;
    const size = attrs.inputShape.reduce((s, d) => s * d, 1);
    if (dy.dtype !== 'float32' || size === 0) return fallback(inputs, attrs);
    const g = geometry(rt, attrs.inputShape, attrs);
    const mark = rt.begin((dy.size + size) * 4, g.work);
    try {
      const pdy = rt.input(dataOf(dy)), pdx = rt.output(size * 4);
      const out = rt.runTake('avgPoolBackward', [pdy, pdx, rt.putInts(g.fields)], g.chunks, g.work, pdx, size);
      return fromHost(out, attrs.inputShape, 'float32');
    } finally {
      rt.release(mark);
    }
  };
}
