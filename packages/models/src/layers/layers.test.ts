import fc from 'fast-check';
import { random, tensor, conv2d as convOp, type Tensor } from '@ssam/tensor';
import { expectAllClose } from '@ssam/tensor/testing';
import { describe, expect, it } from 'vitest';
import { gelu, identity, relu, sigmoid, tanh } from './activations.js';
import { conv2d } from './conv.js';
import { dense } from './dense.js';
import { dropout } from './dropout.js';
import { avgPool, globalAvgPool, maxPool } from './pooling.js';
import { flatten } from './reshape.js';

const key = random.key(0);
const ev = { train: false } as const;

describe('dense', () => {
  it('computes x·wᵀ + b with w [out, in] and keeps leading axes', () => {
    const layer = dense(2);
    const [out, p] = layer.init(key, [-1, 3]);
    expect(out).toEqual([-1, 2]);
    expect(p.w.shape).toEqual([2, 3]);
    expect(p.b!.shape).toEqual([2]);
    const params = { w: tensor([[1, 2, 3], [-1, 0, 1]]), b: tensor([0.5, -0.5]) };
    const [y] = layer.apply(params, {}, tensor([[1, 1, 1], [2, 0, -1]]), ev);
    expectAllClose(y as Tensor, [[6.5, -0.5], [-0.5, -3.5]]);
    const [o3] = layer.init(key, [4, 5, 3]);
    expect(o3).toEqual([4, 5, 2]);
    const x3 = random.normal(key, [4, 5, 3]);
    const [y3] = layer.apply(params, {}, x3, ev);
    expect((y3 as Tensor).shape).toEqual([4, 5, 2]);
    const [row] = layer.apply(params, {}, tensor(x3.toArray().slice(3 * 7, 3 * 8), [1, 3]), ev);
    expectAllClose(tensor((y3 as Tensor).toArray().slice(2 * 7, 2 * 8), [1, 2]), row as Tensor, { atol: 1e-6 });
  });

  it('drops the bias on request and uses PyTorch default init bounds U(±1/√in)', () => {
    const [, p] = dense(64, { bias: false }).init(key, [-1, 100]);
    expect(p.b).toBeUndefined();
    const w = p.w.toArray();
    expect(Math.max(...w.map(Math.abs))).toBeLessThanOrEqual(0.1);
    expect(Math.max(...w.map(Math.abs))).toBeGreaterThan(0.09);
  });
});

describe('conv2d', () => {
  it('matches the tensor op plus a per-channel bias', () => {
    const layer = conv2d(4, 3, { padding: 1, stride: 2 });
    const [out, p] = layer.init(key, [2, 3, 7, 7]);
    expect(out).toEqual([2, 4, 4, 4]);
    expect(p.w.shape).toEqual([4, 3, 3, 3]);
    const x = random.normal(random.key(1), [2, 3, 7, 7]);
    const [y] = layer.apply(p, {}, x, ev);
    const ref = convOp(x, p.w, { padding: 1, stride: 2 }).toArray();
    const b = p.b!.toArray();
    expectAllClose(y as Tensor, tensor(ref.map((v, i) => v + b[Math.floor(i / 16) % 4]!), [2, 4, 4, 4]), { rtol: 1e-6, atol: 1e-6 });
  });

  it('predicts the output shape that apply produces (any padding, stride, dilation, groups)', () => {
    fc.assert(
      fc.property(
        fc.record({ h: fc.integer({ min: 3, max: 9 }), w: fc.integer({ min: 3, max: 9 }), k: fc.integer({ min: 1, max: 3 }), s: fc.integer({ min: 1, max: 3 }), d: fc.integer({ min: 1, max: 2 }), g: fc.constantFrom(1, 2), pad: fc.constantFrom<0 | 1 | 'same' | 'valid' | [number, number]>(0, 1, 'same', 'valid', [1, 0]), bias: fc.boolean() }),
        ({ h, w, k, s, d, g, pad, bias }) => {
          const layer = conv2d(2 * g, k, { stride: s, dilation: d, groups: g, padding: pad, bias });
          let out: readonly number[];
          try {
            out = layer.init(key, [1, 2 * g, h, w])[0] as number[];
          } catch (e) {
            expect(String(e)).toMatch(/does not fit/);
            return;
          }
          const [, p] = layer.init(key, [1, 2 * g, h, w]);
          const [y] = layer.apply(p, {}, random.normal(key, [1, 2 * g, h, w]), ev);
          expect((y as Tensor).shape).toEqual(out);
          expect(p.b === undefined).toBe(!bias);
        },
      ),
      { numRuns: 40 },
    );
  });

  it('explains bad inputs', () => {
    expect(() => conv2d(4, 3).init(key, [-1, 3, 32])).toThrow(/rank 4/);
    expect(() => conv2d(4, 5).init(key, [-1, 3, 2, 2])).toThrow(/does not fit/);
    expect(() => conv2d(3, 3, { groups: 2 })).toThrow(/divisible by groups/);
  });
});

