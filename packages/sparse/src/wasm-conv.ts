import { ArgumentError, ShapeError, convOutSize, type Conv2dOptions } from '@ssam/tensor';
import { groupsOf, resolvePads } from './conv.js';

/*
 * Geometry of the conv input gradient on padded dy planes, for any stride, dilation and padding:
 *   dx[n, i, h, w] = Σ_{o, kh, kw} W[o, i, kh, kw] · dy[n, o, ho, wo],  ho·sh − pt + kh·dh = h (w alike).
 * dx splits into sh·sw stride phases (ph, pw) = (h mod sh, w mod sw). In phase (ph, ·), output
 * row a (h = ph + sh·a) takes from tap kh exactly when (ph + pt − kh·dh) mod sh = 0, the dy row
 * a + c with c = (ph + pt − kh·dh) / sh. So each phase is a stride-1 correlation over a subset
 * of the taps, and every tap belongs to one phase: no masked and no stride work is done.
 * All phases read one layout D of dy: per channel, images one after another, each a plane of
 * `hs` rows × `ws` floats holding dy row ho at plane row ho + t and column wo at wo + l, zeros
 * elsewhere. An output (k, a, b) of a phase sits at q = k·imgStride + a·ws + b and reads
 * D[q + (c_kh + t)·ws + (c_kw + l)]. Consecutive planes share zero rows (and rows share zero
 * columns) where both need them, which cuts the padding work (14×14, pad 1: 15×15 not 16×16).
 */

export interface Phase {
  readonly ph: number;
  readonly pw: number;
  /** Output rows / columns of this phase. */
  readonly ha: number;
  readonly wa: number;
  /** Float shift into a plane of tap (kh, kw), or −1 when the tap is not in this phase. */
  readonly shift: Int32Array;
}
export interface ConvGeometry {
  /** I: input channels of dx (G · the filter's second axis); G: the conv's groups. */
  readonly N: number; readonly O: number; readonly I: number; readonly G: number; readonly H: number; readonly W: number;
  readonly HO: number; readonly WO: number; readonly KH: number; readonly KW: number;
  readonly sh: number; readonly sw: number;
  readonly t: number; readonly l: number; readonly hp: number; readonly wp: number; readonly ws: number;
  readonly imgStride: number;
  readonly maxShift: number;
  readonly phases: readonly Phase[];
}

const pair = (op: string, name: string, v: number | readonly [number, number] | undefined): [number, number] => {
  const p: [number, number] = v === undefined ? [1, 1] : typeof v === 'number' ? [v, v] : [v[0], v[1]];
  if (!p.every((x) => Number.isInteger(x) && x >= 1)) throw new ArgumentError(op, `${name} must be positive integers, got ${JSON.stringify(v)}`);
  return p;
};
const mod = (x: number, s: number): number => ((x % s) + s) % s;

/** One axis: per phase its output count and tap offsets c; the padded extent and shared zeros. */
function axis(size: number, out: number, k: number, s: number, d: number, pad: number) {
  const phases: { p: number; count: number; c: number[] }[] = [];
  let cmin = Infinity, cmax = -Infinity;
  for (let p = 0; p < s; p++) {
    const count = Math.ceil((size - p) / s);
    const c = Array.from({ length: k }, (_, kk) => (mod(p + pad - kk * d, s) === 0 ? (p + pad - kk * d) / s : NaN));
    for (const v of c) if (!Number.isNaN(v) && count > 0) (cmin = Math.min(cmin, v)), (cmax = Math.max(cmax, v));
    phases.push({ p, count, c });
  }
  if (cmin > cmax) cmin = cmax = 0;
  const amax = Math.ceil(size / s);
  const t = -cmin, ext = amax + cmax - cmin;
  // dy occupies [max(0, t), min(ext, out + t)) of the extent; planes may overlap in zeros.
  const d0 = Math.max(0, t), d1 = Math.min(ext, out + t);
  const before = d1 > d0 ? d0 : ext, after = d1 > d0 ? ext - d1 : ext;
  const overlap = Math.max(0, Math.min(before, after, ext - amax));
  return { phases, t, ext, stride: ext - overlap, span: cmax - cmin };
}

export function convGeometry(op: string, wShape: readonly number[], inputShape: readonly number[], dyShape: readonly number[], opts: Conv2dOptions): ConvGeometry {
  const [O, Ig, KH, KW] = wShape as [number, number, number, number];
  const G = groupsOf(op, opts.groups, O);
  const I = G * Ig;
  if (inputShape.length !== 4 || inputShape[1] !== I)
    throw new ShapeError(op, `inputShape [${inputShape.join(', ')}] must be [N, ${I}, H, W] for the filter [${wShape.join(', ')}]${G > 1 ? ` with groups = ${G}` : ''}`);
  const [N, , H, W] = inputShape as [number, number, number, number];
  const [sh, sw] = pair(op, 'stride', opts.stride), [dh, dw] = pair(op, 'dilation', opts.dilation);
  const [[pt, pb], [pl, pr]] = resolvePads(op, opts.padding, [H, W], [KH, KW], [sh, sw], [dh, dw]);
  const HO = convOutSize(H, KH, sh, dh, pt, pb), WO = convOutSize(W, KW, sw, dw, pl, pr);
  if (dyShape.length !== 4 || dyShape[0] !== N || dyShape[1] !== O || dyShape[2] !== HO || dyShape[3] !== WO)
    throw new ShapeError(op, `dy must have shape [${N}, ${O}, ${HO}, ${WO}] (the conv output for input [${inputShape.join(', ')}]), got [${dyShape.join(', ')}]`);
  const ax = axis(H, HO, KH, sh, dh, pt), aw = axis(W, WO, KW, sw, dw, pl);
  const ws = aw.stride;
  const phases: Phase[] = [];
  for (const ph of ax.phases)
    for (const pw of aw.phases) {
      if (ph.count <= 0 || pw.count <= 0) continue;
      const shift = new Int32Array(KH * KW).fill(-1);
      for (let kh = 0; kh < KH; kh++)
        for (let kw = 0; kw < KW; kw++)
          if (!Number.isNaN(ph.c[kh]!) && !Number.isNaN(pw.c[kw]!)) shift[kh * KW + kw] = (ph.c[kh]! + ax.t) * ws + pw.c[kw]! + aw.t;
      phases.push({ ph: ph.p, pw: pw.p, ha: ph.count, wa: pw.count, shift });
    }
  return {
    N, O, I, G, H, W, HO, WO, KH, KW, sh, sw, t: ax.t, l: aw.t, hp: ax.ext, wp: aw.ext, ws,
    imgStride: ax.stride * ws, maxShift: ax.span * ws + aw.span, phases,
  };
}
