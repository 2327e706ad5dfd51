import { valueAndGrad } from '@ssam/autograd';
import { batchNorm, dense, mlp, relu, serial, softmaxCrossEntropy, type Layer } from '@ssam/models';
import { add, full, matmul, mul, random, scalar, tensor, tree, type Key, type Tensor } from '@ssam/tensor';
import { describe, expect, it } from 'vitest';
import { applyUpdates, chain } from '../combine.js';
import { scaleBySchedule } from '../scale.js';
import { sam } from '../sam/sam.js';
import { ssamF } from '../sam/ssamF.js';
import { sgd } from '../sgd.js';
import { treesIdentical } from '../testing/index.js';
import type { GradientTransformation, Params } from '../types.js';
import { makeTrainStep, type Model } from './trainStep.js';

const loss = (logits: Tensor, y: Tensor) => softmaxCrossEntropy(logits, y);
const batchOf = (seed: number, n = 16, d = 4, c = 3) => ({
  x: random.normal(random.key(seed), [n, d]),
  y: random.randint(random.foldIn(random.key(seed), 1), [n], 0, c),
});
function setup(model: Layer, opt: GradientTransformation<any>, d = 4) {
  const [, params, state] = model.init(random.key(0), [-1, d]);
  return { params: params as Params, state, opt: opt.init(params as Params) };
}
const bnModel = () => serial({ fc1: dense(8), bn: batchNorm(), act: relu, fc2: dense(3) });
const vals = (t: unknown) => tree.leaves(t as never).flatMap((x) => Array.from((x as Tensor).toArray()));
const close = (a: unknown, b: unknown, tol = 1e-5) => {
  const [x, y] = [vals(a), vals(b)];
  expect(x.length).toBe(y.length);
  x.forEach((v, i) => expect(Math.abs(v - y[i]!)).toBeLessThanOrEqual(tol * (1 + Math.abs(y[i]!))));
};

