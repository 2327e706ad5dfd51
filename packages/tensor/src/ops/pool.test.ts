import { fc, test } from '@fast-check/vitest';
import { describe, expect, it } from 'vitest';
import { avgPool2d, avgPool2dBackward, maxPool2d, maxPool2dBackward, tensor, type Tensor } from '../index.js';
import { seededTensor } from '../testing/conformance.js';

interface Cfg {
  readonly kernel: [number, number];
  readonly stride: [number, number];
  readonly padding: [[number, number], [number, number]];
}

/**
 * The definition, window by window: every (n, c, oh, ow) window lists its in-bounds input indices
 * in row-major order (padding is never part of a window's elements).
 */
function windows(shape: readonly number[], c: Cfg): { outShape: number[]; members: number[][] } {
  const [N, C, H, W] = shape as [number, number, number, number];
  const [[pt, pb], [pl, pr]] = c.padding;
  const HO = Math.floor((H + pt + pb - c.kernel[0]) / c.stride[0]) + 1;
  const WO = Math.floor((W + pl + pr - c.kernel[1]) / c.stride[1]) + 1;
  const members: number[][] = [];
  for (let p = 0; p < N * C; p++)
    for (let oh = 0; oh < HO; oh++)
      for (let ow = 0; ow < WO; ow++) {
        const m: number[] = [];
        for (let i = 0; i < c.kernel[0]; i++)
          for (let j = 0; j < c.kernel[1]; j++) {
            const ih = oh * c.stride[0] - pt + i, iw = ow * c.stride[1] - pl + j;
            if (ih >= 0 && ih < H && iw >= 0 && iw < W) m.push((p * H + ih) * W + iw);
          }
        members.push(m);
      }
  return { outShape: [N, C, HO, WO], members };
}

const arbPool = fc
  .record({
    n: fc.integer({ min: 0, max: 2 }), c: fc.integer({ min: 1, max: 3 }),
    h: fc.integer({ min: 1, max: 7 }), w: fc.integer({ min: 1, max: 7 }),
    kh: fc.integer({ min: 1, max: 3 }), kw: fc.integer({ min: 1, max: 3 }),
    sh: fc.integer({ min: 1, max: 3 }), sw: fc.integer({ min: 1, max: 3 }),
    pad: fc.tuple(fc.nat(2), fc.nat(2), fc.nat(2), fc.nat(2)),
    ties: fc.boolean(), seed: fc.integer({ min: 0, max: 1e9 }),
  })
  .filter((r) => r.pad[0] < r.kh && r.pad[1] < r.kh && r.pad[2] < r.kw && r.pad[3] < r.kw)
  .filter((r) => r.h + r.pad[0] + r.pad[1] >= r.kh && r.w + r.pad[2] + r.pad[3] >= r.kw)
  .map((r) => {
    const cfg: Cfg = { kernel: [r.kh, r.kw], stride: [r.sh, r.sw], padding: [[r.pad[0], r.pad[1]], [r.pad[2], r.pad[3]]] };
    // Integer values in [0, 2] make ties common, which is what the first-max rule is about.
    const x = seededTensor([r.n, r.c, r.h, r.w], r.seed, r.ties ? { min: 0, max: 2, integers: true } : {});
    return { cfg, x, seed: r.seed };
  });

const close = (got: Tensor, want: ArrayLike<number>, tol = 1e-6) => {
  const g = got.toArray();
  expect(g.length).toBe(want.length);
  for (let i = 0; i < g.length; i++) expect(Math.abs(g[i]! - want[i]!), `element ${i}`).toBeLessThanOrEqual(tol);
};

describe('maxPool2d', () => {
  test.prop([arbPool], { numRuns: 150 })('is the max of each window, padding counting as −∞', ({ cfg, x }) => {
    const { outShape, members } = windows(x.shape, cfg);
    const X = x.toArray();
    const y = maxPool2d(x, cfg);
    expect(y.shape).toEqual(outShape);
    close(y, members.map((m) => Math.max(...m.map((i) => X[i]!))), 0);
  });

  test.prop([arbPool], { numRuns: 150 })('backward routes each dy to the FIRST maximum of its window', ({ cfg, x, seed }) => {
    const { outShape, members } = windows(x.shape, cfg);
    const X = x.toArray();
    const dy = seededTensor(outShape, seed + 1);
    const DY = dy.toArray();
    const want = new Float64Array(x.size);
    members.forEach((m, o) => {
      let best = m[0]!;
      for (const i of m) if (X[i]! > X[best]!) best = i;
      want[best] += DY[o]!;
    });
    const dx = maxPool2dBackward(dy, x, cfg);
    expect(dx.shape).toEqual(x.shape);
    close(dx, want, 1e-6);
  });

  it('ties go to the first element in row-major order, even when the window is clipped by padding', () => {
    const x = tensor([[[[5, 5], [5, 5]]]]);
    expect(maxPool2dBackward(tensor([[[[1]]]]), x, { kernel: 2 }).toList()).toEqual([[[[1, 0], [0, 0]]]]);
    // 3×3 windows, stride 1, padding 1: every window's first in-bounds element is its top-left one.
    const dx = maxPool2dBackward(tensor([[[[1, 1], [1, 1]]]]), x, { kernel: 3, stride: 1, padding: 1 });
    expect(dx.toList()).toEqual([[[[4, 0], [0, 0]]]]);
  });

  it('padding is −∞ (all-negative inputs keep their values) and NaN wins', () => {
    const x = tensor([[[[-3, -1], [-2, -4]]]]);
    expect(maxPool2d(x, { kernel: 2, stride: 1, padding: 1 }).toList()).toEqual([[[[-3, -1, -1], [-2, -1, -1], [-2, -2, -4]]]]);
    const y = maxPool2d(tensor([[[[1, NaN], [2, 3]]]]), { kernel: 2 });
    expect(Number.isNaN(y.item())).toBe(true);
  });
});

