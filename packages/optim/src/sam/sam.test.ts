import { mul, tensor, tree, type Tensor } from '@ssam/tensor';
import { describe, expect, it } from 'vitest';
import { applyUpdates, chain } from '../combine.js';
import { clipByGlobalNorm } from '../clip.js';
import { scaleByLearningRate } from '../scale.js';
import { sgd } from '../sgd.js';
import type { GradFn, Params, Updates } from '../types.js';
import { asam, sam } from './sam.js';
import { ssamF } from './ssamF.js';

type W = { w: Tensor };
const vals = (t: Updates) => tree.leaves(t).flatMap((x) => Array.from(x.toArray()));
/** f(w) = ½(a₁w₁² + a₂w₂²): ∇f = a ⊙ w. */
const quad = (a: number[]): GradFn => (p) => ({ w: mul((p as W).w, tensor(a)) });

describe('sam: one step computed by hand', () => {
  it('two-parameter quadratic, a = (1, 4), w = (1, 1), ρ = 0.5, η = 0.1', () => {
    // g = (1, 4), ‖g‖ = √17; ε = 0.5·g/√17 = (0.1212678, 0.4850713)
    // g' = a ⊙ (w + ε) = (1.1212678, 5.9402850); w ← w − 0.1·g' = (0.8878732, 0.4059715)
    const gradFn = quad([1, 4]);
    const params = { w: tensor([1, 1]) };
    const seen: Params[] = [];
    const opt = sam({ rho: 0.5, base: sgd({ lr: 0.1 }) });
    const [u, s] = opt.update(gradFn(params), opt.init(params), params, { gradFn: (p) => (seen.push(p), gradFn(p)) });
    expect(seen).toHaveLength(1);
    const inv = 1 / Math.sqrt(17);
    vals(seen[0]!).forEach((x, i) => expect(x).toBeCloseTo([1 + 0.5 * inv, 1 + 2 * inv][i]!, 6));
    vals(applyUpdates(params, u)).forEach((x, i) => expect(x).toBeCloseTo([0.8878732, 0.4059715][i]!, 6));
    expect(s.stats.epsNorm.item()).toBeCloseTo(0.5, 6);
    expect(s.stats.gradFnCalls.item()).toBe(1);
  });

  it('ASAM, T = |w| (all parameters): ε = ρ·T²g/‖Tg‖', () => {
    // w = (2, 0.5), a = (1, 4): g = (2, 2), Tg = (4, 1), ‖Tg‖ = √17, T²g = (8, 0.5)
    const params = { w: tensor([2, 0.5]) };
    const seen: Params[] = [];
    const opt = asam({ rho: 0.5, base: sgd({ lr: 0.1 }), scaling: 'all' });
    opt.update(quad([1, 4])(params), opt.init(params), params, { gradFn: (p) => (seen.push(p), quad([1, 4])(p)) });
    const inv = 0.5 / Math.sqrt(17);
    vals(seen[0]!).forEach((x, i) => expect(x).toBeCloseTo([2 + 8 * inv, 0.5 + 0.5 * inv][i]!, 6));
  });

  it('ASAM, T = |w| + η on weight tensors only (the authors\' form)', () => {
    // matrix m = [[2]] gets T = 2.01; bias b (rank 1) gets T = 1. g = (1, 1).
    const params = { m: tensor([[2]]), b: tensor([3]) };
    const g = { m: tensor([[1]]), b: tensor([1]) };
    const seen: Params[] = [];
    const opt = asam({ rho: 1, base: sgd({ lr: 0.1 }), eta: 0.01 });
    opt.update(g, opt.init(params), params, { gradFn: (p) => (seen.push(p), g) });
    const n = Math.sqrt(2.01 ** 2 + 1);
    const eps = tree.sub(seen[0]!, params);
    expect(vals((eps as { m: Tensor }).m)[0]).toBeCloseTo(2.01 ** 2 / n, 5);
    expect(vals((eps as { b: Tensor }).b)[0]).toBeCloseTo(1 / n, 5);
    // the ASAM invariant: ‖T⁻¹ε‖ = ρ
    expect(Math.hypot(vals((eps as { m: Tensor }).m)[0]! / 2.01, vals((eps as { b: Tensor }).b)[0]!)).toBeCloseTo(1, 5);
  });

  it('the descent is exact: the new params are w − η·g\', never (w + ε) − ε − η·g\'', () => {
    // A w + ε − ε round trip loses bits in float32; the update must equal the base update of w exactly.
    const params = { w: tensor([1e-3, 3.14159, -7e4]) };
    const gradFn = quad([1, 1, 1]);
    const opt = sam({ rho: 0.05, base: sgd({ lr: 0.01 }) });
    const [u] = opt.update(gradFn(params), opt.init(params), params, { gradFn });
    const eps = tree.scale(0.05 / tree.norm(gradFn(params)).item(), gradFn(params));
    const g2 = gradFn(tree.add(params, eps));
    const base = sgd({ lr: 0.01 });
    const [want] = base.update(g2, base.init(params), params);
    expect(vals(applyUpdates(params, u))).toEqual(vals(applyUpdates(params, want)));
  });
});