describe('makeTrainStep', () => {
  it('with a plain optimizer: one pass, and exactly the optimizer applied to the clean gradient', () => {
    const model = mlp([5, 3]);
    const opt = sgd({ lr: 0.1, momentum: 0.9 });
    const s = setup(model, opt);
    const b = batchOf(1);
    const key = random.key(3);
    const r = makeTrainStep({ model, loss, optimizer: opt })(s.params, s.state, s.opt, b, key);
    const [l, g] = valueAndGrad((p: Params) => loss(model.apply(p, s.state, b.x, { train: true })[0] as Tensor, b.y))(s.params);
    const [u] = opt.update(g, s.opt, s.params);
    expect(treesIdentical(r.params, applyUpdates(s.params, u))).toBe(true);
    expect(r.metrics).toMatchObject({ gradFnCalls: 0, skipped: 0, epsNorm: 0, maskDensity: 0 });
    expect(r.metrics.loss).toBeCloseTo(l.item(), 6);
    expect(r.metrics.gradNorm).toBeCloseTo(tree.norm(g).item(), 5);
    expect(r.metrics.accuracy).toBeGreaterThanOrEqual(0);
  });

  it('with SAM: pass 2 runs once, at w + ε, and the metrics report ‖ε‖ = ρ and density 1', () => {
    const model = mlp([5, 3]);
    const opt = sam({ rho: 0.05, base: sgd({ lr: 0.1 }) });
    const s = setup(model, opt);
    const r = makeTrainStep({ model, loss, optimizer: opt })(s.params, s.state, s.opt, batchOf(2), random.key(0));
    expect(r.metrics.gradFnCalls).toBe(1);
    expect(r.metrics.epsNorm).toBeCloseTo(0.05, 6);
    expect(r.metrics.maskDensity).toBe(1);
    expect(r.metrics.perturbedLoss).toBeGreaterThan(r.metrics.loss);
  });

  it('is pure: same inputs, same outputs; inputs untouched', () => {
    const model = bnModel();
    const opt = sam({ rho: 0.05, base: sgd({ lr: 0.1, momentum: 0.9 }) });
    const s = setup(model, opt);
    const step = makeTrainStep({ model, loss, optimizer: opt });
    const before = vals([s.params, s.state, s.opt]);
    const a = step(s.params, s.state, s.opt, batchOf(3), random.key(1));
    const b = step(s.params, s.state, s.opt, batchOf(3), random.key(1));
    expect(treesIdentical([a.params, a.modelState, a.optState], [b.params, b.modelState, b.optState])).toBe(true);
    expect(a.metrics).toEqual(b.metrics);
    expect(vals([s.params, s.state, s.opt])).toEqual(before);
  });

  it("field notes #4: BatchNorm statistics come from the clean pass by default; 'perturbed' and 'both' are options", () => {
    const model = bnModel();
    const opt = sam({ rho: 0.5, base: sgd({ lr: 0.1 }) });
    const s = setup(model, opt);
    const b = batchOf(4);
    const run = (policy: 'clean' | 'perturbed' | 'both') =>
      makeTrainStep({ model, loss, optimizer: opt, modelStatePolicy: policy })(s.params, s.state, s.opt, b, random.key(0));
    const clean = model.apply(s.params, s.state, b.x, { train: true })[1];
    expect(treesIdentical(run('clean').modelState, clean)).toBe(true);
    const perturbed = run('perturbed').modelState;
    const both = run('both').modelState;
    expect(treesIdentical(perturbed, clean)).toBe(false);
    // 'both' moves the running statistics twice: from the clean state, once more at w + ε
    const bnOf = (st: unknown) => (st as { bn: { runningMean: Tensor } }).bn.runningMean;
    const once = vals(bnOf(clean))[0]!;
    const twice = vals(bnOf(both))[0]!;
    expect(Math.abs(twice)).toBeGreaterThan(Math.abs(once) * 1.5);
  });

  it('field notes #4: SSAM-F Fisher passes never change the model state', () => {
    const model = bnModel();
    const opt = ssamF({ rho: 0.1, base: sgd({ lr: 0.1 }), sparsity: 0.5, numSamples: 8, stepsPerEpoch: 10 });
    const s = setup(model, opt);
    const b = batchOf(5);
    let fisherCalls = 0;
    const step = makeTrainStep({
      model,
      loss,
      optimizer: opt,
      fisher: { sample: (k: Key, n: number) => (fisherCalls++, batchOf(99, n)) },
    });
    const r = step(s.params, s.state, s.opt, b, random.key(0));
    expect(fisherCalls).toBe(1);
    expect(r.metrics.maskDensity).toBeCloseTo(0.5, 1);
    expect(treesIdentical(r.modelState, model.apply(s.params, s.state, b.x, { train: true })[1])).toBe(true);
  });

  it('field notes #1: a parameter that gets no gradient in pass 2 (an unused head) is restored', () => {
    // A model with a data-dependent branch: the head is used in pass 1 only.
    let calls = 0;
    const model: Model = {
      apply(p, st, x) {
        const q = p as { body: Tensor; head: Tensor };
        const h = matmul(x, q.body);
        const out = calls++ % 2 === 0 ? add(h, q.head) : h;
        return [out, st];
      },
    };
    const params = { body: full([4, 3], 0.1), head: tensor([0.5, -0.5, 0.2]) };
    const opt = sam({ rho: 1, base: sgd({ lr: 0.1 }) });
    const r = makeTrainStep({ model, loss, optimizer: opt })(params, {}, opt.init(params), batchOf(6), random.key(0));
    expect(r.metrics.gradFnCalls).toBe(1);
    // pass 2 gives the head a zero gradient: its new value is exactly the old one, not w + ε
    expect(vals((r.params as typeof params).head)).toEqual(vals(params.head));
  });

  it('guards: a non-finite loss in pass 1 returns the inputs unchanged, flagged as skipped', () => {
    const model = mlp([5, 3]);
    const opt = sam({ rho: 0.05, base: sgd({ lr: 0.1 }) });
    const s = setup(model, opt);
    const b = batchOf(7);
    const bad = { x: mul(b.x, scalar(Number.NaN)), y: b.y };
    const r = makeTrainStep({ model, loss, optimizer: opt })(s.params, s.state, s.opt, bad, random.key(0));
    expect(r.metrics.skipped).toBe(1);
    expect(r.metrics.gradFnCalls).toBe(0);
    expect(r.params).toBe(s.params);
    expect(r.modelState).toBe(s.state);
    expect(r.optState).toBe(s.opt);
  });

  it('guards: a non-finite gradient in pass 2 also skips the whole step', () => {
    let calls = 0;
    const model: Model = {
      apply(p, st, x) {
        const w = (p as { w: Tensor }).w;
        const out = matmul(x, w);
        return [calls++ % 2 === 0 ? out : mul(out, scalar(Number.POSITIVE_INFINITY)), st];
      },
    };
    const params = { w: full([4, 3], 0.1) };
    const opt = sam({ rho: 0.05, base: sgd({ lr: 0.1, momentum: 0.9 }) });
    const s0 = opt.init(params);
    const r = makeTrainStep({ model, loss, optimizer: opt })(params, {}, s0, batchOf(8), random.key(0));
    expect(r.metrics.skipped).toBe(1);
    expect(r.metrics.gradFnCalls).toBe(1);
    expect(r.params).toBe(params);
    expect(r.optState).toBe(s0);
  });

  it('field notes #2: SAM every k steps calls pass 2 zero times on the other steps', () => {
    const model = mlp([5, 3]);
    const opt = sam({ rho: 0.05, base: sgd({ lr: 0.1 }), every: 2 });
    const s = setup(model, opt);
    const step = makeTrainStep({ model, loss, optimizer: opt });
    let [p, st, os] = [s.params, s.state, s.opt];
    const calls: number[] = [];
    for (let t = 0; t < 5; t++) {
      const r = step(p, st, os, batchOf(10 + t), random.key(t));
      calls.push(r.metrics.gradFnCalls);
      [p, st, os] = [r.params, r.modelState, r.optState];
    }
    expect(calls).toEqual([1, 0, 1, 0, 1]);
  });

  it('field notes #5: gradient accumulation averages the micro-batch gradients (mean, not sum)', () => {
    const model = mlp([5, 3]);
    const opt = sam({ rho: 0.05, base: sgd({ lr: 0.1 }) });
    const s = setup(model, opt);
    const b = batchOf(9, 12);
    const whole = makeTrainStep({ model, loss, optimizer: opt })(s.params, s.state, s.opt, b, random.key(0));
    for (const k of [3, 5]) {
      const acc = makeTrainStep({ model, loss, optimizer: opt, microBatches: k })(s.params, s.state, s.opt, b, random.key(0));
      expect(acc.metrics.gradNorm).toBeCloseTo(whole.metrics.gradNorm, 5); // a sum would be k× larger
      expect(acc.metrics.loss).toBeCloseTo(whole.metrics.loss, 5);
      close(acc.params, whole.params, 1e-5);
    }
    expect(() => makeTrainStep({ model, loss, optimizer: opt, microBatches: 13 })(s.params, s.state, s.opt, b, random.key(0))).toThrow(/microBatches = 13 exceeds the batch size 12/);
  });

  it('validates its options', () => {
    const opt = sgd({ lr: 0.1 });
    expect(() => makeTrainStep({ model: {} as never, loss, optimizer: opt })).toThrow(/model must have apply/);
    expect(() => makeTrainStep({ model: mlp([3]), loss, optimizer: opt, modelStatePolicy: 'mixed' as never })).toThrow(/modelStatePolicy must be one of/);
    expect(() => makeTrainStep({ model: mlp([3]), loss, optimizer: opt, microBatches: 0 })).toThrow(/microBatches must be a positive integer/);
  });
});

