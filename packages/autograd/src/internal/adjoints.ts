import { greater, pad, reshape, slice, sum, where, type PoolAttrs, type PrimAttrs, type SliceSpec, type Tensor, zeros } from '@ssam/tensor';
import { fmtShape } from './paths.js';

// Adjoints that need a few primitives each. Written with @ssam/tensor ops only, so they are
// themselves differentiable (higher-order derivatives) and run on every backend.

const at = (rank: number, axis: number, spec: SliceSpec): (SliceSpec | undefined)[] => {
  const s = new Array<SliceSpec | undefined>(rank).fill(undefined);
  s[axis] = spec;
  return s;
};
const padAt = (rank: number, axis: number, before: number, after: number): [number, number][] => {
  const p = new Array<[number, number]>(rank).fill([0, 0]);
  p[axis] = [before, after];
  return p;
};

/**
 * The adjoint of `slice`: places g at the sliced positions of a zero tensor of `inShape`.
 * Per axis: reverse for negative steps, interleave step − 1 zeros (reshape to [n, 1], pad to
 * [n, step], reshape to [n · step]), trim, then pad to the input length.
 */
export function sliceAdjoint(g: Tensor, inShape: readonly number[], a: PrimAttrs['slice']): Tensor {
  if (g.size === 0) return zeros(inShape);
  const rank = inShape.length;
  let r = g;
  for (let ax = 0; ax < rank; ax++) {
    const d = inShape[ax]!, n = a.shape[ax]!, k = a.step[ax]!;
    let s = a.start[ax]!;
    if (k === 1 && n === d) continue;
    if (k < 0) {
      r = slice(r, at(rank, ax, { step: -1 }));
      s += (n - 1) * k;
    }
    const st = Math.abs(k);
    if (st > 1) {
      const sh = r.shape;
      r = reshape(r, [...sh.slice(0, ax + 1), 1, ...sh.slice(ax + 1)]);
      r = pad(r, padAt(rank + 1, ax + 1, 0, st - 1));
      r = reshape(r, [...sh.slice(0, ax), n * st, ...sh.slice(ax + 1)]);
    }
    const len = (n - 1) * st + 1;
    if (r.shape[ax] !== len) r = slice(r, at(rank, ax, { stop: len }));
    r = pad(r, padAt(rank, ax, s, d - s - len));
  }
  return r;
}

/**
 * The adjoint of `maxPool2dBackward` in dy: for every window, the value of g at the window's
 * first maximum of x (row-major, as the kernel chooses). Built from one strided slice per window
 * offset; padding is −∞ for x, so it is never chosen over an input element.
 * NOTE: windows whose in-bounds elements are all −∞ or NaN may pick differently from the kernel.
 */
export function maxPoolSelect(g: Tensor, x: Tensor, a: PoolAttrs): Tensor {
  const [[pt, pb], [pl, pr]] = a.padding;
  const [kh, kw] = a.kernel, [sh, sw] = a.stride;
  const [, , h, w] = x.shape as [number, number, number, number];
  const ho = Math.floor((h + pt + pb - kh) / sh) + 1;
  const wo = Math.floor((w + pl + pr - kw) / sw) + 1;
  const pads: [number, number][] = [[0, 0], [0, 0], [pt, pb], [pl, pr]];
  const xp = pad(x, pads, -Infinity);
  const gp = pad(g, pads, 0);
  let best: Tensor | undefined, sel: Tensor | undefined;
  for (let i = 0; i < kh; i++) {
    for (let j = 0; j < kw; j++) {
      const spec = [undefined, undefined, { start: i, stop: i + (ho - 1) * sh + 1, step: sh }, { start: j, stop: j + (wo - 1) * sw + 1, step: sw }];
      const xv = slice(xp, spec), gv = slice(gp, spec);
      if (best === undefined || sel === undefined) {
        best = xv;
        sel = gv;
      } else {
        const take = greater(xv, best); // strict: the first maximum keeps its place
        best = where(take, xv, best);
        sel = where(take, gv, sel);
      }
    }
  }
  return sel!;
}

/** The shape `x` reduced over `axes` with keepdims. */
export const keptShape = (shape: readonly number[], axes: readonly number[]): number[] => shape.map((d, i) => (axes.includes(i) ? 1 : d));

export const inversePerm = (perm: readonly number[]): number[] => {
  const inv = new Array<number>(perm.length);
  perm.forEach((p, i) => (inv[p] = i));
  return inv;
};

/**
 * Sums a cotangent of a broadcast shape back to the input's `shape` (leading axes and axes where
 * the input had size 1). This is the only place broadcasting is undone: rules never do it.
 */
export function unbroadcast(g: Tensor, shape: readonly number[], what: string): Tensor {
  const lead = g.rank - shape.length;
  if (lead === 0 && shape.every((d, i) => d === g.shape[i])) return g;
  if (lead < 0 || shape.some((d, i) => d !== 1 && d !== g.shape[i + lead]))
    throw new Error(`@ssam/autograd internal error: the ${what} rule produced a cotangent of shape ${fmtShape(g.shape)} for an input of shape ${fmtShape(shape)}`);
  const axes: number[] = [];
  for (let i = 0; i < lead; i++) axes.push(i);
  shape.forEach((d, i) => {
    if (d === 1 && g.shape[i + lead] !== 1) axes.push(i + lead);
  });
  return reshape(axes.length ? sum(g, { axes }) : g, shape);
}

