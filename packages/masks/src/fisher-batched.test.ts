import { describe, expect, it } from 'vitest';
import { fc, test } from '@fast-check/vitest';
import {
  add, addcmul, conv2d, div, log, logSoftmax, matmul, maximum, mul, neg, oneHot, random, reshape, sigmoid, sqrt, square, sub, sum, tanh, tensor, transpose, tree,
  type Tensor, type Tree,
} from '@ssam/tensor';
import { fisherScores } from './fisher.js';
import { batchedSquares } from './fisher-batched.js';

// The batched path against the exact per-example path, on models built from the same ops as
// @ssam/models' dense (x·wᵀ + b), conv2d (+ bias reshaped to [1, O, 1, 1]) and eval-mode BatchNorm.

const close = (got: Tree, want: Tree, rtol = 2e-4) => {
  const g = tree.leaves(got), w = tree.leaves(want);
  expect(g.length).toBe(w.length);
  g.forEach((l, i) => {
    expect(l.shape).toEqual(w[i]!.shape);
    const a = l.toArray(), b = w[i]!.toArray();
    const scale = Math.max(1e-6, ...Array.from(b, Math.abs));
    a.forEach((v, j) => expect(Math.abs(v - b[j]!)).toBeLessThanOrEqual(rtol * scale + 1e-6));
  });
};

const dense = (x: Tensor, p: { w: Tensor; b?: Tensor }) => (p.b ? add(matmul(x, p.w, { transposeB: true }), p.b) : matmul(x, p.w, { transposeB: true }));
const xent = (logits: Tensor, y: Tensor) => neg(sum(mul(logSoftmax(logits, -1), oneHot(y, logits.shape[1]!)), { axes: [1] }));
const bnEval = (x: Tensor, p: { gamma: Tensor; beta: Tensor }, s: { mean: Tensor; var: Tensor }) => {
  const c = x.shape[1]!, bs = x.shape.map((d, i) => (i === 1 ? c : 1));
  const inv = div(reshape(p.gamma, bs), sqrt(add(reshape(s.var, bs), 1e-5)));
  return add(mul(sub(x, reshape(s.mean, bs)), inv), reshape(p.beta, bs));
};
/** The same eval-mode BatchNorm as @ssam/models writes it: β and γ/σ meet the batch in one fused addcmul. */
const bnEvalFused = (x: Tensor, p: { gamma: Tensor; beta: Tensor }, s: { mean: Tensor; var: Tensor }) => {
  const c = x.shape[1]!, bs = x.shape.map((d, i) => (i === 1 ? c : 1));
  const inv = div(reshape(p.gamma, bs), sqrt(add(reshape(s.var, bs), 1e-5)));
  return addcmul(reshape(p.beta, bs), sub(x, reshape(s.mean, bs)), inv);
};

function mlp(key: ReturnType<typeof random.key>, sizes: number[]) {
  const ks = random.split(key, sizes.length);
  const params: Record<string, { w: Tensor; b: Tensor }> = {};
  for (let l = 0; l + 1 < sizes.length; l++)
    params[`l${l}`] = { w: random.normal(ks[l]!, [sizes[l + 1]!, sizes[l]!], { std: 0.7 }), b: random.normal(random.foldIn(ks[l]!, 1), [sizes[l + 1]!], { std: 0.3 }) };
  const loss = (p: Tree, batch: Tree): Tensor => {
    const { x, y } = batch as { x: Tensor; y: Tensor };
    let h = x;
    for (let l = 0; l + 1 < sizes.length; l++) {
      h = dense(h, (p as typeof params)[`l${l}`]!);
      if (l + 2 < sizes.length) h = tanh(h);
    }
    return xent(h, y);
  };
  return { params, loss };
}

