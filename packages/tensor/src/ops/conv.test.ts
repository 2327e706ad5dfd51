import { fc, test } from '@fast-check/vitest';
import { describe, expect, it } from 'vitest';
import { seededTensor } from '../testing/conformance.js';
import { conv2d, conv2dBackFilter, conv2dBackInput, tensor, type Conv2dOptions, type Tensor } from '../index.js';
import { convAttrs } from './conv.js';

/** The definition: 7 nested loops (n, o, oh, ow, c, ki, kj), float64 sums, zero padding. */
function directConv(x: Tensor, w: Tensor, o: Required<Pick<Conv2dOptions, 'groups'>> & { stride: [number, number]; dilation: [number, number]; pad: [[number, number], [number, number]] }): { data: Float64Array; shape: number[] } {
  const [N, C, H, W] = x.shape as [number, number, number, number];
  const [O, Cg, KH, KW] = w.shape as [number, number, number, number];
  const X = x.toArray(), Wt = w.toArray();
  const [[pt, pb], [pl, pr]] = o.pad;
  const HO = Math.floor((H + pt + pb - o.dilation[0] * (KH - 1) - 1) / o.stride[0]) + 1;
  const WO = Math.floor((W + pl + pr - o.dilation[1] * (KW - 1) - 1) / o.stride[1]) + 1;
  const Og = O / o.groups;
  const out = new Float64Array(N * O * HO * WO);
  for (let n = 0; n < N; n++)
    for (let oc = 0; oc < O; oc++)
      for (let oh = 0; oh < HO; oh++)
        for (let ow = 0; ow < WO; ow++) {
          let s = 0;
          const g = Math.floor(oc / Og);
          for (let c = 0; c < Cg; c++)
            for (let ki = 0; ki < KH; ki++)
              for (let kj = 0; kj < KW; kj++) {
                const ih = oh * o.stride[0] - pt + ki * o.dilation[0];
                const iw = ow * o.stride[1] - pl + kj * o.dilation[1];
                if (ih < 0 || ih >= H || iw < 0 || iw >= W) continue;
                s += X[((n * C + g * Cg + c) * H + ih) * W + iw]! * Wt[((oc * Cg + c) * KH + ki) * KW + kj]!;
              }
          out[((n * O + oc) * HO + oh) * WO + ow] = s;
        }
  return { data: out, shape: [N, O, HO, WO] };
}

const dot = (a: Tensor, b: Tensor): [number, number] => {
  const A = a.toArray(), B = b.toArray();
  let s = 0, m = 0;
  for (let i = 0; i < A.length; i++) {
    s += A[i]! * B[i]!;
    m += Math.abs(A[i]! * B[i]!);
  }
  return [s, m];
};

/** Random valid conv configurations: small shapes, every knob. */
const arbConv = fc
  .record({
    n: fc.integer({ min: 1, max: 2 }), groups: fc.integer({ min: 1, max: 3 }),
    cg: fc.integer({ min: 1, max: 3 }), og: fc.integer({ min: 1, max: 3 }),
    h: fc.integer({ min: 1, max: 8 }), w: fc.integer({ min: 1, max: 8 }),
    kh: fc.integer({ min: 1, max: 3 }), kw: fc.integer({ min: 1, max: 3 }),
    sh: fc.integer({ min: 1, max: 3 }), sw: fc.integer({ min: 1, max: 3 }),
    dh: fc.integer({ min: 1, max: 2 }), dw: fc.integer({ min: 1, max: 2 }),
    pad: fc.tuple(fc.integer({ min: 0, max: 2 }), fc.integer({ min: 0, max: 2 }), fc.integer({ min: 0, max: 2 }), fc.integer({ min: 0, max: 2 })),
    seed: fc.integer({ min: 0, max: 1e9 }),
  })
  .filter((c) => c.h + c.pad[0] + c.pad[1] >= (c.kh - 1) * c.dh + 1 && c.w + c.pad[2] + c.pad[3] >= (c.kw - 1) * c.dw + 1);

type ArbConv = typeof arbConv extends fc.Arbitrary<infer T> ? T : never;
const setup = (c: ArbConv) => {
  const xShape = [c.n, c.cg * c.groups, c.h, c.w];
  const wShape = [c.og * c.groups, c.cg, c.kh, c.kw];
  const pad: [[number, number], [number, number]] = [[c.pad[0], c.pad[1]], [c.pad[2], c.pad[3]]];
  const opts = { stride: [c.sh, c.sw] as [number, number], dilation: [c.dh, c.dw] as [number, number], padding: pad, groups: c.groups };
  const [, yShape] = convAttrs('test', xShape, wShape, opts);
  return {
    opts, pad, yShape, xShape, wShape,
    x: seededTensor(xShape, c.seed), w: seededTensor(wShape, c.seed + 1), y: seededTensor(yShape, c.seed + 2),
  };
};

