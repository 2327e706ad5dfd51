import { convWindow, type ConvWindow, type PrimAttrs, type Tensor } from '@ssam/tensor';
import type { GpuRuntime } from '../runtime.js';
import { SPLIT_ABOVE, sum } from './reduce.js';

/**
 * Direct convolutions, one thread per output element (NCHW input, OIHW filter, groups):
 *   conv2d      y[n,o,a,b]  = Σ_{c,i,j} x[n, g·Cg + c, a·sh − pt + i·dh, b·sw − pl + j·dw] · w[o,c,i,j]
 *   backInput   dx[n,c,h,w] = Σ_{o∈g,i,j} dy[n,o,(h + pt − i·dh)/sh, (w + pl − j·dw)/sw] · w[o, c − g·Cg, i, j]
 *               over the taps where both divisions are exact and in range;
 *   backFilter  dw[o,c,i,j] = Σ_{n,a,b} dy[n,o,a,b] · x[n, g·Cg + c, a·sh − pt + i·dh, b·sw − pl + j·dw],
 *               split into chunks of the (n, a, b) range plus a sum when that range is long.
 */
type Geometry = ConvWindow;
const geometry = convWindow;

const gkey = (g: Geometry) => JSON.stringify(g);

export function conv2d(rt: GpuRuntime, ins: readonly Tensor[], attrs: PrimAttrs['conv2d']): Tensor {
  const [x, w] = ins as [Tensor, Tensor];
  const g = geometry(x.shape, w.shape, attrs);
  const src = () => `function(X, W) {
  const i = this.thread.x;
  const b = imod(i, ${g.wo});
  const a = imod(idiv(i, ${g.wo}), ${g.ho});
  const o = imod(idiv(i, ${g.wo * g.ho}), ${g.o});
  const n = idiv(i, ${g.wo * g.ho * g.o});
  const x0 = (n * ${g.c} + idiv(o, ${g.og}) * ${g.cg}) * ${g.h * g.w};
  const w0 = o * ${g.cg * g.kh * g.kw};
  let acc = 0;
  for (let c = 0; c < ${g.cg}; c++) {
    for (let ki = 0; ki < ${g.kh}; ki++) {
      const hh = a * ${g.sh} - ${g.pt} + ki * ${g.dh};
      if (hh >= 0 && hh < ${g.h}) {
        for (let kj = 0; kj < ${g.kw}; kj++) {
          const ww = b * ${g.sw} - ${g.pl} + kj * ${g.dw};
          if (ww >= 0 && ww < ${g.w}) {
            acc += X[x0 + c * ${g.h * g.w} + hh * ${g.w} + ww] * W[w0 + (c * ${g.kh} + ki) * ${g.kw} + kj];
          }
        }
      }
    }
  }
  return acc;
}`;
  return rt.launch('conv2d', `conv2d|${gkey(g)}`, [g.n, g.o, g.ho, g.wo], src, [rt.textureOf(x), rt.textureOf(w)]);
}

export function conv2dBackInput(rt: GpuRuntime, ins: readonly Tensor[], attrs: PrimAttrs['conv2dBackInput']): Tensor {
  const [dy, w] = ins as [Tensor, Tensor];
  const g = geometry(attrs.inputShape, w.shape, attrs);
  const src = () => `function(DY, W) {
  const i = this.thread.x;
  const wx = imod(i, ${g.w});
  const hx = imod(idiv(i, ${g.w}), ${g.h});
  const c = imod(idiv(i, ${g.w * g.h}), ${g.c});
  const n = idiv(i, ${g.w * g.h * g.c});
  const grp = idiv(c, ${g.cg});
  const cc = c - grp * ${g.cg};
  let acc = 0;
  for (let ki = 0; ki < ${g.kh}; ki++) {
    const th = hx + ${g.pt} - ki * ${g.dh};
    if (th >= 0 && imod(th, ${g.sh}) == 0 && idiv(th, ${g.sh}) < ${g.ho}) {
      const a = idiv(th, ${g.sh});
      for (let kj = 0; kj < ${g.kw}; kj++) {
        const tw = wx + ${g.pl} - kj * ${g.dw};
        if (tw >= 0 && imod(tw, ${g.sw}) == 0 && idiv(tw, ${g.sw}) < ${g.wo}) {
          const b = idiv(tw, ${g.sw});
          for (let oo = 0; oo < ${g.og}; oo++) {
            const o = grp * ${g.og} + oo;
            acc += DY[((n * ${g.o} + o) * ${g.ho} + a) * ${g.wo} + b] * W[((o * ${g.cg} + cc) * ${g.kh} + ki) * ${g.kw} + kj];
          }
        }
      }
    }
  }
  return acc;
}`;
  return rt.launch('conv2dBackInput', `conv2dBackInput|${gkey(g)}`, attrs.inputShape, src, [rt.textureOf(dy), rt.textureOf(w)]);
}

export function conv2dBackFilter(rt: GpuRuntime, ins: readonly Tensor[], attrs: PrimAttrs['conv2dBackFilter']): Tensor {
  const [x, dy] = ins as [Tensor, Tensor];
  const g = geometry(x.shape, attrs.filterShape, attrs);
  const L = g.n * g.ho * g.wo;
  const chunkLen = L > SPLIT_ABOVE ? Math.ceil(Math.sqrt(L)) : L;
  const chunks = Math.ceil(L / chunkLen);
  const taps = g.cg * g.kh * g.kw;
  const src = () => `function(X, DY) {
  const i = this.thread.x;
  const chunk = imod(i, ${chunks});
  const f = idiv(i, ${chunks});
  const kj = imod(f, ${g.kw});
  const ki = imod(idiv(f, ${g.kw}), ${g.kh});
  const c = imod(idiv(f, ${g.kw * g.kh}), ${g.cg});
  const o = idiv(f, ${taps});
  const xc = idiv(o, ${g.og}) * ${g.cg} + c;
  let acc = 0;
  for (let j = 0; j < ${chunkLen}; j++) {
    const r = chunk * ${chunkLen} + j;
    if (r >= ${L}) { break; }
    const b = imod(r, ${g.wo});
    const a = imod(idiv(r, ${g.wo}), ${g.ho});
    const n = idiv(r, ${g.wo * g.ho});
    const hh = a * ${g.sh} - ${g.pt} + ki * ${g.dh};
    const ww = b * ${g.sw} - ${g.pl} + kj * ${g.dw};
    if (hh >= 0 && hh < ${g.h} && ww >= 0 && ww < ${g.w}) {
      acc += DY[((n * ${g.o} + o) * ${g.ho} + a) * ${g.wo} + b] * X[((n * ${g.c} + xc) * ${g.h} + hh) * ${g.w} + ww];
    }
  }
  return acc;
}`;
  const shape = chunks > 1 ? [...attrs.filterShape, chunks] : attrs.filterShape;
  const part = rt.launch('conv2dBackFilter', `conv2dBackFilter|${gkey(g)}`, shape, src, [rt.textureOf(x), rt.textureOf(dy)]);
  return chunks > 1 ? sum(rt, [part], { axes: [4], keepdims: false }) : part;
}
