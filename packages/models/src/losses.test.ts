import fc from 'fast-check';
import { tensor } from '@ssam/tensor';
import { expectAllClose } from '@ssam/tensor/testing';
import { describe, expect, it } from 'vitest';
import { softmaxCrossEntropy } from './losses.js';
import { accuracy, topKAccuracy, topKCorrect } from './metrics.js';

const labels = (xs: number[]) => tensor(xs, [xs.length], { dtype: 'int32' });

/** log softmax of one row in float64. */
const logSoftmaxRow = (z: number[]) => {
  const m = Math.max(...z);
  const lse = m + Math.log(z.reduce((a, v) => a + Math.exp(v - m), 0));
  return z.map((v) => v - lse);
};

describe('softmaxCrossEntropy', () => {
  const z = [[1, 2, 3], [0, 0, 0], [2, -1, 0.5]];
  const y = [2, 1, 0];

  it('matches −log softmax at the label (hand values)', () => {
    // −log(e³ / (e + e² + e³)) = 0.4076059644, −log(1/3) = 1.0986122887.
    expectAllClose(softmaxCrossEntropy(tensor([[1, 2, 3]]), labels([2])), 0.4076059644, { rtol: 1e-6 });
    expectAllClose(softmaxCrossEntropy(tensor([[0, 0, 0]]), labels([1])), 1.0986122887, { rtol: 1e-6 });
    const per = z.map((row, i) => -logSoftmaxRow(row)[y[i]!]!);
    expectAllClose(softmaxCrossEntropy(tensor(z), labels(y), { reduction: 'none' }), per, { rtol: 1e-6 });
    expectAllClose(softmaxCrossEntropy(tensor(z), labels(y)), per.reduce((a, b) => a + b) / 3, { rtol: 1e-6 });
    expectAllClose(softmaxCrossEntropy(tensor(z), labels(y), { reduction: 'sum' }), per.reduce((a, b) => a + b), { rtol: 1e-6 });
  });

  it('is stable for huge logits', () => {
    const l = softmaxCrossEntropy(tensor([[1000, 0, -1000], [-1e4, 1e4, 0]]), labels([1, 1]), { reduction: 'none' });
    expectAllClose(l, [1000, 0], { rtol: 1e-6, atol: 1e-6 });
  });

  it("is rounded at the loss's magnitude, not the logits' (PyTorch: 1.1802697)", () => {
    // torch.nn.functional.cross_entropy(tensor([[10000, 10000.5, 9999.5]]), tensor([0])) in float32
    const l = softmaxCrossEntropy(tensor([[10000, 10000.5, 9999.5]]), labels([0])).item();
    expect(Math.abs(l - 1.1802697)).toBeLessThan(4 * 2 ** -23);
  });

  it("uniform smoothing is PyTorch's: target (1 − ε)·onehot + ε/C", () => {
    const eps = 0.1, C = 3;
    const per = z.map((row, i) => {
      const lp = logSoftmaxRow(row);
      return -lp.reduce((a, v, c) => a + ((c === y[i] ? 1 - eps : 0) + eps / C) * v, 0);
    });
    expectAllClose(softmaxCrossEntropy(tensor(z), labels(y), { labelSmoothing: eps, reduction: 'none' }), per, { rtol: 1e-5 });
    // Hand value for row 0: −(0.9333…·(−0.40761) + 0.0333…·(−2.40761 − 1.40761)) = 0.50758...
    expectAllClose(softmaxCrossEntropy(tensor([[1, 2, 3]]), labels([2]), { labelSmoothing: 0.1 }), 0.9333333 * 0.4076059644 + (2.4076059644 + 1.4076059644) / 30, { rtol: 1e-5 });
  });

  it("KL smoothing is the SAM examples' smooth_crossentropy: ε/(C − 1) off target, KL(target ‖ p)", () => {
    const eps = 0.2, C = 3;
    const per = z.map((row, i) => {
      const lp = logSoftmaxRow(row);
      return lp.reduce((a, v, c) => {
        const t = c === y[i] ? 1 - eps : eps / (C - 1);
        return a + t * (Math.log(t) - v);
      }, 0);
    });
    expectAllClose(softmaxCrossEntropy(tensor(z), labels(y), { labelSmoothing: eps, smoothing: 'kl', reduction: 'none' }), per, { rtol: 1e-5, atol: 1e-6 });
    // A prediction equal to the target scores 0: logits log(target).
    const perfect = softmaxCrossEntropy(tensor([[Math.log(0.8), Math.log(0.1), Math.log(0.1)]]), labels([0]), { labelSmoothing: eps, smoothing: 'kl' });
    expectAllClose(perfect, 0, { atol: 1e-6 });
    // With ε = 0 both forms are plain cross-entropy.
    expectAllClose(softmaxCrossEntropy(tensor(z), labels(y), { smoothing: 'kl' }), softmaxCrossEntropy(tensor(z), labels(y)));
  });

  it('law: KL form = uniform-style CE with targets ε/(C−1) minus the target entropy, ≥ 0', () => {
    fc.assert(
      fc.property(fc.array(fc.float({ min: -5, max: 5, noNaN: true }), { minLength: 4, maxLength: 4 }), fc.integer({ min: 0, max: 3 }), fc.double({ min: 0.01, max: 0.5, noNaN: true }), (row, t, eps) => {
        const kl = softmaxCrossEntropy(tensor([row]), labels([t]), { labelSmoothing: eps, smoothing: 'kl' }).item();
        expect(kl).toBeGreaterThanOrEqual(-1e-5);
        const lp = logSoftmaxRow(row);
        const ce = -lp.reduce((a, v, c) => a + (c === t ? 1 - eps : eps / 3) * v, 0);
        const h = -((1 - eps) * Math.log(1 - eps) + eps * Math.log(eps / 3));
        expect(kl).toBeCloseTo(ce - h, 4);
      }),
      { numRuns: 50 },
    );
  });

  it('explains wrong arguments', () => {
    expect(() => softmaxCrossEntropy(tensor([[1, 2]]), tensor([1]))).toThrow(/int32/);
    expect(() => softmaxCrossEntropy(tensor([[1, 2]]), labels([2]))).toThrow(/outside \[0, 2\)/);
    expect(() => softmaxCrossEntropy(tensor([1, 2]), labels([0]))).toThrow(/\[N, C\]/);
    expect(() => softmaxCrossEntropy(tensor([[1, 2]]), labels([0, 1]))).toThrow(/must be \[N\]/);
    expect(() => softmaxCrossEntropy(tensor([[1, 2]]), labels([0]), { labelSmoothing: 1 })).toThrow(/labelSmoothing/);
  });
});