describe('conv2d', () => {
  test.prop([arbConv], { numRuns: 150 })('matches the direct 7-loop definition', (c) => {
    const { x, w, opts, pad } = setup(c);
    const got = conv2d(x, w, opts);
    const want = directConv(x, w, { ...opts, pad });
    expect(got.shape).toEqual(want.shape);
    const g = got.toArray();
    for (let i = 0; i < g.length; i++) expect(Math.abs(g[i]! - want.data[i]!)).toBeLessThan(1e-5 * (1 + c.cg * c.kh * c.kw));
  });

  test.prop([arbConv], { numRuns: 150 })('⟨conv(x, w), y⟩ = ⟨x, backInput(y, w)⟩ = ⟨w, backFilter(x, y)⟩', (c) => {
    const { x, w, y, opts, xShape, wShape } = setup(c);
    const [lhs, scale] = dot(conv2d(x, w, opts), y);
    const [viaInput] = dot(x, conv2dBackInput(y, w, xShape, opts));
    const [viaFilter] = dot(w, conv2dBackFilter(x, y, wShape, opts));
    const tol = 1e-5 * (1 + scale);
    expect(Math.abs(lhs - viaInput)).toBeLessThan(tol);
    expect(Math.abs(lhs - viaFilter)).toBeLessThan(tol);
  });

  it("'same' padding keeps ceil(size / stride) and splits the extra row at the bottom (TensorFlow)", () => {
    const x = seededTensor([1, 1, 6, 7], 3);
    const w = seededTensor([1, 1, 2, 2], 4);
    const y = conv2d(x, w, { padding: 'same', stride: 2 });
    expect(y.shape).toEqual([1, 1, 3, 4]);
    // height: total padding (3-1)·2 + 2 − 6 = 0; width: (4-1)·2 + 2 − 7 = 1 → [0, 1]
    const want = directConv(x, w, { groups: 1, stride: [2, 2], dilation: [1, 1], pad: [[0, 0], [0, 1]] });
    expect([...y.toArray()].map((v, i) => v - want.data[i]!).every((d) => Math.abs(d) < 1e-6)).toBe(true);
  });

  it('a centred one-hot 3×3 filter with padding 1 is the identity', () => {
    const x = seededTensor([2, 1, 4, 5], 9);
    const w = tensor([0, 0, 0, 0, 1, 0, 0, 0, 0], [1, 1, 3, 3]);
    expect(conv2d(x, w, { padding: 1 }).toArray()).toEqual(x.toArray());
  });

  it('handles an empty batch and a hand-computed 2×2 example', () => {
    expect(conv2d(seededTensor([0, 2, 3, 3], 1), seededTensor([4, 2, 2, 2], 2)).shape).toEqual([0, 4, 2, 2]);
    const x = tensor([[[[1, 2, 3], [4, 5, 6], [7, 8, 9]]]]);
    const w = tensor([[[[1, 0], [0, -1]]]]);
    expect(conv2d(x, w).toList()).toEqual([[[[-4, -4], [-4, -4]]]]);
    expect(conv2dBackFilter(x, tensor([[[[1, 0], [0, 0]]]]), [1, 1, 2, 2]).toList()).toEqual([[[[1, 2], [4, 5]]]]);
    expect(conv2dBackInput(tensor([[[[1, 0], [0, 0]]]]), w, [1, 1, 3, 3]).toList()).toEqual([[[[1, 0, 0], [0, -1, 0], [0, 0, 0]]]]);
  });
});

describe('conv2d argument errors', () => {
  const x = seededTensor([2, 4, 5, 5], 1);
  it('names the op, the argument and the shapes', () => {
    expect(() => conv2d(seededTensor([4, 5, 5], 1), seededTensor([2, 4, 3, 3], 1))).toThrow(/conv2d: x must be NCHW \(rank 4\), got \[4, 5, 5\]/);
    expect(() => conv2d(x, seededTensor([2, 3, 3, 3], 1))).toThrow(/conv2d: filter \[2, 3, 3, 3\] expects 3 input channels .* x \[2, 4, 5, 5\] has 4/);
    expect(() => conv2d(x, seededTensor([3, 2, 3, 3], 1), { groups: 2 })).toThrow(/conv2d: groups 2 .* output channels 3 of filter \[3, 2, 3, 3\]/);
    expect(() => conv2d(x, seededTensor([2, 4, 7, 7], 1))).toThrow(/conv2d: the 7×7 filter \[2, 4, 7, 7\] .* does not fit the padded 5×5 input of x \[2, 4, 5, 5\]; pad more/);
    expect(() => conv2d(x, seededTensor([2, 4, 3, 3], 1), { padding: -1 })).toThrow(/conv2d: padding must be .* got -1/);
    expect(() => conv2d(x, seededTensor([2, 4, 3, 3], 1), { stride: 0 })).toThrow(/conv2d: stride must be positive integers, got 0/);
    expect(() => conv2d(seededTensor([1, 1, 3, 3], 1, { dtype: 'int32' }), seededTensor([1, 1, 1, 1], 1))).toThrow(/conv2d: x and filter must be float32, got int32/);
    expect(() => conv2dBackInput(seededTensor([2, 2, 4, 4], 1), seededTensor([2, 4, 3, 3], 1), [2, 4, 5, 5])).toThrow(
      /conv2dBackInput: dy \[2, 2, 4, 4\] should be the conv output shape \[2, 2, 3, 3\] for inputShape \[2, 4, 5, 5\]/,
    );
    expect(() => conv2dBackInput(seededTensor([2, 2, 3, 3], 1), seededTensor([2, 4, 3, 3], 1), [2, 4, 5])).toThrow(/conv2dBackInput: inputShape must be NCHW/);
    expect(() => conv2dBackFilter(x, seededTensor([2, 2, 3, 3], 1), [2, 4, 3])).toThrow(/conv2dBackFilter: filterShape must be OIHW \(rank 4\), got \[2, 4, 3\]/);
    expect(() => conv2dBackFilter(x, seededTensor([2, 2, 2, 3], 1), [2, 4, 3, 3])).toThrow(/conv2dBackFilter: dy \[2, 2, 2, 3\] should be the conv output shape \[2, 2, 3, 3\]/);
  });
});
