import { random, type Tensor } from '@ssam/tensor';
import { describe, expect, it } from 'vitest';
import * as init from './init.js';
import { conv2d } from './layers/conv.js';
import { dense } from './layers/dense.js';

const stats = (t: Tensor) => {
  const d = t.toArray();
  const m = d.reduce((a, b) => a + b, 0) / d.length;
  const v = d.reduce((a, b) => a + (b - m) ** 2, 0) / d.length;
  return { mean: m, std: Math.sqrt(v), maxAbs: d.reduce((a, b) => Math.max(a, Math.abs(b)), 0), n: d.length };
};
const key = random.key(11);

describe('initialisers', () => {
  it('compute PyTorch fans for dense and conv weights', () => {
    expect(init.fansOf([10, 784])).toEqual({ fanIn: 784, fanOut: 10 });
    expect(init.fansOf([64, 16, 3, 3])).toEqual({ fanIn: 144, fanOut: 576 });
  });

  it('kaimingNormal has std √2/√fan for fan_in and fan_out', () => {
    const shape = [64, 32, 3, 3];
    const fans = init.fansOf(shape);
    for (const mode of ['fanIn', 'fanOut'] as const) {
      const s = stats(init.kaimingNormal({ mode })(key, shape, fans));
      const want = Math.SQRT2 / Math.sqrt(mode === 'fanIn' ? 288 : 576);
      // 18,432 samples: the sample std is within ~1% (3 sd ≈ 1.6%).
      expect(Math.abs(s.std / want - 1)).toBeLessThan(0.03);
      expect(Math.abs(s.mean)).toBeLessThan(4 * want / Math.sqrt(s.n));
    }
  });

  it("PyTorch's default weight and bias init are U(±1/√fanIn)", () => {
    const shape = [128, 200];
    const fans = init.fansOf(shape);
    const w = stats(init.torchWeight(key, shape, fans));
    const bound = 1 / Math.sqrt(200);
    expect(w.maxAbs).toBeLessThanOrEqual(bound);
    expect(w.maxAbs).toBeGreaterThan(0.99 * bound);
    // U(±a) has std a/√3.
    expect(Math.abs(w.std / (bound / Math.sqrt(3)) - 1)).toBeLessThan(0.03);
    const b = stats(init.torchBias(key, [4096], fans));
    expect(b.maxAbs).toBeLessThanOrEqual(bound);
    expect(b.maxAbs).toBeGreaterThan(0.98 * bound);
  });

  it('glorotUniform, constants, and the mode check', () => {
    const g = stats(init.glorotUniform()(key, [100, 50], init.fansOf([100, 50])));
    expect(g.maxAbs).toBeLessThanOrEqual(Math.sqrt(6 / 150));
    expect(stats(init.constant(0.5)(key, [3], { fanIn: 1, fanOut: 1 })).mean).toBe(0.5);
    expect(() => init.kaimingNormal({ mode: 'fan_out' as never })).toThrow(/'fanIn' or 'fanOut'/);
  });

  it('layers pass the weight fans to custom initialisers', () => {
    const seen: init.Fans[] = [];
    const spy: init.Initializer = (k, shape, fans) => (seen.push(fans), init.zeros(k, shape, fans));
    conv2d(8, 3, { wInit: spy, bInit: spy }).init(key, [-1, 4, 6, 6]);
    dense(5, { wInit: spy }).init(key, [-1, 7]);
    expect(seen).toEqual([{ fanIn: 36, fanOut: 72 }, { fanIn: 36, fanOut: 72 }, { fanIn: 7, fanOut: 5 }]);
  });

  it('withShapeOnlyInit makes zeros of the right shapes and restores sampling afterwards', () => {
    const [, p] = init.withShapeOnlyInit(() => dense(3).init(key, [-1, 2]));
    expect(p.w.toList()).toEqual([[0, 0], [0, 0], [0, 0]]);
    const [, q] = dense(3).init(key, [-1, 2]);
    expect(q.w.toArray().some((v) => v !== 0)).toBe(true);
    expect(() => init.makeParam(() => init.zeros(key, [2], { fanIn: 1, fanOut: 1 }), key, [3], { fanIn: 1, fanOut: 1 })).toThrow(/returned shape \[2\]/);
  });
});
