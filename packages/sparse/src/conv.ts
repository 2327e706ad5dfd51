import { ArgumentError, ShapeError, cast, convOutSize, tensor, type Conv2dOptions, type Tensor } from '@ssam/tensor';
import { groupLayout, type NMCompressed } from './compress.js';

/*
 * Input gradient of conv2d through a compressed N:M filter W ⊙ M ([O, I, kH, kW]):
 *   dx[n, i, h, w] = Σ_{o, kh, kw} W[o, i, kh, kw] · dy[n, o, ho, wo],  h = ho·sh − pt + kh·dh, w likewise.
 * This is col2im(Wᵀ · dy) with the im2col matrix never built: every KEPT filter entry adds one
 * scaled, shifted plane of dy into one plane of dx, so the masked (N − M)/M of the work is skipped
 * whichever axis the groups run along.
 */

const fmt = (s: readonly number[]): string => `[${s.join(', ')}]`;
const pairOf = (op: string, name: string, v: Conv2dOptions['stride']): [number, number] => {
  const p: [number, number] = v === undefined ? [1, 1] : typeof v === 'number' ? [v, v] : [v[0], v[1]];
  if (!p.every((x) => Number.isInteger(x) && x >= 1)) throw new ArgumentError(op, `${name} must be positive integers, got ${JSON.stringify(v)}`);
  return p;
};

/** The conv's groups: a positive integer that divides the filter's output channels. */
export function groupsOf(op: string, groups: number | undefined, O: number): number {
  const G = groups ?? 1;
  if (!Number.isInteger(G) || G < 1 || O % G !== 0) throw new ArgumentError(op, `groups must be a positive integer that divides the filter's ${O} output channels, got ${groups}`);
  return G;
}

/** [[top, bottom], [left, right]], resolved as @ssam/tensor's conv2d resolves it. */
export function resolvePads(
  op: string, padding: Conv2dOptions['padding'], hw: readonly [number, number], k: readonly [number, number],
  stride: readonly [number, number], dilation: readonly [number, number],
): [[number, number], [number, number]] {
  if (padding === undefined || padding === 'valid') return [[0, 0], [0, 0]];
  if (padding === 'same') {
    const r = [0, 1].map((a) => {
      const total = Math.max(0, (Math.ceil(hw[a]! / stride[a]!) - 1) * stride[a]! + (k[a]! - 1) * dilation[a]! + 1 - hw[a]!);
      return [Math.floor(total / 2), total - Math.floor(total / 2)] as [number, number];
    });
    return [r[0]!, r[1]!];
  }
  let out: [[number, number], [number, number]];
  if (typeof padding === 'number') out = [[padding, padding], [padding, padding]];
  else if (typeof padding[0] === 'number') out = [[padding[0], padding[0]], [padding[1] as number, padding[1] as number]];
  else {
    const [[t, b], [l, r]] = padding as readonly [readonly [number, number], readonly [number, number]];
    out = [[t, b], [l, r]];
  }
  if (!out.flat().every((v) => Number.isInteger(v) && v >= 0)) throw new ArgumentError(op, `padding must be non-negative integers, got ${JSON.stringify(padding)}`);
  return out;
}

/**
 * conv2dBackInput(dy, W ⊙ M, inputShape, opts) from the compressed filter, touching only kept
 * entries. dy [N, O, Ho, Wo] → dx = inputShape [N, I, H, W]; with groups G the filter is
 * [O, I / G, kH, kW] and output channel o reads input channels of group ⌊o·G / O⌋.
 */
export function nmConv2dBackInput(dy: Tensor, c: NMCompressed, inputShape: readonly number[], opts: Conv2dOptions = {}): Tensor {
  const op = 'nmConv2dBackInput';
  if (c.shape.length !== 4) throw new ShapeError(op, `needs a compressed conv filter [O, I, kH, kW], got shape ${fmt(c.shape)}; for a dense weight use nmMatmulT`);
  const [O, Ig, KH, KW] = c.shape as [number, number, number, number];
  const groups = groupsOf(op, opts.groups, O), I = groups * Ig, Og = O / groups;
  if (inputShape.length !== 4 || inputShape[1] !== I)
    throw new ShapeError(op, `inputShape ${fmt(inputShape)} must be [N, ${I}, H, W] for the filter ${fmt(c.shape)}${groups > 1 ? ` with groups = ${groups}` : ''}`);
  const [N, , H, W] = inputShape as [number, number, number, number];
  const stride = pairOf(op, 'stride', opts.stride), dil = pairOf(op, 'dilation', opts.dilation);
  const [[pt, pb], [pl, pr]] = resolvePads(op, opts.padding, [H, W], [KH, KW], stride, dil);
  const HO = convOutSize(H, KH, stride[0], dil[0], pt, pb), WO = convOutSize(W, KW, stride[1], dil[1], pl, pr);
  if (dy.rank !== 4 || dy.shape[0] !== N || dy.shape[1] !== O || dy.shape[2] !== HO || dy.shape[3] !== WO)
    throw new ShapeError(op, `dy must have shape [${N}, ${O}, ${HO}, ${WO}] (the conv output for input ${fmt(inputShape)}), got ${fmt(dy.shape)}`);
  const D = (dy.dtype === 'float32' ? dy : cast(dy, 'float32')).toArray() as Float32Array;
  const dx = new Float32Array(N * I * H * W);
  const [sh, sw] = stride, [dh, dw] = dil;
  const { outer, d, inner } = groupLayout(c.shape, c.axis);
  const { n, m, values: V, indices: IX } = c;
  const G = d / m, KK = KH * KW, plane = H * W, oplane = HO * WO;
  let q = 0;
  for (let ob = 0; ob < outer; ob++)
    for (let g = 0; g < G; g++)
      for (let t = 0; t < inner; t++)
        for (let k = 0; k < n; k++, q++) {
          const v = V[q]!;
          if (v === 0) continue;
          const flat = (ob * d + g * m + IX[q]!) * inner + t;
          const o = (flat / (Ig * KK)) | 0, rem = flat - o * Ig * KK;
          // output channel o of group ⌊o / Og⌋ reads that group's input channels
          const i = ((o / Og) | 0) * Ig + ((rem / KK) | 0), kk = rem % KK;
          const kh = (kk / KW) | 0, kw = kk - kh * KW;
          const offH = kh * dh - pt, offW = kw * dw - pl;
          // valid ho: 0 ≤ ho·sh + offH < H; wo likewise.
          const ho0 = Math.max(0, Math.ceil(-offH / sh)), ho1 = Math.min(HO, Math.floor((H - 1 - offH) / sh) + 1);
          const wo0 = Math.max(0, Math.ceil(-offW / sw)), wo1 = Math.min(WO, Math.floor((W - 1 - offW) / sw) + 1);
          if (ho0 >= ho1 || wo0 >= wo1) continue;
          for (let b = 0; b < N; b++) {
            const src = (b * O + o) * oplane, dst = (b * I + i) * plane;
            for (let ho = ho0; ho < ho1; ho++) {
              const s = src + ho * WO, r = dst + (ho * sh + offH) * W + offW;
              if (sw === 1) for (let wo = wo0; wo < wo1; wo++) dx[r + wo] += v * D[s + wo]!;
              else for (let wo = wo0; wo < wo1; wo++) dx[r + wo * sw] += v * D[s + wo]!;
            }
          }
        }
  return tensor(dx, inputShape);
}