describe('avgPool2d', () => {
  const arb = fc.tuple(arbPool, fc.boolean());

  test.prop([arb], { numRuns: 150 })('is the window mean (countIncludePad as PyTorch)', ([{ cfg, x }, countIncludePad]) => {
    const { members } = windows(x.shape, cfg);
    const X = x.toArray();
    const full = cfg.kernel[0] * cfg.kernel[1];
    const want = members.map((m) => m.reduce((s, i) => s + X[i]!, 0) / (countIncludePad ? full : m.length));
    close(avgPool2d(x, { ...cfg, countIncludePad }), want, 1e-6);
  });

  test.prop([arb], { numRuns: 150 })('backward is the adjoint: ⟨avgPool(x), y⟩ = ⟨x, avgPoolBack(y)⟩', ([{ cfg, x, seed }, countIncludePad]) => {
    const opts = { ...cfg, countIncludePad };
    const y = avgPool2d(x, opts);
    const dy = seededTensor(y.shape, seed + 5);
    const dx = avgPool2dBackward(dy, x.shape, opts);
    const ip = (a: Tensor, b: Tensor) => { const B = b.toArray(); return Array.from(a.toArray()).reduce((s, v, i) => s + v * B[i]!, 0); };
    expect(Math.abs(ip(y, dy) - ip(x, dx))).toBeLessThan(1e-5 * (1 + x.size));
  });

  it('countIncludePad: PyTorch numbers for a 2×2 input, 3×3 window, padding 1', () => {
    const x = tensor([[[[1, 2], [3, 4]]]]);
    const f = Math.fround(10 / 9);
    expect(avgPool2d(x, { kernel: 3, stride: 1, padding: 1 }).toList()).toEqual([[[[f, f], [f, f]]]]);
    expect(avgPool2d(x, { kernel: 3, stride: 1, padding: 1, countIncludePad: false }).toList()).toEqual([[[[2.5, 2.5], [2.5, 2.5]]]]);
    expect(avgPool2dBackward(tensor([[[[9, 0], [0, 0]]]]), [1, 1, 2, 2], { kernel: 3, stride: 1, padding: 1 }).toList()).toEqual([[[[1, 1], [1, 1]]]]);
  });
});

describe('pooling argument errors', () => {
  const x = seededTensor([1, 2, 4, 4], 1);
  it('names the op, the argument and the shapes', () => {
    expect(() => maxPool2d(seededTensor([2, 4, 4], 1), { kernel: 2 })).toThrow(/maxPool2d: x must be NCHW \(rank 4\), got \[2, 4, 4\]/);
    expect(() => maxPool2d(x, { kernel: 5 })).toThrow(/maxPool2d: the 5×5 window does not fit x \[1, 2, 4, 4\]/);
    expect(() => avgPool2d(x, { kernel: 2, padding: 2 })).toThrow(/avgPool2d: padding .* must be smaller than the 2×2 window/);
    expect(() => avgPool2d(x, { kernel: 0 })).toThrow(/avgPool2d: kernel must be positive integers, got 0/);
    expect(() => maxPool2d(x, {} as never)).toThrow(/maxPool2d: options.kernel .* is required/);
    expect(() => maxPool2dBackward(seededTensor([1, 2, 3, 2], 1), x, { kernel: 2 })).toThrow(
      /maxPool2dBackward: dy \[1, 2, 3, 2\] should be the pooled shape \[1, 2, 2, 2\] of x \[1, 2, 4, 4\]/,
    );
    expect(() => avgPool2dBackward(seededTensor([1, 2, 2, 2, 1], 1), [1, 2, 4, 4], { kernel: 2 })).toThrow(
      /avgPool2dBackward: dy \[1, 2, 2, 2, 1\] should be the pooled shape \[1, 2, 2, 2\] of inputShape \[1, 2, 4, 4\]/,
    );
    expect(() => avgPool2d(seededTensor([1, 1, 2, 2], 1, { dtype: 'int32' }), { kernel: 2 })).toThrow(/avgPool2d: x must be float32, got int32/);
  });
});