// Issue #20 item 3: the update itself is checked, not only the loss and the gradients.
describe('makeTrainStep: guards on the update', () => {
  const model = mlp([5, 3]);
  /** A transform that returns `f(g)` as the update (a stand-in for a broken custom optimizer). */
  const custom = (f: (g: Tensor) => Tensor): GradientTransformation<Record<string, never>> => ({
    init: () => ({}),
    update: (g, s) => [tree.map(f, g), s],
  });

  it('a non-finite update (an lr schedule of NaN via scaleBySchedule) leaves everything unchanged, skipReason "update"', () => {
    const opt = chain(scaleBySchedule((t) => (t === 0 ? -0.1 : Number.NaN)));
    const s = setup(model, opt);
    const step = makeTrainStep({ model, loss, optimizer: opt });
    const r0 = step(s.params, s.state, s.opt, batchOf(11), random.key(0));
    expect(r0.metrics).toMatchObject({ skipped: 0, skipReason: null });
    const r1 = step(r0.params, r0.modelState, r0.optState, batchOf(12), random.key(1));
    expect(r1.metrics).toMatchObject({ skipped: 1, skipReason: 'update', epsNorm: 0 });
    expect(Number.isFinite(r1.metrics.loss) && Number.isFinite(r1.metrics.gradNorm)).toBe(true);
    expect(r1.params).toBe(r0.params);
    expect(r1.modelState).toBe(r0.modelState);
    expect(r1.optState).toBe(r0.optState);
    expect(vals(r1.params).every(Number.isFinite)).toBe(true);
  });

  it('an update with one Inf entry is skipped; a huge but finite one (its squares overflow float32) is not', () => {
    const s = setup(model, custom((g) => g));
    const inf = custom((g) => (g.rank === 2 ? add(mul(g, 0), tensor(Array.from({ length: g.size }, (_, i) => (i === 3 ? Infinity : 0)), g.shape)) : g));
    const r = makeTrainStep({ model, loss, optimizer: inf })(s.params, s.state, {}, batchOf(13), random.key(0));
    expect(r.metrics).toMatchObject({ skipped: 1, skipReason: 'update' });
    expect(r.params).toBe(s.params);
    const huge = custom((g) => full(g.shape, 1e30));
    const h = makeTrainStep({ model, loss, optimizer: huge })(s.params, s.state, {}, batchOf(13), random.key(0));
    expect(h.metrics).toMatchObject({ skipped: 0, skipReason: null });
  });

  it('a SAM step whose base lr schedule turns NaN at step 1 throws at the schedule value, weights untouched', () => {
    const opt = sam({ rho: 0.05, base: sgd({ lr: (t) => (t === 0 ? 0.1 : Number.NaN) }) });
    const s = setup(model, opt);
    const step = makeTrainStep({ model, loss, optimizer: opt });
    const r0 = step(s.params, s.state, s.opt, batchOf(14), random.key(0));
    const before = vals(r0.params);
    expect(() => step(r0.params, r0.modelState, r0.optState, batchOf(15), random.key(1))).toThrow('sgd: lr schedule returned NaN at step 1');
    expect(vals(r0.params)).toEqual(before);
  });

  it('an update of a broadcastable wrong shape or structure throws, naming makeTrainStep, the leaf and both shapes', () => {
    const s = setup(model, custom((g) => g));
    const firstRow = custom((g) => (g.rank === 2 ? tensor(Array.from(g.toArray()).slice(0, g.shape[1]), [1, g.shape[1]!]) : g));
    expect(() => makeTrainStep({ model, loss, optimizer: firstRow })(s.params, s.state, {}, batchOf(16), random.key(0))).toThrow(
      /makeTrainStep: the optimizer's updates leaf 'fc1\.w' has shape \[1, 4\] but params has \[5, 4\]/,
    );
    const dropOne: GradientTransformation<Record<string, never>> = {
      init: () => ({}),
      update: (g, st) => [Object.fromEntries(Object.entries(g as Record<string, unknown>).slice(1)) as never, st],
    };
    expect(() => makeTrainStep({ model, loss, optimizer: dropOne })(s.params, s.state, {}, batchOf(16), random.key(0))).toThrow(
      /makeTrainStep: the optimizer's updates must have the tree structure of params \(4 leaves\); the optimizer's updates has 2 leaves: missing 'fc1\.b', 'fc1\.w'/,
    );
  });

  it('the existing skips say why: "loss" in pass 1, "perturbed" in pass 2', () => {
    const opt = sam({ rho: 0.05, base: sgd({ lr: 0.1 }) });
    const s = setup(model, opt);
    const b = batchOf(17);
    const r = makeTrainStep({ model, loss, optimizer: opt })(s.params, s.state, s.opt, { x: mul(b.x, scalar(Number.NaN)), y: b.y }, random.key(0));
    expect(r.metrics.skipReason).toBe('loss');
    let calls = 0;
    const flaky: Model = { apply: (p, st, x) => [calls++ % 2 === 0 ? matmul(x, (p as { w: Tensor }).w) : mul(matmul(x, (p as { w: Tensor }).w), scalar(Infinity)), st] };
    const q = { w: full([4, 3], 0.1) };
    expect(makeTrainStep({ model: flaky, loss, optimizer: opt })(q, {}, opt.init(q), b, random.key(0)).metrics.skipReason).toBe('perturbed');
  });
});
