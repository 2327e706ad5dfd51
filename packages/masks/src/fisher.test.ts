import { describe, expect, it } from 'vitest';
import { fc, test } from '@fast-check/vitest';
import { add, log, matmul, mul, neg, random, sigmoid, sub, tanh, tensor, tree, type Tensor, type Tree } from '@ssam/tensor';
import { fisherScores } from './fisher.js';

type LR = { w: Tensor; b: Tensor };
type Batch = { x: Tensor; y: Tensor };

/** Per-example logistic loss −y log σ(z) − (1 − y) log(1 − σ(z)), z = x·w + b. */
const logisticLoss = (p: Tree, batch: Tree): Tensor => {
  const { w, b } = p as LR;
  const { x, y } = batch as Batch;
  const s = sigmoid(add(matmul(x, w), b));
  return neg(add(mul(y, log(s)), mul(sub(1, y), log(sub(1, s)))));
};

/** Closed form: Σ_i ((σ(wᵀx_i + b) − y_i) x_i)² and Σ_i (σ(wᵀx_i + b) − y_i)². */
function analytic(w: number[], b: number, xs: number[][], ys: number[], rows: readonly number[]): { w: number[]; b: number } {
  const fw = w.map(() => 0);
  let fb = 0;
  for (const i of rows) {
    const z = xs[i]!.reduce((a, xj, j) => a + xj * w[j]!, b);
    const r = 1 / (1 + Math.exp(-z)) - ys[i]!;
    xs[i]!.forEach((xj, j) => (fw[j]! += (r * xj) ** 2));
    fb += r * r;
  }
  return { w: fw, b: fb };
}

const arbProblem = fc.integer({ min: 1, max: 4 }).chain((d) =>
  fc.record({
    w: fc.array(fc.double({ min: -2, max: 2, noNaN: true }), { minLength: d, maxLength: d }),
    b: fc.double({ min: -1, max: 1, noNaN: true }),
    xs: fc.array(fc.array(fc.double({ min: -2, max: 2, noNaN: true }), { minLength: d, maxLength: d }), { minLength: 1, maxLength: 6 }),
    seed: fc.nat(),
  }),
);

const close = (got: Tensor, want: number[] | number) => {
  const g = Array.from(got.toArray());
  const w = Array.isArray(want) ? want : [want];
  g.forEach((v, i) => expect(Math.abs(v - w[i]!)).toBeLessThanOrEqual(1e-4 * (1 + Math.abs(w[i]!))));
};

describe('fisherScores', () => {
  test.prop([arbProblem, fc.integer({ min: 1, max: 4 })], { numRuns: 25 })(
    'logistic regression: equals the analytic Σ_i ((σ(wᵀx_i) − y_i) x_i)², one example at a time and chunked',
    ({ w, b, xs, seed }, chunkSize) => {
      const ys = xs.map((_, i) => (seed >> i) & 1);
      const params = { w: tensor(w), b: tensor(b) };
      const examples = { x: tensor(xs), y: tensor(ys) };
      const want = analytic(w, b, xs, ys, xs.map((_, i) => i));
      for (const opts of [{}, { chunkSize }]) {
        const f = fisherScores(logisticLoss, params, examples, opts) as LR;
        close(f.w, want.w);
        close(f.b, want.b);
      }
    },
  );

  it('is right at a zero-initialised model (σ\'(0) = 1/4: regression for the sigmoid gradient at 0)', () => {
    const xs = [[1, -2], [0.5, 3]];
    const ys = [1, 0];
    const f = fisherScores(logisticLoss, { w: tensor([0, 0]), b: tensor(0) }, { x: tensor(xs), y: tensor(ys) }) as LR;
    const want = analytic([0, 0], 0, xs, ys, [0, 1]);
    close(f.w, want.w); // (0.5² + 0.5²·0.25, 0.5²·4 + 0.5²·9)
    close(f.b, want.b);
    expect(want.b).toBe(0.5);
  });

  it('uses numSamples examples: the first ones, or a keyed draw without replacement', () => {
    const xs = [[1, 0], [0, 2], [1, 1], [-1, 3], [2, -1]];
    const ys = [1, 0, 0, 1, 1];
    const params = { w: tensor([0.3, -0.2]), b: tensor(0.1) };
    const examples = { x: tensor(xs), y: tensor(ys) };
    close((fisherScores(logisticLoss, params, examples, { numSamples: 2 }) as LR).w, analytic([0.3, -0.2], 0.1, xs, ys, [0, 1]).w);
    const key = random.key(7);
    const rows = Array.from(random.permutation(key, 5).toArray()).slice(0, 3);
    const keyed = fisherScores(logisticLoss, params, examples, { numSamples: 3, key, chunkSize: 2 }) as LR;
    close(keyed.w, analytic([0.3, -0.2], 0.1, xs, ys, rows).w);
    expect(Array.from((fisherScores(logisticLoss, params, examples, { numSamples: 3, key }) as LR).w.toArray())).toEqual(Array.from(keyed.w.toArray()).map((v) => expect.closeTo(v, 5)));
  });

  it('is exact for a nonlinear model too: chunked and per-example agree, params are untouched', () => {
    const k = random.split(random.key(3), 3);
    const params = { w1: random.normal(k[0]!, [3, 5]), w2: random.normal(k[1]!, [5]) };
    const before = tree.leaves(params).map((l) => Array.from(l.toArray()));
    const x = random.normal(k[2]!, [6, 3]);
    const loss = (p: Tree, batch: Tree): Tensor => {
      const q = p as typeof params;
      const h = tanh(matmul((batch as { x: Tensor }).x, q.w1));
      const z = matmul(h, q.w2);
      return mul(z, z);
    };
    const a = fisherScores(loss, params, { x });
    const b = fisherScores(loss, params, { x }, { chunkSize: 4 });
    tree.leaves(a).forEach((l, i) => close(l, Array.from(tree.leaves(b)[i]!.toArray())));
    expect(tree.leaves(params).map((l) => Array.from(l.toArray()))).toEqual(before);
  });

  it('rejects losses that are not per-example, and bad options', () => {
    const params = { w: tensor([1, 2]), b: tensor(0) };
    const examples = { x: tensor([[1, 2], [3, 4]]), y: tensor([0, 1]) };
    const withState = ((p: Tree, batch: Tree) => [logisticLoss(p, batch), {}]) as never;
    expect(() => fisherScores(withState, params, examples)).toThrow(/fisherScores: perExampleLoss must return one loss per example, a tensor \[\d+\].*no model state/);
    const mean = (p: Tree, batch: Tree) => tree.leaves(logisticLoss(p, batch))[0]!.shape.length ? tensor(0) : tensor(0);
    expect(() => fisherScores(mean, params, examples, { chunkSize: 2 })).toThrow(/a tensor \[2\]; got shape \[\]/);
    expect(() => fisherScores(logisticLoss, params, examples, { numSamples: 3 })).toThrow(/fisherScores: numSamples = 3 but examples holds only 2/);
    expect(() => fisherScores(logisticLoss, params, examples, { chunkSize: 0 })).toThrow(/fisherScores: chunkSize must be an integer ≥ 1; got 0/);
    expect(() => fisherScores(logisticLoss, params, { x: tensor([[1, 2]]), y: tensor([0, 1]) })).toThrow(/same leading example axis/);
  });
});