describe('pooling, flatten, activations, identity', () => {
  const x = tensor([[[[1, 2, 3, 4], [5, 6, 7, 8], [9, 10, 11, 12], [13, 14, 15, 16]]]]);
  it('max / avg / global average pool', () => {
    expect(() => maxPool(2 as never)).toThrow(/maxPool: takes options \{ kernel, stride\?, padding\? \}; got 2. E.g. maxPool\(\{ kernel: 2 \}\)/);
    const [mo] = maxPool({ kernel: 2 }).init(key, [-1, 1, 4, 4]);
    expect(mo).toEqual([-1, 1, 2, 2]);
    expect((maxPool({ kernel: 2 }).apply({}, {}, x, ev)[0] as Tensor).toList()).toEqual([[[[6, 8], [14, 16]]]]);
    expect((avgPool({ kernel: 2 }).apply({}, {}, x, ev)[0] as Tensor).toList()).toEqual([[[[3.5, 5.5], [11.5, 13.5]]]]);
    expect(maxPool({ kernel: 3, stride: 2, padding: 1 }).init(key, [-1, 64, 112, 112])[0]).toEqual([-1, 64, 56, 56]);
    expect(globalAvgPool.init(key, [-1, 8, 4, 4])[0]).toEqual([-1, 8]);
    expect((globalAvgPool.apply({}, {}, x, ev)[0] as Tensor).toList()).toEqual([[8.5]]);
    expect(() => maxPool({ kernel: 2, padding: 2 }).init(key, [-1, 1, 4, 4])).toThrow(/smaller than the 2×2 window/);
  });

  it('flatten keeps the batch axis', () => {
    expect(flatten.init(key, [-1, 16, 8, 8])[0]).toEqual([-1, 1024]);
    expect((flatten.apply({}, {}, x, ev)[0] as Tensor).shape).toEqual([1, 16]);
  });

  it('activations apply the tensor functions and keep the shape', () => {
    const v = tensor([-2, -0.5, 0, 0.5, 2]);
    expect((relu.apply({}, {}, v, ev)[0] as Tensor).toList()).toEqual([0, 0, 0, 0.5, 2]);
    expectAllClose(sigmoid.apply({}, {}, v, ev)[0] as Tensor, [-2, -0.5, 0, 0.5, 2].map((t) => 1 / (1 + Math.exp(-t))), { atol: 1e-6 });
    expectAllClose(tanh.apply({}, {}, v, ev)[0] as Tensor, [-2, -0.5, 0, 0.5, 2].map(Math.tanh), { atol: 1e-6 });
    const g = (t: number) => 0.5 * t * (1 + Math.tanh(Math.sqrt(2 / Math.PI) * (t + 0.044715 * t ** 3)));
    expectAllClose(gelu.apply({}, {}, v, ev)[0] as Tensor, [-2, -0.5, 0, 0.5, 2].map(g), { atol: 1e-6 });
    expect(relu.init(key, [-1, 3])).toEqual([[-1, 3], {}, {}]);
    expect(identity.apply({}, {}, v, ev)[0]).toBe(v);
  });
});

describe('dropout', () => {
  const x = random.normal(key, [8, 16], { mean: 3 });
  const layer = dropout(0.25);
  it('is deterministic given the key and differs across keys', () => {
    const a = layer.apply({}, {}, x, { train: true, key: random.key(5) })[0] as Tensor;
    const b = layer.apply({}, {}, x, { train: true, key: random.key(5) })[0] as Tensor;
    const c = layer.apply({}, {}, x, { train: true, key: random.key(6) })[0] as Tensor;
    expect(a.toList()).toEqual(b.toList());
    expect(a.toList()).not.toEqual(c.toList());
  });

  it('zeroes or scales each element by 1/(1 − rate), and keeps the mean in expectation', () => {
    const big = random.normal(key, [200, 100], { mean: 1, std: 0.1 });
    const y = (layer.apply({}, {}, big, { train: true, key: random.key(7) })[0] as Tensor).toArray();
    const xs = big.toArray();
    let dropped = 0;
    y.forEach((v, i) => {
      if (v === 0) dropped++;
      else expect(v).toBeCloseTo(xs[i]! / 0.75, 4);
    });
    // 20,000 Bernoulli(0.25) draws: mean 5,000, sd ≈ 61; 6 sd is a safe band.
    expect(Math.abs(dropped - 5000)).toBeLessThan(370);
  });

  it('is the identity in evaluation, and needs a key in training', () => {
    expect(layer.apply({}, {}, x, ev)[0]).toBe(x);
    expect(() => layer.apply({}, {}, x, { train: true })).toThrow(/needs a PRNG key/);
    expect(dropout(0).apply({}, {}, x, { train: true })[0]).toBe(x);
    expect(() => dropout(1)).toThrow(/rate/);
  });
});
