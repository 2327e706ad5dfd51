import { tensor, type Tensor } from '@ssam/tensor';
import { describe, expect, it } from 'vitest';
import { adam, adamw } from './adamw.js';
import { applyUpdates } from './combine.js';
import { sgd } from './sgd.js';
import type { GradientTransformation, Params } from './types.js';

// Numbers computed by hand (and re-derived with the formulas of torch.optim.SGD / AdamW in
// plain Python double precision): w = [1, −2], g₁ = [0.5, 0.25], g₂ = [−0.2, 0.4], η = 0.1.
const G = [tensor([0.5, 0.25]), tensor([-0.2, 0.4])];

function run(opt: GradientTransformation<any>): number[][] {
  let params: Params = { w: tensor([1, -2]) };
  let state = opt.init(params);
  const out: number[][] = [];
  for (const g of G) {
    const [u, s] = opt.update({ w: g }, state, params);
    params = applyUpdates(params, u);
    state = s;
    out.push(Array.from((params as { w: Tensor }).w.toArray()));
  }
  return out;
}

const close = (a: number[][], b: number[][], digits = 6) =>
  a.forEach((row, i) => row.forEach((x, j) => expect(x).toBeCloseTo(b[i]![j]!, digits)));

describe('sgd: PyTorch semantics', () => {
  it('plain SGD is w − ηg', () => {
    close(run(sgd({ lr: 0.1 })), [[0.95, -2.025], [0.97, -2.065]]);
  });
  it('momentum + weight decay: d = g + λw, buf = d on the first step, then μ·buf + d', () => {
    // step 1: d = [0.6, 0.05], buf = d, w = [0.94, −2.005]
    // step 2: d = [−0.106, 0.1995], buf = [0.434, 0.2445], w = [0.8966, −2.02945]
    close(run(sgd({ lr: 0.1, momentum: 0.9, weightDecay: 0.1 })), [[0.94, -2.005], [0.8966, -2.02945]]);
  });
  it('Nesterov: the step is d + μ·buf', () => {
    // step 1: d = [0.6, 0.05] → 1.9·d; step 2: d = [−0.1114, 0.19905], buf = [0.4286, 0.24405]
    close(run(sgd({ lr: 0.1, momentum: 0.9, weightDecay: 0.1, nesterov: true })), [[0.886, -2.0095], [0.858566, -2.0513695]]);
  });
  it('weight decay enters before momentum (decay is inside the buffer)', () => {
    // If λw were added after the momentum, step 2 would be w − η(buf(g) + λw) with buf(g) = μg₁ + g₂.
    const wrong = [0.94, -2.005].map((w, i) => w - 0.1 * (0.9 * [0.5, 0.25][i]! + [-0.2, 0.4][i]! + 0.1 * w));
    const got = run(sgd({ lr: 0.1, momentum: 0.9, weightDecay: 0.1 }))[1]!;
    expect(Math.abs(got[0]! - wrong[0]!)).toBeGreaterThan(1e-3);
  });
  it('dampening applies after the first step only', () => {
    // buf₁ = d₁ = g₁; buf₂ = 0.9·g₁ + 0.5·g₂ = [0.35, 0.425]
    close(run(sgd({ lr: 0.1, momentum: 0.9, dampening: 0.5 })), [[0.95, -2.025], [0.915, -2.0675]]);
  });
  it('rejects bad hyperparameters when built', () => {
    expect(() => sgd({ lr: -0.1 })).toThrow(/sgd: lr must be ≥ 0, got -0.1/);
    expect(() => sgd({ lr: 0.1, momentum: 1 })).toThrow(/momentum must lie in \[0, 1\)/);
    expect(() => sgd({ lr: 0.1, weightDecay: -1 })).toThrow(/weightDecay/);
    expect(() => sgd({ lr: 0.1, nesterov: true })).toThrow(/Nesterov momentum needs momentum > 0/);
    expect(() => sgd({ lr: Number.NaN })).toThrow(/finite/);
    expect(() => sgd({ lr: () => -1 })).toThrow(/schedule whose value at step 0 is -1/);
  });
});

describe('adamw / adam: PyTorch semantics', () => {
  it('adamw decouples the decay: w(1 − ηλ) − η·m̂/(√v̂ + ε)', () => {
    close(run(adamw({ lr: 0.1, weightDecay: 0.1 })), [[0.890000002, -2.079999996], [0.8465394181, -2.157811776]], 5);
  });
  it('adam with λ = 0 equals adamw with λ = 0', () => {
    close(run(adam({ lr: 0.1 })), run(adamw({ lr: 0.1, weightDecay: 0 })), 6);
  });
  it('rejects bad hyperparameters when built', () => {
    expect(() => adamw({ lr: 0.1, b1: 1 })).toThrow(/scaleByAdam: b1 must lie in \[0, 1\)/);
    expect(() => adamw({ lr: 0.1, weightDecay: -0.1 })).toThrow(/adamw: weightDecay/);
    expect(() => adamw({ lr: 0.1, eps: -1 })).toThrow(/eps must be ≥ 0/);
  });
});
