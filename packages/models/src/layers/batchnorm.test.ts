import { random, tensor, tree, type Tensor } from '@ssam/tensor';
import { expectAllClose } from '@ssam/tensor/testing';
import { describe, expect, it } from 'vitest';
import { batchNorm, type BatchNormState } from './batchnorm.js';

/** Per-channel statistics of NCHW (or NC) data in float64, straight from the definition. */
function channelStats(x: Tensor): { mean: number[]; biased: number[]; unbiased: number[]; n: number } {
  const [N, C] = x.shape as [number, number];
  const inner = x.size / (N * C);
  const d = x.toArray();
  const mean: number[] = [], biased: number[] = [], unbiased: number[] = [];
  const n = N * inner;
  for (let c = 0; c < C; c++) {
    let s = 0;
    for (let i = 0; i < N; i++) for (let j = 0; j < inner; j++) s += d[(i * C + c) * inner + j]!;
    const m = s / n;
    let v = 0;
    for (let i = 0; i < N; i++) for (let j = 0; j < inner; j++) v += (d[(i * C + c) * inner + j]! - m) ** 2;
    mean.push(m);
    biased.push(v / n);
    unbiased.push(v / (n - 1));
  }
  return { mean, biased, unbiased, n };
}

function normalise(x: Tensor, mean: number[], vari: number[], gamma: number[], beta: number[], eps: number): number[] {
  const [N, C] = x.shape as [number, number];
  const inner = x.size / (N * C);
  const d = x.toArray();
  const out: number[] = [];
  for (let i = 0; i < N; i++)
    for (let c = 0; c < C; c++)
      for (let j = 0; j < inner; j++) out.push(((d[(i * C + c) * inner + j]! - mean[c]!) / Math.sqrt(vari[c]! + eps)) * gamma[c]! + beta[c]!);
  return out;
}

describe('batchNorm', () => {
  const key = random.key(3);
  const x = random.normal(key, [4, 3, 5, 5], { mean: 2, std: 3 });
  const layer = batchNorm();
  const [outShape, p0, s0] = layer.init(key, [-1, 3, 5, 5]);
  // Non-trivial affine parameters and running statistics.
  const params = { gamma: tensor([0.5, 2, -1]), beta: tensor([0.1, -0.3, 1]) };
  const state: BatchNormState = { runningMean: tensor([0.2, -1, 3]), runningVar: tensor([1.5, 0.5, 4]) };

  it('starts at γ = 1, β = 0, running mean 0 and variance 1, and keeps the shape', () => {
    expect(outShape).toEqual([-1, 3, 5, 5]);
    expect(p0.gamma.toList()).toEqual([1, 1, 1]);
    expect(p0.beta.toList()).toEqual([0, 0, 0]);
    expect(s0.runningMean.toList()).toEqual([0, 0, 0]);
    expect(s0.runningVar.toList()).toEqual([1, 1, 1]);
  });

  it('normalises with the biased batch statistics in training', () => {
    const st = channelStats(x);
    const [y] = layer.apply(params, state, x, { train: true });
    expectAllClose(y as Tensor, tensor(normalise(x, st.mean, st.biased, [0.5, 2, -1], [0.1, -0.3, 1], 1e-5), x.shape), { rtol: 1e-4, atol: 1e-4 });
  });

  it('updates running stats with momentum 0.1 and the unbiased variance (PyTorch), without mutating', () => {
    const before = tree.map((t: Tensor) => t.toList(), state);
    const st = channelStats(x);
    const [, s1] = layer.apply(params, state, x, { train: true });
    const rm = [0.2, -1, 3].map((r, c) => 0.9 * r + 0.1 * st.mean[c]!);
    const rv = [1.5, 0.5, 4].map((r, c) => 0.9 * r + 0.1 * st.unbiased[c]!);
    expectAllClose(s1.runningMean, rm, { rtol: 1e-5, atol: 1e-5 });
    expectAllClose(s1.runningVar, rv, { rtol: 1e-5, atol: 1e-5 });
    expect(st.n).toBe(100);
    expect(tree.map((t: Tensor) => t.toList(), state)).toEqual(before);
  });

  it('uses the running statistics in evaluation and returns the state unchanged', () => {
    const [y, s1] = layer.apply(params, state, x, { train: false });
    expect(s1).toBe(state);
    expectAllClose(y as Tensor, tensor(normalise(x, [0.2, -1, 3], [1.5, 0.5, 4], [0.5, 2, -1], [0.1, -0.3, 1], 1e-5), x.shape), { rtol: 1e-5, atol: 1e-5 });
  });

  it('honours momentum and eps, and works on [N, C] (BatchNorm1d)', () => {
    const bn = batchNorm({ momentum: 0.3, eps: 0.01 });
    const x2 = random.normal(random.key(9), [6, 2]);
    const [, p, s] = bn.init(key, [-1, 2]);
    const st = channelStats(x2);
    const [y, s1] = bn.apply(p, s, x2, { train: true });
    expectAllClose(y as Tensor, tensor(normalise(x2, st.mean, st.biased, [1, 1], [0, 0], 0.01), [6, 2]), { rtol: 1e-4, atol: 1e-5 });
    expectAllClose(s1.runningVar, st.unbiased.map((v) => 0.7 + 0.3 * v), { rtol: 1e-5, atol: 1e-6 });
  });

  it('eval after training on a constant stream converges to its statistics (momentum law)', () => {
    let s: BatchNormState = s0;
    for (let i = 0; i < 60; i++) s = layer.apply(p0, s, x, { train: true })[1];
    const st = channelStats(x);
    // After k steps the running mean is (1 − 0.9^k)·μ; 0.9^60 ≈ 0.0018.
    expectAllClose(s.runningMean, st.mean.map((m) => (1 - 0.9 ** 60) * m), { rtol: 1e-4, atol: 1e-4 });
  });

  it('refuses a batch with one value per channel in training, and bad options', () => {
    expect(() => layer.apply(p0, s0, random.normal(key, [1, 3, 1, 1]), { train: true })).toThrow(/more than one value per channel/);
    expect(() => batchNorm({ momentum: 2 })).toThrow(/momentum/);
    expect(() => layer.apply(p0, s0, random.normal(key, [2, 4, 2, 2]), { train: true })).toThrow(/4 channels but gamma has 3/);
  });
});