describe('accuracy and top-k', () => {
  const logits = tensor([[0.1, 0.5, 0.2, 0.0], [3, 1, 2, 0], [0, 0, 1, 2], [1, 1, 1, 1]]);
  it('counts argmax hits and top-k hits (hand values)', () => {
    const y = labels([1, 2, 2, 1]);
    expect(accuracy(logits, y)).toBe(0.25); // only row 0
    expect(topKCorrect(logits, y, 2)).toBe(4); // rows 1, 2 are second; row 3 ties and ranks after class 0 only
    expect(topKAccuracy(logits, labels([3, 3, 3, 3]), 1)).toBe(0.25);
    expect(topKAccuracy(logits, labels([0, 3, 0, 3]), 4)).toBe(1);
  });
  it('ties break toward the lower class index, as argmax', () => {
    expect(accuracy(tensor([[1, 1, 1]]), labels([0]))).toBe(1);
    expect(accuracy(tensor([[1, 1, 1]]), labels([1]))).toBe(0);
    expect(topKAccuracy(tensor([[1, 1, 1]]), labels([1]), 2)).toBe(1);
    expect(topKAccuracy(tensor([[1, 1, 1]]), labels([2]), 2)).toBe(0);
  });
  it('law: top-k accuracy is non-decreasing in k and reaches 1 at k = C', () => {
    fc.assert(
      fc.property(fc.array(fc.array(fc.integer({ min: -3, max: 3 }), { minLength: 5, maxLength: 5 }), { minLength: 1, maxLength: 6 }), fc.infiniteStream(fc.integer({ min: 0, max: 4 })), (rows, ys) => {
        const y = labels(rows.map(() => ys.next().value as number));
        const l = tensor(rows);
        let prev = 0;
        for (let k = 1; k <= 5; k++) {
          const a = topKAccuracy(l, y, k);
          expect(a).toBeGreaterThanOrEqual(prev);
          prev = a;
        }
        expect(prev).toBe(1);
      }),
      { numRuns: 50 },
    );
    expect(() => topKAccuracy(logits, labels([0, 0, 0, 0]), 5)).toThrow(/k must be/);
  });
});
