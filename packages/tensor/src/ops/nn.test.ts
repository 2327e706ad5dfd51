import { fc, test } from '@fast-check/vitest';
import { describe, expect, it } from 'vitest';
import { clip, gelu, leakyRelu, logSoftmax, logSumExp, norm, oneHot, relu, sigmoid, softmax, square, sum, tanh, tensor } from '../index.js';
import { seededTensor } from '../testing/conformance.js';

/** log Σ exp in float64 with the max shifted out. */
const lse = (v: readonly number[]) => {
  const m = Math.max(...v);
  return m + Math.log(v.reduce((s, x) => s + Math.exp(x - m), 0));
};

describe('logSumExp', () => {
  it('is stable at ±1e4', () => {
    expect(logSumExp(tensor([1e4, 1e4])).item()).toBeCloseTo(1e4 + Math.log(2), 2);
    expect(logSumExp(tensor([-1e4, -1e4])).item()).toBeCloseTo(-1e4 + Math.log(2), 2);
    expect(logSumExp(tensor([1e4, -1e4])).item()).toBeCloseTo(1e4, 2);
    expect(logSumExp(tensor([-1e4, -1e4 + 1, -1e4 - 3])).item()).toBeCloseTo(lse([-1e4, -1e4 + 1, -1e4 - 3]), 2);
    const rows = logSumExp(tensor([[1e4, 1e4 - 1], [-1e4, -1e4]]), { axes: 1 }).toArray();
    expect(rows[0]).toBeCloseTo(lse([1e4, 1e4 - 1]), 2);
    expect(rows[1]).toBeCloseTo(-1e4 + Math.log(2), 2);
  });

  it('handles −∞ entries and all −∞ rows without NaN', () => {
    expect(logSumExp(tensor([-Infinity, 0])).item()).toBeCloseTo(0, 6);
    expect(logSumExp(tensor([-Infinity, -Infinity])).item()).toBe(-Infinity);
  });

  test.prop([fc.integer({ min: 1, max: 6 }), fc.integer({ min: 1, max: 6 }), fc.double({ min: -1e4, max: 1e4, noNaN: true }), fc.nat(), fc.boolean()], {
    numRuns: 100,
  })('matches the float64 shifted definition for any offset, keepdims or not', (r, c, shift, seed, keepdims) => {
    const x0 = seededTensor([r, c], seed, { min: -5, max: 5 });
    const X = x0.toArray().map((v) => v + shift);
    const x = tensor(X, [r, c]);
    const y = logSumExp(x, { axes: -1, keepdims });
    expect(y.shape).toEqual(keepdims ? [r, 1] : [r]);
    const Xf = x.toArray();
    y.toArray().forEach((v, i) => {
      const want = lse([...Xf.slice(i * c, (i + 1) * c)]);
      expect(Math.abs(v - want)).toBeLessThan(1e-5 * (1 + Math.abs(want)));
    });
  });
});

describe('softmax', () => {
  test.prop([fc.integer({ min: 1, max: 5 }), fc.integer({ min: 1, max: 8 }), fc.double({ min: -1e4, max: 1e4, noNaN: true }), fc.nat()], { numRuns: 100 })(
    'rows sum to 1, entries lie in [0, 1] and logSoftmax ≤ 0, also far from zero',
    (r, c, shift, seed) => {
      const x = tensor(seededTensor([r, c], seed, { min: -20, max: 20 }).toArray().map((v) => v + shift), [r, c]);
      const p = softmax(x);
      sum(p, { axes: 1 }).toArray().forEach((s) => expect(Math.abs(s - 1)).toBeLessThan(1e-5));
      p.toArray().forEach((v) => expect(v >= 0 && v <= 1).toBe(true));
      logSoftmax(x).toArray().forEach((v) => expect(v).toBeLessThanOrEqual(1e-6));
    },
  );

  it('logSoftmax subtracts the max first, so a loss at logits ~1e4 is rounded at its own magnitude', () => {
    // PyTorch (float32): F.cross_entropy(tensor([[10000, 10000.5, 9999.5]]), tensor([0])) = 1.1802697.
    // x − (m + log Σ) rounds at the spacing of 1e4 (~1e-3) and gave 1.1806641.
    const loss = -logSoftmax(tensor([[10000, 10000.5, 9999.5]])).toArray()[0]!;
    expect(Math.abs(loss - 1.1802697)).toBeLessThan(4 * 2 ** -23);
    for (const shift of [-3e4, -1e4, 1e4, 3e4]) {
      const l = -logSoftmax(tensor([[shift, shift + 0.5, shift - 0.5]])).toArray()[0]!;
      expect(Math.abs(l - 1.1802697), `shift ${shift}`).toBeLessThan(4 * 2 ** -23);
    }
  });

  it('softmax over axis 0 and of equal logits', () => {
    expect(softmax(tensor([[0, 5], [0, 5]]), 0).toList()).toEqual([[0.5, 0.5], [0.5, 0.5]]);
    softmax(tensor([3, 3, 3, 3])).toArray().forEach((v) => expect(v).toBeCloseTo(0.25, 6));
  });
});

describe('activations and helpers', () => {
  const xs = [-100, -3, -0.5, 0, 0.5, 3, 100];
  const x = tensor(xs);
  const check = (got: Float32Array | Int32Array, f: (v: number) => number, tol = 1e-6) =>
    xs.forEach((v, i) => expect(Math.abs(got[i]! - f(v))).toBeLessThanOrEqual(tol * (1 + Math.abs(f(v)))));

  it('follow their formulas without overflow at ±100', () => {
    check(relu(x).toArray(), (v) => Math.max(v, 0));
    check(leakyRelu(x, 0.1).toArray(), (v) => (v > 0 ? v : 0.1 * v));
    check(sigmoid(x).toArray(), (v) => 1 / (1 + Math.exp(-v)));
    check(tanh(x).toArray(), Math.tanh, 1e-5);
    check(gelu(x).toArray(), (v) => 0.5 * v * (1 + Math.tanh(Math.sqrt(2 / Math.PI) * (v + 0.044715 * v ** 3))), 1e-5);
    check(square(x).toArray(), (v) => v * v);
    check(clip(x, -1, 2).toArray(), (v) => Math.min(Math.max(v, -1), 2));
  });

  it('oneHot, norm', () => {
    expect(oneHot(tensor([2, 0], undefined, { dtype: 'int32' }), 3).toList()).toEqual([[0, 0, 1], [1, 0, 0]]);
    expect(norm(tensor([[3, 0], [0, 4]])).item()).toBeCloseTo(5, 6);
    expect(norm(tensor([[3, 4], [6, 8]]), { axes: 1 }).toList()).toEqual([5, 10]);
    expect(() => oneHot(tensor([1]), 3)).toThrow(/oneHot: labels must be int32, got float32/);
    expect(() => oneHot(tensor([1], undefined, { dtype: 'int32' }), 0)).toThrow(/oneHot: numClasses must be a positive integer, got 0/);
  });
});