describe("fisherScores, method: 'batched'", () => {
  it('equals the per-example path on an MLP (dense weights and biases)', () => {
    const k = random.split(random.key(1), 3);
    const { params, loss } = mlp(k[0]!, [5, 7, 4]);
    const examples = { x: random.normal(k[1]!, [9, 5]), y: random.randint(k[2]!, [9], 0, 4) };
    const exact = fisherScores(loss, params, examples);
    close(fisherScores(loss, params, examples, { method: 'batched' }), exact);
    close(fisherScores(loss, params, examples, { method: 'batched', chunkSize: 4 }), exact);
  });

  for (const [form, bn] of [['op by op', bnEval], ['fused addcmul, as in @ssam/models', bnEvalFused]] as const)
  it(`equals the per-example path on a small CNN with eval-mode BatchNorm (${form}) and a strided, padded conv`, () => {
    const k = random.split(random.key(2), 8);
    const params = {
      c1: { w: random.normal(k[0]!, [4, 2, 3, 3], { std: 0.5 }), b: random.normal(k[1]!, [4], { std: 0.2 }) },
      bn: { gamma: random.uniform(k[2]!, [4], { min: 0.5, max: 1.5 }), beta: random.normal(k[3]!, [4], { std: 0.2 }) },
      c2: { w: random.normal(k[4]!, [4, 2, 2, 2], { std: 0.5 }) }, // groups 2
      fc: { w: random.normal(k[5]!, [3, 16], { std: 0.5 }), b: tensor([0.1, -0.2, 0.05]) },
    };
    const state = { mean: tensor([0.1, -0.1, 0, 0.2]), var: tensor([1.2, 0.8, 1, 0.5]) };
    const loss = (p: Tree, batch: Tree): Tensor => {
      const q = p as typeof params, { x, y } = batch as { x: Tensor; y: Tensor };
      let h = add(conv2d(x, q.c1.w, { padding: 1 }), reshape(q.c1.b, [1, 4, 1, 1]));
      h = maximum(bn(h, q.bn, state), 0);
      h = conv2d(h, q.c2.w, { stride: 2, groups: 2 });
      return xent(dense(reshape(h, [h.shape[0]!, 16]), q.fc), y);
    };
    const x = random.normal(k[6]!, [5, 2, 5, 5]);
    const examples = { x, y: random.randint(k[7]!, [5], 0, 3) };
    close(fisherScores(loss, params, examples, { method: 'batched' }), fisherScores(loss, params, examples));
    // Every leaf (conv filters, grouped too, conv bias, BN gamma and beta, dense) is covered in closed form.
    const { sums, fallback } = batchedSquares((b) => loss(params, b), tree.leaves(params), examples, 5);
    expect(fallback.size).toBe(0);
    expect(sums.every((s) => s !== null)).toBe(true);
  });

  it('logistic regression: equals the analytic Σ_i ((σ(wᵀx_i + b) − y_i) x_i)²', () => {
    const xs = [[1, -2, 0.5], [0.5, 3, -1], [-1, 0.2, 2], [2, 1, 1]];
    const ys = [1, 0, 1, 0];
    const w = [0.3, -0.4, 0.2], b = 0.1;
    const loss = (p: Tree, batch: Tree): Tensor => {
      const q = p as { w: Tensor; b: Tensor }, { x, y } = batch as { x: Tensor; y: Tensor };
      const s = sigmoid(add(matmul(x, q.w), q.b));
      return neg(add(mul(y, log(s)), mul(sub(1, y), log(sub(1, s)))));
    };
    const fw = [0, 0, 0];
    let fb = 0;
    xs.forEach((x, i) => {
      const r = 1 / (1 + Math.exp(-x.reduce((a, v, j) => a + v * w[j]!, b))) - ys[i]!;
      x.forEach((v, j) => (fw[j]! += (r * v) ** 2));
      fb += r * r;
    });
    const f = fisherScores(loss, { w: tensor(w), b: tensor(b) }, { x: tensor(xs), y: tensor(ys) }, { method: 'batched' });
    close(f, { b: tensor(fb), w: tensor(fw) });
  });

  it('covers a non-linear parameter-only subgraph (a weight used as w ⊙ w) by per-example pullbacks of that subgraph, still exact', () => {
    const k = random.split(random.key(4), 3);
    const params = { w: random.normal(k[0]!, [3, 4]), v: random.normal(k[1]!, [3]) };
    const loss = (p: Tree, batch: Tree): Tensor => {
      const q = p as typeof params, x = (batch as { x: Tensor }).x;
      const h = tanh(matmul(x, mul(q.w, q.w), { transposeB: true })); // w·w: a non-linear parameter-only subgraph
      const z = matmul(h, q.v);
      return mul(z, z);
    };
    const examples = { x: random.normal(k[2]!, [6, 4]) };
    close(fisherScores(loss, params, examples, { method: 'batched' }), fisherScores(loss, params, examples));
  });

  it('falls back to per-example passes for leaves used in uncovered ways (W·xᵀ with the weight on the left), still exact', () => {
    const k = random.split(random.key(5), 3);
    const params = { w: random.normal(k[0]!, [3, 4]), v: random.normal(k[1]!, [3]) };
    const loss = (p: Tree, batch: Tree): Tensor => {
      const q = p as typeof params, x = (batch as { x: Tensor }).x;
      const h = tanh(transpose(matmul(q.w, transpose(x, [1, 0])), [1, 0]));
      return square(matmul(h, q.v));
    };
    const examples = { x: random.normal(k[2]!, [5, 4]) };
    const { fallback } = batchedSquares((b) => loss(params, b), tree.leaves(params), examples, 5);
    expect([...fallback]).toEqual([1]); // leaves sorted by key: v (closed form), w (fallback)
    close(fisherScores(loss, params, examples, { method: 'batched' }), fisherScores(loss, params, examples));
  });

  test.prop([fc.integer({ min: 1, max: 6 }), fc.array(fc.integer({ min: 1, max: 5 }), { minLength: 2, maxLength: 4 }), fc.nat()], { numRuns: 15 })(
    'property: batched equals per-example on random MLP shapes and batch sizes',
    (n, sizes, seed) => {
      const k = random.split(random.key(seed), 3);
      const classes = Math.max(2, sizes[sizes.length - 1]!);
      const { params, loss } = mlp(k[0]!, [...sizes.slice(0, -1), classes]);
      const examples = { x: random.normal(k[1]!, [n, sizes[0]!]), y: random.randint(k[2]!, [n], 0, classes) };
      close(fisherScores(loss, params, examples, { method: 'batched' }), fisherScores(loss, params, examples), 5e-4);
    },
  );

  test.prop([
    fc.record({ n: fc.integer({ min: 1, max: 4 }), g: fc.integer({ min: 1, max: 2 }), cg: fc.integer({ min: 1, max: 2 }), og: fc.integer({ min: 1, max: 2 }),
      k: fc.integer({ min: 1, max: 3 }), stride: fc.integer({ min: 1, max: 2 }), pad: fc.integer({ min: 0, max: 1 }), hw: fc.integer({ min: 3, max: 5 }), seed: fc.nat() }),
  ], { numRuns: 12 })(
    'property: batched equals per-example on random conv shapes (groups, stride, padding) with bias and eval-mode BatchNorm',
    ({ n, g, cg, og, k, stride, pad, hw, seed }) => {
      const c = g * cg, o = g * og;
      const ks = random.split(random.key(seed), 7);
      const params = {
        conv: { w: random.normal(ks[0]!, [o, cg, k, k]), b: random.normal(ks[1]!, [o], { std: 0.3 }) },
        bn: { gamma: random.uniform(ks[2]!, [o], { min: 0.5, max: 1.5 }), beta: random.normal(ks[3]!, [o], { std: 0.3 }) },
      };
      const state = { mean: random.normal(ks[4]!, [o], { std: 0.2 }), var: random.uniform(ks[5]!, [o], { min: 0.5, max: 1.5 }) };
      const loss = (p: Tree, batch: Tree): Tensor => {
        const q = p as typeof params, x = (batch as { x: Tensor }).x;
        const h = bnEval(add(conv2d(x, q.conv.w, { stride, padding: pad, groups: g }), reshape(q.conv.b, [1, o, 1, 1])), q.bn, state);
        return sum(square(tanh(h)), { axes: [1, 2, 3] });
      };
      const examples = { x: random.normal(ks[6]!, [n, c, hw, hw]) };
      expect(batchedSquares((b) => loss(params, b), tree.leaves(params), examples, n).fallback.size).toBe(0);
      close(fisherScores(loss, params, examples, { method: 'batched' }), fisherScores(loss, params, examples), 5e-4);
    },
  );

  it('rejects an unknown method', () => {
    expect(() => fisherScores(() => tensor([0]), { w: tensor([1]) }, { x: tensor([[1]]) }, { method: 'vmap' as never })).toThrow(/fisherScores: method must be one of 'per-example', 'batched'/);
  });
});
