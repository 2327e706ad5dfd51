// Rows for the convolution and pooling primitives (including their backward primitives, which
// must be differentiable again for higher-order derivatives and for jvp by transposition).
import fc from 'fast-check';
import { describe } from 'vitest';
import {
  avgPool2d, avgPool2dBackward, conv2d, conv2dBackFilter, conv2dBackInput, convOutSize, maxPool2d, maxPool2dBackward,
  type Conv2dOptions, type Pool2dOptions, type Tensor,
} from '@ssam/tensor';
import { arbTensorOf, rowC, runRows } from './arb.test-util.js';

interface ConvGeom {
  readonly x: number[];
  readonly w: number[];
  readonly y: number[];
  readonly opts: Conv2dOptions;
}

const arbConvGeom: fc.Arbitrary<ConvGeom> = fc
  .record({
    n: fc.integer({ min: 1, max: 2 }), g: fc.integer({ min: 1, max: 2 }), cpg: fc.integer({ min: 1, max: 2 }), opg: fc.integer({ min: 1, max: 2 }),
    h: fc.integer({ min: 3, max: 6 }), w: fc.integer({ min: 3, max: 6 }), kh: fc.integer({ min: 1, max: 3 }), kw: fc.integer({ min: 1, max: 3 }),
    sh: fc.integer({ min: 1, max: 2 }), sw: fc.integer({ min: 1, max: 2 }), dh: fc.integer({ min: 1, max: 2 }), dw: fc.integer({ min: 1, max: 2 }),
    pads: fc.tuple(fc.integer({ min: 0, max: 2 }), fc.integer({ min: 0, max: 2 }), fc.integer({ min: 0, max: 2 }), fc.integer({ min: 0, max: 2 })),
  })
  .filter(({ h, w, kh, kw, dh, dw, pads: [t, b, l, r] }) => h + t + b >= (kh - 1) * dh + 1 && w + l + r >= (kw - 1) * dw + 1)
  .map(({ n, g, cpg, opg, h, w, kh, kw, sh, sw, dh, dw, pads: [t, b, l, r] }) => {
    const opts: Conv2dOptions = { stride: [sh, sw], dilation: [dh, dw], padding: [[t, b], [l, r]], groups: g };
    const ho = convOutSize(h, kh, sh, dh, t, b), wo = convOutSize(w, kw, sw, dw, l, r);
    return { x: [n, g * cpg, h, w], w: [g * opg, cpg, kh, kw], y: [n, g * opg, ho, wo], opts };
  });

interface PoolGeom {
  readonly x: number[];
  readonly y: number[];
  readonly opts: Pool2dOptions;
}

const arbPoolGeom: fc.Arbitrary<PoolGeom> = fc
  .record({
    n: fc.integer({ min: 1, max: 2 }), c: fc.integer({ min: 1, max: 2 }), h: fc.integer({ min: 2, max: 5 }), w: fc.integer({ min: 2, max: 5 }),
    kh: fc.integer({ min: 1, max: 3 }), kw: fc.integer({ min: 1, max: 3 }), sh: fc.integer({ min: 1, max: 3 }), sw: fc.integer({ min: 1, max: 3 }),
    pads: fc.tuple(fc.nat(2), fc.nat(2), fc.nat(2), fc.nat(2)), countIncludePad: fc.boolean(),
  })
  .map(({ kh, kw, pads: [t, b, l, r], ...g }) => ({ ...g, kh, kw, t: Math.min(t, kh - 1), b: Math.min(b, kh - 1), l: Math.min(l, kw - 1), r: Math.min(r, kw - 1) }))
  .filter(({ h, w, kh, kw, t, b, l, r }) => h + t + b >= kh && w + l + r >= kw)
  .map(({ n, c, h, w, kh, kw, sh, sw, t, b, l, r, countIncludePad }) => ({
    x: [n, c, h, w],
    y: [n, c, convOutSize(h, kh, sh, 1, t, b), convOutSize(w, kw, sw, 1, l, r)],
    opts: { kernel: [kh, kw], stride: [sh, sw], padding: [[t, b], [l, r]], countIncludePad } as Pool2dOptions,
  }));

type T2 = [Tensor, Tensor];

describe('VJP rules: convolution and pooling', () => {
  runRows([
    rowC('conv2d (stride, dilation, padding, groups)', arbConvGeom.chain((g) => fc.record({ x: fc.tuple(arbTensorOf(g.x), arbTensorOf(g.w)), c: fc.constant(g) })), ([x, w]: T2, g) => conv2d(x, w, g.opts)),
    rowC(
      'conv2dBackInput (bilinear in dy and the filter)',
      arbConvGeom.chain((g) => fc.record({ x: fc.tuple(arbTensorOf(g.y), arbTensorOf(g.w)), c: fc.constant(g) })),
      ([dy, w]: T2, g) => conv2dBackInput(dy, w, g.x, g.opts),
    ),
    rowC(
      'conv2dBackFilter (bilinear in x and dy)',
      arbConvGeom.chain((g) => fc.record({ x: fc.tuple(arbTensorOf(g.x), arbTensorOf(g.y)), c: fc.constant(g) })),
      ([x, dy]: T2, g) => conv2dBackFilter(x, dy, g.w, g.opts),
    ),
    rowC('maxPool2d (distinct values)', arbPoolGeom.chain((g) => fc.record({ x: arbTensorOf(g.x, 'distinct'), c: fc.constant(g) })), (x, g) => maxPool2d(x, g.opts)),
    rowC(
      'maxPool2dBackward (linear in dy, locally constant in x)',
      arbPoolGeom.chain((g) => fc.record({ x: fc.tuple(arbTensorOf(g.y), arbTensorOf(g.x, 'distinct')), c: fc.constant(g) })),
      ([dy, x]: T2, g) => maxPool2dBackward(dy, x, g.opts),
    ),
    rowC('avgPool2d (with and without countIncludePad)', arbPoolGeom.chain((g) => fc.record({ x: arbTensorOf(g.x), c: fc.constant(g) })), (x, g) => avgPool2d(x, g.opts)),
    rowC('avgPool2dBackward', arbPoolGeom.chain((g) => fc.record({ x: arbTensorOf(g.y), c: fc.constant(g) })), (dy, g) => avgPool2dBackward(dy, g.x, g.opts)),
  ]);
});
