import type { ConvAttrs } from './primitives.js';

/**
 * The window arithmetic of one conv2d application (NCHW input, OIHW filter, resolved attributes),
 * shared by every backend's conv kernels.
 */
export interface ConvWindow {
  readonly n: number; readonly c: number; readonly h: number; readonly w: number;
  /** output channels, input channels per group, output channels per group */
  readonly o: number; readonly cg: number; readonly og: number; readonly groups: number;
  readonly kh: number; readonly kw: number;
  readonly sh: number; readonly sw: number; readonly dh: number; readonly dw: number;
  /** padding: top, bottom, left, right */
  readonly pt: number; readonly pb: number; readonly pl: number; readonly pr: number;
  /** output height and width */
  readonly ho: number; readonly wo: number;
}

/** `xShape` [N, C, H, W], `wShape` [O, C/groups, kH, kW]; attributes as the conv2d primitive carries them. */
export function convWindow(xShape: readonly number[], wShape: readonly number[], a: ConvAttrs): ConvWindow {
  const [n, c, h, w] = xShape as [number, number, number, number];
  const [o, cg, kh, kw] = wShape as [number, number, number, number];
  const [sh, sw] = a.stride, [dh, dw] = a.dilation;
  const [[pt, pb], [pl, pr]] = a.padding;
  const ho = Math.floor((h + pt + pb - (kh - 1) * dh - 1) / sh) + 1;
  const wo = Math.floor((w + pl + pr - (kw - 1) * dw - 1) / sw) + 1;
  return { n, c, h, w, o, cg, og: o / a.groups, groups: a.groups, kh, kw, sh, sw, dh, dw, pt, pb, pl, pr, ho, wo };
}
