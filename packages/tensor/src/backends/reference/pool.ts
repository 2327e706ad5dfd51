import { allocate } from '../../dtype.js';
import type { PoolAttrs, PrimAttrs } from '../../primitives.js';
import { dataOf, fromHost, type Tensor } from '../../tensor.js';

/**
 * Pooling over NCHW windows, one (n, c) plane at a time. Window (oh, ow) covers rows
 * oh·sh − pt + [0, kH) and columns ow·sw − pl + [0, kW), clipped to the input: padding is never
 * read, so for max pooling it counts as −∞. The op layer guarantees padding < window, hence every
 * window holds at least one input element.
 */

interface PoolGeometry {
  readonly planes: number;
  readonly h: number;
  readonly w: number;
  readonly ho: number;
  readonly wo: number;
}

function geometry(shape: readonly number[], a: PoolAttrs): PoolGeometry {
  const [n, c, h, w] = shape as [number, number, number, number];
  const [[pt, pb], [pl, pr]] = a.padding;
  const ho = Math.floor((h + pt + pb - a.kernel[0]) / a.stride[0]) + 1;
  const wo = Math.floor((w + pl + pr - a.kernel[1]) / a.stride[1]) + 1;
  return { planes: n * c, h, w, ho, wo };
}

/**
 * Calls visit(outIndex, planeOffset, r0, r1, c0, c1) for every window, with the window's in-bounds
 * rows [r0, r1) and columns [c0, c1).
 */
function forEachWindow(
  g: PoolGeometry, a: PoolAttrs,
  visit: (o: number, plane: number, r0: number, r1: number, c0: number, c1: number) => void,
): void {
  const [kh, kw] = a.kernel, [sh, sw] = a.stride, pt = a.padding[0][0], pl = a.padding[1][0];
  let o = 0;
  for (let pi = 0; pi < g.planes; pi++) {
    const plane = pi * g.h * g.w;
    for (let oh = 0; oh < g.ho; oh++) {
      const top = oh * sh - pt;
      const r0 = Math.max(0, top), r1 = Math.min(g.h, top + kh);
      for (let ow = 0; ow < g.wo; ow++, o++) {
        const left = ow * sw - pl;
        visit(o, plane, r0, r1, Math.max(0, left), Math.min(g.w, left + kw));
      }
    }
  }
}

/**
 * Flat index of the FIRST maximum (row-major within the window) of each window; NaN beats any
 * number, as in NumPy's max. Both the forward pass and its gradient use this one choice.
 */
function argmaxWindows(x: Tensor, a: PoolAttrs, g: PoolGeometry): Int32Array {
  const X = dataOf(x);
  const arg = new Int32Array(g.planes * g.ho * g.wo);
  forEachWindow(g, a, (o, plane, r0, r1, c0, c1) => {
    let best = plane + r0 * g.w + c0;
    let bv = X[best]!;
    for (let r = r0; r < r1; r++) {
      const row = plane + r * g.w;
      for (let cc = c0; cc < c1; cc++) {
        const v = X[row + cc]!;
        if (v > bv || (v !== v && bv === bv)) {
          bv = v;
          best = row + cc;
        }
      }
    }
    arg[o] = best;
  });
  return arg;
}

export function maxPool2d(inputs: readonly Tensor[], attrs: PrimAttrs['maxPool2d']): Tensor {
  const x = inputs[0]!;
  const g = geometry(x.shape, attrs);
  const arg = argmaxWindows(x, attrs, g);
  const X = dataOf(x);
  const out = allocate(x.dtype, arg.length);
  for (let i = 0; i < arg.length; i++) out[i] = X[arg[i]!]!;
  return fromHost(out, [x.shape[0]!, x.shape[1]!, g.ho, g.wo], x.dtype);
}

export function maxPool2dBackward(inputs: readonly Tensor[], attrs: PrimAttrs['maxPool2dBackward']): Tensor {
  const [dy, x] = inputs as [Tensor, Tensor];
  const g = geometry(x.shape, attrs);
  const arg = argmaxWindows(x, attrs, g);
  const DY = dataOf(dy);
  const dx = allocate(dy.dtype, x.size);
  for (let i = 0; i < arg.length; i++) dx[arg[i]!] += DY[i]!;
  return fromHost(dx, x.shape, dy.dtype);
}

/** countIncludePad divides by the whole window (PyTorch's default), else by its in-bounds part. */
const divisor = (a: PoolAttrs, r0: number, r1: number, c0: number, c1: number): number =>
  a.countIncludePad ? a.kernel[0] * a.kernel[1] : (r1 - r0) * (c1 - c0);

export function avgPool2d(inputs: readonly Tensor[], attrs: PrimAttrs['avgPool2d']): Tensor {
  const x = inputs[0]!;
  const g = geometry(x.shape, attrs);
  const X = dataOf(x);
  const out = new Float32Array(g.planes * g.ho * g.wo);
  forEachWindow(g, attrs, (o, plane, r0, r1, c0, c1) => {
    let s = 0;
    for (let r = r0; r < r1; r++) {
      const row = plane + r * g.w;
      for (let cc = c0; cc < c1; cc++) s += X[row + cc]!;
    }
    out[o] = s / divisor(attrs, r0, r1, c0, c1);
  });
  return fromHost(out, [x.shape[0]!, x.shape[1]!, g.ho, g.wo], 'float32');
}

export function avgPool2dBackward(inputs: readonly Tensor[], attrs: PrimAttrs['avgPool2dBackward']): Tensor {
  const dy = inputs[0]!;
  const g = geometry(attrs.inputShape, attrs);
  const DY = dataOf(dy);
  const dx = new Float32Array(g.planes * g.h * g.w);
  forEachWindow(g, attrs, (o, plane, r0, r1, c0, c1) => {
    const v = DY[o]! / divisor(attrs, r0, r1, c0, c1);
    for (let r = r0; r < r1; r++) {
      const row = plane + r * g.w;
      for (let cc = c0; cc < c1; cc++) dx[row + cc] += v;
    }
  });
  return fromHost(dx, attrs.inputShape, 'float32');
}
