import { valueAndGrad } from '@ssam/autograd';
import { nmMask } from '@ssam/masks';
import { conv2d, dense, flatten, maxPool, relu, serial, softmaxCrossEntropy } from '@ssam/models';
import { implicitValueAndGrad } from '@ssam/sparse';
import { add, ones, random, tree, type Tensor } from '@ssam/tensor';
import { describe, expect, it } from 'vitest';
import { applyUpdates, chain } from '../combine.js';
import { clipByGlobalNorm } from '../clip.js';
import { globalNorm } from '../internal/norm.js';
import { sgd } from '../sgd.js';
import { treesIdentical } from '../testing/index.js';
import { makeTrainStep } from '../train/trainStep.js';
import type { Params } from '../types.js';
import { sam } from './sam.js';
import { ssamD } from './ssamD.js';
import { ssamF, type SsamFState } from './ssamF.js';

// SSAM's implicit form (TPAMI 2025) through makeTrainStep on an unchanged @ssam/models CNN.
const model = serial({ conv: conv2d(8, 3, { padding: 1 }), act: relu, pool: maxPool({ kernel: 2 }), flat: flatten, fc: dense(4) });
const [, params0] = model.init(random.key(0), [-1, 4, 6, 6]) as unknown as [unknown, Params];
const batch = { x: random.normal(random.key(1), [6, 4, 6, 6]), y: random.randint(random.key(2), [6], 0, 4) };
const lossOf = (p: Params, x = batch.x) => softmaxCrossEntropy(model.apply(p, {}, x, { train: true })[0] as Tensor, batch.y);
const key = random.key(3);
const nm24 = (seed: number) =>
  nmMask(tree.map((w: Tensor) => random.uniform(random.key(seed), w.shape), params0), { n: 2, m: 4, axis: 'in' }) as Params;

const run = (optimizer: ReturnType<typeof sam> | ReturnType<typeof ssamF>, steps: number) => {
  const step = makeTrainStep({ model, loss: softmaxCrossEntropy, optimizer });
  let params = params0;
  let opt = optimizer.init(params0);
  const metrics = [];
  for (let t = 0; t < steps; t++) {
    const r = step(params, {}, opt, batch, random.foldIn(key, t));
    params = r.params;
    opt = r.optState as never;
    metrics.push(r.metrics);
  }
  return { params, opt, metrics };
};