describe('sam: regressions from the field notes', () => {
  it('field notes #1: a parameter with no gradient in pass 2 is still restored (descends from w, not w + ε)', () => {
    // pass 1 touches head and body; pass 2 ignores the head (gradient 0 there, as autograd gives for unused inputs)
    const params = { body: tensor([1, 2]), head: tensor([5]) };
    const g1 = { body: tensor([1, 1]), head: tensor([2]) };
    const gradFn: GradFn = (p) => ({ body: (p as typeof params).body, head: tensor([0]) });
    const opt = sam({ rho: 0.5, base: sgd({ lr: 0.1, momentum: 0.9, weightDecay: 0.01 }) });
    const [u] = opt.update(g1, opt.init(params), params, { gradFn });
    const head = vals(applyUpdates(params, u))[2]!;
    // ε_head = 0.5·2/√6 ≈ 0.408; a stuck head would sit at ≈ 5.408 (minus the decay step)
    expect(head).toBeCloseTo(5 - 0.1 * 0.01 * 5, 6);
  });

  it('field notes #2: SAM every k steps runs pass 2 only on SAM steps, and never doubles the gradient', () => {
    const gradFn = quad([1, 4]);
    let calls = 0;
    const opt = sam({ rho: 0.1, base: sgd({ lr: 0.1 }), every: 3 });
    const plain = sgd({ lr: 0.1 });
    let params: Params = { w: tensor([1, -1]) };
    let state = opt.init(params);
    const perStep: number[] = [];
    for (let t = 0; t < 9; t++) {
      const g = gradFn(params);
      const before = calls;
      const [u, s] = opt.update(g, state, params, { gradFn: (p) => (calls++, gradFn(p)) });
      perStep.push(calls - before);
      expect(s.stats.gradFnCalls.item()).toBe(calls - before);
      if (t % 3 !== 0) {
        const [want] = plain.update(g, plain.init(params), params);
        expect(vals(u)).toEqual(vals(want)); // exactly −η·g: one pass, gradient not doubled
      }
      params = applyUpdates(params, u);
      state = s;
    }
    expect(perStep).toEqual([1, 0, 0, 1, 0, 0, 1, 0, 0]);
  });

  it('field notes #3: ‖g‖ = 0 gives ε = 0 and a finite update, also with δ = 0', () => {
    for (const normEps of [1e-12, 0]) {
      const params = { w: tensor([1, 2]) };
      const zero = { w: tensor([0, 0]) };
      const opt = sam({ rho: 0.05, base: sgd({ lr: 0.1, weightDecay: 0.1 }), normEps });
      const [u, s] = opt.update(zero, opt.init(params), params, { gradFn: () => zero });
      expect(vals(u).every(Number.isFinite)).toBe(true);
      expect(vals(u)).toEqual([-0.010000000707805157, -0.020000001415610313]);
      expect(s.stats.epsNorm.item()).toBe(0);
    }
  });

  it('field notes #3: ‖g‖ underflowing to 0 in float32 with δ = 0 still gives ε = 0, not ∞·0', () => {
    const params = { w: tensor([1]) };
    const tiny = { w: tensor([1e-30]) }; // its square underflows to 0 in float32
    const opt = sam({ rho: 0.05, base: sgd({ lr: 0.1 }), normEps: 0 });
    const [u] = opt.update(tiny, opt.init(params), params, { gradFn: () => tiny });
    expect(vals(u).every(Number.isFinite)).toBe(true);
  });

  it('a gradient whose float32 norm underflows is no ascent with a mask either, exactly as for SAM (s = 0 is SAM)', () => {
    // ‖g‖² underflows to 0, but c·g = (ρ/δ)·g does not: a masked ‖ε‖ taken from c·g would be
    // positive and run pass 2 where SAM, whose ‖ε‖ = c·‖g‖, runs none.
    const params = { w: tensor([1, -2]) };
    const tiny = { w: tensor([1e-25, -3e-25]) };
    const calls: number[] = [];
    for (const opt of [sam({ rho: 0.05, base: sgd({ lr: 0.1 }) }), sam({ rho: 0.05, base: sgd({ lr: 0.1 }), mask: { w: tensor([1, 1]) } })]) {
      const [u, s] = opt.update(tiny, opt.init(params), params, { gradFn: (p) => (calls.push(1), quad([1, 1])(p)) });
      expect(vals(u)).toEqual(vals({ w: mul(tiny.w, -0.1) }));
      expect(s.stats.epsNorm.item()).toBe(0);
      expect(s.stats.gradFnCalls.item()).toBe(0);
    }
    expect(calls).toHaveLength(0);
  });

  it('field notes #6 (TPAMI code zeroes gradients before the descent): the descent uses g\' itself', () => {
    const params = { w: tensor([1, 1]) };
    const opt = sam({ rho: 0.05, base: sgd({ lr: 0.1 }) });
    const gradFn = quad([1, 4]);
    const [u] = opt.update(gradFn(params), opt.init(params), params, { gradFn });
    expect(vals(u).every((x) => x < -0.09)).toBe(true);
  });

  it('gradient clipping in the base clips the final (pass-2) gradient', () => {
    const params = { w: tensor([3, 4]) };
    const gradFn = quad([1, 1]);
    const opt = sam({ rho: 1, base: chain(clipByGlobalNorm(1), scaleByLearningRate(1)) });
    const [u] = opt.update(gradFn(params), opt.init(params), params, { gradFn });
    expect(tree.norm(u).item()).toBeCloseTo(1, 6);
    // and the ascent used the unclipped g: w + ρ·g/‖g‖ = (3.6, 4.8)
    vals(u).forEach((x, i) => expect(x).toBeCloseTo(-[0.6, 0.8][i]!, 6));
  });

  it('a ρ schedule of the step: ρ_t = ρ₀/√(t+1)', () => {
    const opt = sam({ rho: (t) => 0.4 / Math.sqrt(t + 1), base: sgd({ lr: 0.01 }) });
    const gradFn = quad([1, 4]);
    let params: Params = { w: tensor([1, 1]) };
    let state = opt.init(params);
    for (let t = 0; t < 4; t++) {
      const [u, s] = opt.update(gradFn(params), state, params, { gradFn });
      expect(s.stats.epsNorm.item()).toBeCloseTo(0.4 / Math.sqrt(t + 1), 6);
      params = applyUpdates(params, u);
      state = s;
    }
  });
});

