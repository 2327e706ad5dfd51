import type { PoolAttrs, PrimAttrs, Tensor } from '@ssam/tensor';
import type { GpuRuntime } from '../runtime.js';

/**
 * Pooling over NCHW windows, as in the reference: window (a, b) covers rows a·sh − pt + [0, kh) and
 * columns b·sw − pl + [0, kw), clipped to the input (padding is never read). Max pooling picks the
 * FIRST maximum in row-major order, NaN beating any number; its backward sends dy to that element.
 * The backward kernels run one thread per input element over the windows that contain it.
 */
interface Geometry {
  readonly planes: number; readonly h: number; readonly w: number; readonly ho: number; readonly wo: number;
  readonly kh: number; readonly kw: number; readonly sh: number; readonly sw: number; readonly pt: number; readonly pl: number;
}

function geometry(shape: readonly number[], a: PoolAttrs): Geometry {
  const [n, c, h, w] = shape as [number, number, number, number];
  const [[pt, pb], [pl, pr]] = a.padding;
  const [kh, kw] = a.kernel, [sh, sw] = a.stride;
  const ho = Math.floor((h + pt + pb - kh) / sh) + 1;
  const wo = Math.floor((w + pl + pr - kw) / sw) + 1;
  return { planes: n * c, h, w, ho, wo, kh, kw, sh, sw, pt, pl };
}

/** Statements finding window (a, b)'s first maximum `best` and its in-plane position `arg`. */
const argmaxWindow = (g: Geometry) => `
    let best = 0;
    let arg = -1;
    for (let ki = 0; ki < ${g.kh}; ki++) {
      const hh = a * ${g.sh} - ${g.pt} + ki;
      if (hh >= 0 && hh < ${g.h}) {
        for (let kj = 0; kj < ${g.kw}; kj++) {
          const ww = b * ${g.sw} - ${g.pl} + kj;
          if (ww >= 0 && ww < ${g.w}) {
            const v = X[p0 + hh * ${g.w} + ww];
            if (arg < 0 || v > best || (isNaN_(v) > 0.5 && isNaN_(best) < 0.5)) {
              best = v;
              arg = hh * ${g.w} + ww;
            }
          }
        }
      }
    }`;

/** The in-bounds size of window (a, b), or the full window when countIncludePad. */
const divisor = (g: Geometry, includePad: boolean) =>
  includePad
    ? `${g.kh * g.kw}`
    : `((Math.min(a * ${g.sh} - ${g.pt} + ${g.kh}, ${g.h}) - Math.max(a * ${g.sh} - ${g.pt}, 0)) * (Math.min(b * ${g.sw} - ${g.pl} + ${g.kw}, ${g.w}) - Math.max(b * ${g.sw} - ${g.pl}, 0)))`;

/** Loops (a, b) over the windows that contain input element (hx, wx); `body` runs per window. */
const windowsContaining = (g: Geometry, body: string) => {
  const na = Math.ceil(g.kh / g.sh), nb = Math.ceil(g.kw / g.sw);
  return `
  const aTop = idiv(hx + ${g.pt}, ${g.sh});
  const bTop = idiv(wx + ${g.pl}, ${g.sw});
  for (let ta = 0; ta < ${na}; ta++) {
    const a = aTop - ta;
    if (a >= 0 && a < ${g.ho} && hx < a * ${g.sh} - ${g.pt} + ${g.kh}) {
      for (let tb = 0; tb < ${nb}; tb++) {
        const b = bTop - tb;
        if (b >= 0 && b < ${g.wo} && wx < b * ${g.sw} - ${g.pl} + ${g.kw}) {
          ${body}
        }
      }
    }
  }`;
};

const key = (prim: string, shape: readonly number[], a: PoolAttrs) => `${prim}|${shape.join('x')}|${JSON.stringify(a)}`;

export function maxPool2d(rt: GpuRuntime, ins: readonly Tensor[], attrs: PrimAttrs['maxPool2d']): Tensor {
  const x = ins[0]!;
  const g = geometry(x.shape, attrs);
  const src = () => `function(X) {
  const i = this.thread.x;
  const b = imod(i, ${g.wo});
  const a = imod(idiv(i, ${g.wo}), ${g.ho});
  const p0 = idiv(i, ${g.wo * g.ho}) * ${g.h * g.w};
  ${argmaxWindow(g)}
  return best;
}`;
  return rt.launch('maxPool2d', key('maxPool2d', x.shape, attrs), [x.shape[0]!, x.shape[1]!, g.ho, g.wo], src, [rt.textureOf(x)]);
}

export function maxPool2dBackward(rt: GpuRuntime, ins: readonly Tensor[], attrs: PrimAttrs['maxPool2dBackward']): Tensor {
  const [dy, x] = ins as [Tensor, Tensor];
  const g = geometry(x.shape, attrs);
  const src = () => `function(DY, X) {
  const i = this.thread.x;
  const wx = imod(i, ${g.w});
  const hx = imod(idiv(i, ${g.w}), ${g.h});
  const plane = idiv(i, ${g.w * g.h});
  const p0 = plane * ${g.h * g.w};
  const self = hx * ${g.w} + wx;
  let acc = 0;
  ${windowsContaining(g, `${argmaxWindow(g)}
          if (arg == self) { acc += DY[(plane * ${g.ho} + a) * ${g.wo} + b]; }`)}
  return acc;
}`;
  return rt.launch('maxPool2dBackward', key('maxPool2dBackward', x.shape, attrs), x.shape, src, [rt.textureOf(dy), rt.textureOf(x)]);
}

export function avgPool2d(rt: GpuRuntime, ins: readonly Tensor[], attrs: PrimAttrs['avgPool2d']): Tensor {
  const x = ins[0]!;
  const g = geometry(x.shape, attrs);
  const src = () => `function(X) {
  const i = this.thread.x;
  const b = imod(i, ${g.wo});
  const a = imod(idiv(i, ${g.wo}), ${g.ho});
  const p0 = idiv(i, ${g.wo * g.ho}) * ${g.h * g.w};
  let s = 0;
  for (let ki = 0; ki < ${g.kh}; ki++) {
    const hh = a * ${g.sh} - ${g.pt} + ki;
    if (hh >= 0 && hh < ${g.h}) {
      for (let kj = 0; kj < ${g.kw}; kj++) {
        const ww = b * ${g.sw} - ${g.pl} + kj;
        if (ww >= 0 && ww < ${g.w}) { s += X[p0 + hh * ${g.w} + ww]; }
      }
    }
  }
  return s / ${divisor(g, attrs.countIncludePad)};
}`;
  return rt.launch('avgPool2d', key('avgPool2d', x.shape, attrs), [x.shape[0]!, x.shape[1]!, g.ho, g.wo], src, [rt.textureOf(x)]);
}

export function avgPool2dBackward(rt: GpuRuntime, ins: readonly Tensor[], attrs: PrimAttrs['avgPool2dBackward']): Tensor {
  const dy = ins[0]!;
  const g = geometry(attrs.inputShape, attrs);
  const src = () => `function(DY) {
  const i = this.thread.x;
  const wx = imod(i, ${g.w});
  const hx = imod(idiv(i, ${g.w}), ${g.h});
  const plane = idiv(i, ${g.w * g.h});
  let acc = 0;
  ${windowsContaining(g, `acc += DY[(plane * ${g.ho} + a) * ${g.wo} + b] / ${divisor(g, attrs.countIncludePad)};`)}
  return acc;
}`;
  return rt.launch('avgPool2dBackward', key('avgPool2dBackward', attrs.inputShape, attrs), attrs.inputShape, src, [rt.textureOf(dy)]);
}