describe("form: 'implicit'", () => {
  it('with an all-ones mask it is SAM exactly, step after step', () => {
    const base = () => sgd({ lr: 0.1, momentum: 0.9 });
    const a = run(sam({ rho: 0.05, base: base() }), 3);
    const b = run(sam({ rho: 0.05, base: base(), mask: tree.map((w: Tensor) => ones(w.shape), params0), form: 'implicit', pattern: { n: 2, m: 4 } }), 3);
    expect(treesIdentical(b.params, a.params)).toBe(true);
    expect(b.metrics.map((m) => m.gradNorm)).toEqual(a.metrics.map((m) => m.gradNorm));
  });

  it('one step is: g̃ from the implicit pass 1, ε = ρ·g̃/‖g̃‖ dense, g′ dense at w + ε, the base step from w', () => {
    const mask = nm24(7);
    const rho = 0.05;
    const base = sgd({ lr: 0.1 });
    const r = run(sam({ rho, base, mask, form: 'implicit', pattern: { n: 2, m: 4 } }), 1);
    const [, gt] = implicitValueAndGrad((p: Params) => lossOf(p), mask, { pattern: { n: 2, m: 4 } })(params0);
    const [, gd] = valueAndGrad((p: Params) => lossOf(p))(params0);
    const nt = globalNorm(gt);
    expect(r.metrics[0]!.gradNorm).toBeCloseTo(nt, 5);
    expect(Math.abs(nt - globalNorm(gd))).toBeGreaterThan(1e-4); // the mask changed pass 1
    expect(r.metrics[0]!.epsNorm).toBeCloseTo(rho, 6); // dense ε: ‖ε‖ = ρ
    const eps = tree.scale(rho / (nt + 1e-12), gt);
    const [, g2] = valueAndGrad((p: Params) => lossOf(p))(tree.zipMap((w: Tensor, e: Tensor) => add(w, e), params0, eps) as Params);
    const [u] = base.update(g2, base.init(params0), params0);
    const expected = applyUpdates(params0, u);
    for (const [x, y] of tree.leaves(r.params).map((l, i) => [l, tree.leaves(expected)[i]] as const))
      Array.from((x as Tensor).toArray()).forEach((v, j) => expect(Math.abs(v - (y as Tensor).toArray()[j]!)).toBeLessThan(1e-5));
  });

  it('SSAM-F 2:4: the Fisher mask is refreshed BEFORE pass 1, so the first step is already implicit', () => {
    const opt = ssamF({ rho: 0.05, base: sgd({ lr: 0.1 }), pattern: { n: 2, m: 4 }, interval: 1, intervalUnit: 'step', numSamples: 6, form: 'implicit' });
    const r = run(opt, 1);
    const state = r.opt as unknown as SsamFState;
    const used = state.sparse.mask; // refreshed in prepare, not again in update
    const [, gt] = implicitValueAndGrad((p: Params) => lossOf(p), used, { pattern: { n: 2, m: 4 } })(params0);
    expect(r.metrics[0]!.gradNorm).toBeCloseTo(globalNorm(gt), 5);
    expect(r.metrics[0]!.gradFnCalls).toBe(1);
    expect(r.metrics[0]!.epsNorm).toBeCloseTo(0.05, 6);
    expect(r.metrics[0]!.maskDensity).toBeGreaterThan(0.5); // 2:4 on the weights, biases fully kept
    expect(r.metrics[0]!.maskDensity).toBeLessThan(0.55);
    expect(r.metrics[0]!.implicitProducts).toEqual({ sparse: 1, masked: 0 }); // fc's input gradient on the N:M kernel (conv's input is the data)
  });

  it('excluded tensors keep a dense input gradient in the implicit form (mask 1), and are never perturbed in the explicit one (mask 0)', () => {
    const make = (form: 'explicit' | 'implicit') =>
      ssamF({ rho: 0.05, base: sgd({ lr: 0.1 }), pattern: { n: 2, m: 4 }, intervalUnit: 'step', numSamples: 6, form, exclude: (path) => path.startsWith('conv') });
    const conv = (f: 'explicit' | 'implicit') => (run(make(f), 1).opt as unknown as SsamFState).sparse.mask as { conv: { w: Tensor } };
    expect(new Set(conv('implicit').conv.w.toArray())).toEqual(new Set([1]));
    expect(new Set(conv('explicit').conv.w.toArray())).toEqual(new Set([0]));
  });

  it('steps without an ascent (ρ = 0, or between SAM steps with every) descend with the DENSE gradient', () => {
    const base = () => sgd({ lr: 0.1, momentum: 0.9 });
    const plain = run(sam({ rho: 0.05, base: base(), every: 2 }), 2);
    const imp = run(sam({ rho: 0.05, base: base(), every: 2, mask: nm24(9), form: 'implicit', pattern: { n: 2, m: 4 } }), 2);
    expect(imp.metrics.map((m) => m.gradFnCalls)).toEqual([1, 0]);
    expect(imp.metrics[1]!.gradNorm).not.toBe(0);
    const sgdOnly = run(sgd({ lr: 0.1 }) as never, 1);
    const zero = run(sam({ rho: 0, base: sgd({ lr: 0.1 }), mask: nm24(9), form: 'implicit' }), 1);
    expect(treesIdentical(zero.params, sgdOnly.params)).toBe(true);
    expect(plain.metrics[1]!.gradFnCalls).toBe(0);
  });

  it('unstructured and structured Fisher masks run too (dense W ⊙ M products; masks on vectors change nothing)', () => {
    for (const pattern of ['unstructured', 'structured'] as const) {
      const r = run(ssamF({ rho: 0.05, base: sgd({ lr: 0.1 }), sparsity: 0.5, pattern, intervalUnit: 'step', numSamples: 6, form: 'implicit' }), 2);
      expect(r.metrics.map((m) => m.gradFnCalls)).toEqual([1, 1]);
      expect(r.metrics[0]!.implicitProducts.sparse).toBe(0);
    }
  });

  it("an empty mask is the base optimizer (s = 1), e.g. step 0 of timing 'reference'", () => {
    const opt = ssamF({ rho: 0.05, base: sgd({ lr: 0.1 }), pattern: { n: 2, m: 4 }, intervalUnit: 'step', interval: 5, numSamples: 6, timing: 'reference', form: 'implicit' });
    const r = run(opt, 1);
    expect(r.metrics[0]!.gradFnCalls).toBe(0);
    expect(r.metrics[0]!.implicitProducts).toEqual({ sparse: 0, masked: 0 });
    expect(treesIdentical(r.params, run(sgd({ lr: 0.1 }) as never, 1).params)).toBe(true);
  });

  it('chain forwards the implicit form of its one implicit member; update without prepare refuses', () => {
    const make = () => sam({ rho: 0.05, base: sgd({ lr: 0.1 }), mask: nm24(11), form: 'implicit', pattern: { n: 2, m: 4 } });
    const plain = run(make(), 2);
    const chained = run(chain(clipByGlobalNorm(1e30), make()) as never, 2);
    expect(treesIdentical(chained.params, plain.params)).toBe(true);
    expect(chained.metrics[0]!.implicitProducts.sparse).toBe(1);
    const opt = make();
    const [, g] = valueAndGrad((p: Params) => lossOf(p))(params0);
    expect(() => opt.update(g, opt.init(params0), params0, { gradFn: () => g })).toThrow(/sam.update: form 'implicit' needs pass 1 computed through the mask: call implicit.prepare/);
    expect(() => chain(make(), make())).toThrow(/chain: members 0 and 1 both have an implicit form/);
  });

  it('with micro-batches every chunk runs the implicit pass (the counts add up over the chunks)', () => {
    const optimizer = sam({ rho: 0.05, base: sgd({ lr: 0.1 }), mask: nm24(12), form: 'implicit', pattern: { n: 2, m: 4 } });
    const r = makeTrainStep({ model, loss: softmaxCrossEntropy, optimizer, microBatches: 2 })(params0, {}, optimizer.init(params0), batch, key);
    expect(r.metrics.implicitProducts).toEqual({ sparse: 2, masked: 0 });
  });

  it('refuses what it cannot do, with a way out', () => {
    expect(() => ssamD({ rho: 0.05, base: sgd({ lr: 0.1 }), sparsity: 0.5, totalEpochs: 1, stepsPerEpoch: 1, form: 'implicit' } as never)).toThrow(/ssamD: form "implicit" is not available.*Use ssamF/);
    expect(() => sam({ rho: 0.05, base: sgd({ lr: 0.1 }), form: 'sparse' as never })).toThrow(/sam: form must be one of/);
    expect(() => sam({ rho: 0.05, base: sgd({ lr: 0.1 }), pattern: { n: 5, m: 4 } })).toThrow(/pattern 5:4 keeps more entries/);
  });
});