describe('sam family: errors', () => {
  const base = sgd({ lr: 0.1 });
  it('validates hyperparameters when built', () => {
    expect(() => sam({ rho: -0.1, base })).toThrow(/sam: rho must be ≥ 0, got -0.1/);
    expect(() => sam({ rho: 0.1, base: undefined as never })).toThrow(/base must be a GradientTransformation/);
    expect(() => sam({ rho: 0.1, base, every: 0 })).toThrow(/every must be a positive integer/);
    expect(() => sam({ rho: 0.1, base, normEps: -1 })).toThrow(/normEps must be ≥ 0/);
    expect(() => asam({ rho: 0.1, base, eta: -1 })).toThrow(/adaptive.eta must be ≥ 0/);
    expect(() => ssamF({ rho: 0.1, base, sparsity: 1.5, stepsPerEpoch: 1 })).toThrow(/ssamF: sparsity must lie in \[0, 1\], got 1.5/);
    expect(() => ssamF({ rho: 0.1, base, sparsity: 0.5 })).toThrow(/stepsPerEpoch \(batches per epoch\) is required/);
    expect(() => ssamF({ rho: 0.1, base, pattern: { n: 2, m: 4 }, sparsity: 0.3, stepsPerEpoch: 1 })).toThrow(/contradicts the 2:4 pattern/);
    expect(() => ssamF({ rho: 0.1, base, pattern: 'diagonal' as never, sparsity: 0.5, stepsPerEpoch: 1 })).toThrow(/pattern must be one of/);
    expect(() => ssamF({ rho: 0.1, base, sparsity: 0.5, stepsPerEpoch: 1, timing: 'late' as never })).toThrow(/timing must be one of/);
  });
  it('explains a missing gradFn, params or Fisher sampler at update', () => {
    const params = { w: tensor([1]) };
    const g = { w: tensor([1]) };
    const opt = sam({ rho: 0.1, base });
    expect(() => opt.update(g, opt.init(params), params)).toThrow(/needs extra.gradFn/);
    expect(() => opt.update(g, opt.init(params))).toThrow(/needs the current params/);
    const f = ssamF({ rho: 0.1, base, sparsity: 0.5, stepsPerEpoch: 10 });
    expect(() => f.update(g, f.init(params), params, { gradFn: () => g })).toThrow(/refresh is due at step 0 and needs extra.fisher/);
    expect(() => opt.update(g, opt.init(params), params, { gradFn: () => ({ v: g.w }) })).toThrow(/gradFn returned a tree whose structure differs/);
  });
  it('a static mask must match the params', () => {
    const opt = sam({ rho: 0.1, base, mask: { w: tensor([1, 0]) } });
    expect(() => opt.init({ w: tensor([1, 2, 3]) })).toThrow(/mask must have the structure and leaf shapes of the params/);
  });
});
