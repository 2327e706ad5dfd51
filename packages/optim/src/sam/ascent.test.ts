import { density, fullMask, topKMask } from '@ssam/masks';
import { abs, add, addcmul, ArgumentError, mul, random, tensor, tree, type Tensor } from '@ssam/tensor';
import { describe, expect, it } from 'vitest';
import { chain } from '../combine.js';
import { sgd } from '../sgd.js';
import { runSamLaws, treesIdentical } from '../testing/index.js';
import { recordRun } from '../testing/lawRun.js';
import { arbProblem } from '../testing/problems.js';
import type { Params, Updates } from '../types.js';
import { ascentChain, maskBy, normalizeGlobal, scaleByRho } from './ascent.js';
import { globalNorm } from './norm.js';
import type { MaskPolicy } from './core.js';
import { sam } from './sam.js';
import { ssamD } from './ssamD.js';
import fc from 'fast-check';

// The ascent as a transformation: the built-in family is the composition
// ascentChain(normalizeGlobal(), maskBy(), scaleByRho(ρ)); a plain chain of the same stages is
// the same maths (within rounding) and passes the same laws.

runSamLaws('sam({ ascent: chain(normalizeGlobal(), maskBy(), scaleByRho(ρ)) })', (c) => sam({ ascent: chain(normalizeGlobal(), maskBy(), scaleByRho(c.rho)), base: c.base }), { numRuns: 6 });
runSamLaws('sam({ ascent: ascentChain(normalizeGlobal({ adaptive: true }), maskBy(), scaleByRho(ρ)) })', (c) => sam({ ascent: ascentChain(normalizeGlobal({ adaptive: true }), maskBy(), scaleByRho(c.rho)), base: c.base }), {
  ascent: { eta: 0, only: 'all' }, numRuns: 6,
});

/** SSAM whose mask keeps the top half by |w·g| (a user policy), with the ascent spelled out. */
const wgPolicy = (sparsity: number): MaskPolicy<{ mask: Updates }> => ({
  init: (params) => ({ mask: fullMask(params) }),
  before: (_s, ctx) => ({ mask: topKMask(tree.map((w: Tensor, g: Tensor) => abs(mul(w, g)), ctx.params, ctx.grads), { sparsity }) }),
  view: (s) => ({ mask: s.mask, density: density(s.mask) }),
});
runSamLaws('sam({ policy: top |w·g|, ascent: chain(...) })', (c) => sam({ ascent: chain(normalizeGlobal(), maskBy(), scaleByRho(c.rho)), policy: wgPolicy(c.sparsity), base: c.base }), { sparse: true, numRuns: 6 });

describe('the ascent stages', () => {
  it('the built-in ascent is ONE multiply after the norm: ε = (ρ/(‖g‖ + δ))·g, or addcmul(−0, m, g, ρ/(‖g‖ + δ)) with a mask, bit for bit', () => {
    // The formula sam() had before the ascent became a transformation, written out independently.
    fc.assert(
      fc.property(arbProblem(), fc.integer({ min: 1, max: 100 }), fc.boolean(), (p, k, masked) => {
        const rho = k / 100;
        const g = p.grad(p.params);
        const m = tree.map((w: Tensor) => random.bernoulli(random.key(w.size), 0.5, w.shape), p.params);
        const n = globalNorm(g);
        fc.pre(n > 0);
        const c = rho / (n + 1e-12);
        const eps = masked ? tree.zipMap((mi: Tensor, gi: Tensor) => addcmul(-0, mi, gi, c), m, g) : tree.scale(c, g);
        const want = tree.zipMap((w: Tensor, e: Tensor) => add(w, e), p.params, eps);
        for (const opt of [
          sam({ rho, base: sgd({ lr: 0.1 }), ...(masked ? { mask: m } : {}) }),
          sam({ ascent: ascentChain(normalizeGlobal(), maskBy(), scaleByRho(rho)), base: sgd({ lr: 0.1 }), ...(masked ? { mask: m } : {}) }),
        ]) {
          const [r] = recordRun(opt, p, 1, { twist: 0.5 });
          if (r!.calls.length === 0) continue; // an all-zero masked ε: no pass 2
          expect(treesIdentical(r!.calls[0]!.at, want)).toBe(true);
        }
      }),
      { numRuns: 20, seed: 5 },
    );
  });

  it('a custom ascent keeps its state in state.ascent; the built-in one keeps none (checkpoints unchanged)', () => {
    const params = { w: tensor([1, 2]) };
    expect('ascent' in sam({ rho: 0.1, base: sgd({ lr: 0.1 }) }).init(params)).toBe(false);
    const s = sam({ ascent: chain(normalizeGlobal(), scaleByRho(0.1)), base: sgd({ lr: 0.1 }) }).init(params);
    expect(s.ascent).toEqual([{}, {}]);
  });

  it('explains misuse', () => {
    const base = sgd({ lr: 0.1 });
    expect(() => sam({ rho: 0.1, ascent: normalizeGlobal(), base })).toThrow(/sam: pass either ascent or rho/);
    expect(() => sam({ base } as never)).toThrow(/sam: rho is required/);
    expect(() => maskBy().update({ w: tensor([1]) }, {}, { w: tensor([1]) })).toThrow(/maskBy: runs inside a SAM-family optimizer/);
    expect(() => scaleByRho(-1)).toThrow(/scaleByRho: rho must be ≥ 0/);
    expect(() => normalizeGlobal({ normEps: -1 })).toThrow(/normalizeGlobal: normEps must be ≥ 0/);
    const grow = sam({ ascent: { init: () => ({}), update: (g, s) => [{ v: (g as { w: Tensor }).w }, s] }, base });
    const params = { w: tensor([1]) };
    expect(() => grow.update({ w: tensor([1]) }, grow.init(params), params, { gradFn: (p) => p })).toThrow(/the ascent returned a tree whose structure differs/);
  });
});

describe('masks must be 0/1 and ρ finite (#20 item 3)', () => {
  const base = sgd({ lr: 0.1 });
  const params = { w: tensor([1, 2, 3]) };
  const g = { w: tensor([1, -1, 2]) };
  const gradFn = (p: Params) => p;

  it('a static mask of 2s, or with a NaN, is refused at init (a mask of 2s gave ‖ε‖ = 2ρ)', () => {
    for (const bad of [[2, 0, 2], [1, Number.NaN, 0], [0.5, 1, 0]]) {
      const opt = sam({ rho: 0.1, base, mask: { w: tensor(bad) } });
      expect(() => opt.init(params)).toThrow(ArgumentError);
      expect(() => opt.init(params)).toThrow(/sam: a perturbation mask must hold only 0 and 1; 'w'\[\d\] holds (2|NaN|0.5)/);
    }
  });

  it('a mask policy that returns a non-0/1 mask is refused at update, naming the entry', () => {
    const twos: MaskPolicy<{ mask: Updates }> = { init: () => ({ mask: { w: tensor([2, 2, 0]) } }), before: (s) => s, view: (s) => ({ mask: s.mask, density: 2 / 3 }) };
    const opt = sam({ rho: 0.1, base, policy: twos });
    const s = opt.init(params);
    expect(() => opt.update(g, s, params, { gradFn })).toThrow(/sam: a perturbation mask must hold only 0 and 1; 'w'\[0\] holds 2/);
  });

  it('a ρ schedule that gives NaN (or < 0) at some step fails there, instead of silently turning the ascent off', () => {
    const opt = sam({ rho: (t) => (t < 2 ? 0.1 : Number.NaN), base });
    let s = opt.init(params);
    let w: Params = params;
    for (let t = 0; t < 2; t++) [, s] = opt.update(g, s, w, { gradFn });
    expect(() => opt.update(g, s, w, { gradFn })).toThrow(/sam: rho schedule returned NaN at step 2; a schedule must return finite numbers ≥ 0/);
    const neg = ssamD({ rho: (t) => 0.1 - t, base, sparsity: 0.5, totalEpochs: 4, intervalUnit: 'step' });
    const s0 = neg.update(g, neg.init(params), params, { gradFn })[1];
    expect(() => neg.update(g, s0, params, { gradFn })).toThrow(/ssamD: rho schedule returned -0.9 at step 1/);
    w = params;
    const custom = sam({ ascent: chain(normalizeGlobal(), scaleByRho((t) => (t === 0 ? 0.1 : Number.NaN))), base });
    const c0 = custom.update(g, custom.init(params), params, { gradFn })[1];
    expect(() => custom.update(g, c0, params, { gradFn })).toThrow(/scaleByRho: rho schedule returned NaN at step 1/);
  });
});

describe('ssamD takes score functions of its own', () => {
  it('drop by |w·g|, grow by |w|: the mask keeps its size and follows the scores', () => {
    const params = { w: tensor([[1, -4, 0.5, 3], [2, 0.1, -1, 5]]) };
    const g = { w: tensor([[1, 1, 1, 1], [1, 1, 1, 1]]) };
    const opt = ssamD({
      rho: 0.1, base: sgd({ lr: 0.01 }), sparsity: 0.5, dropRate: () => 0.5, intervalUnit: 'step', key: random.key(3),
      dropScore: ({ params: p, grads }) => tree.map((w: Tensor, gg: Tensor) => abs(mul(w, gg)), p, grads),
      growScore: ({ params: p }) => tree.map((w: Tensor) => abs(w), p),
    });
    let s = opt.init(params);
    const before = Array.from((s.sparse.mask as { w: Tensor }).w.toArray());
    [, s] = opt.update(g, s, params, { gradFn: (p) => p }); // step 0: no refresh
    [, s] = opt.update(g, s, params, { gradFn: (p) => p }); // step 1: drop 2 of 4, grow 2
    const after = Array.from((s.sparse.mask as { w: Tensor }).w.toArray());
    const w = Array.from(params.w.toArray()).map(Math.abs); // |w·g| = |w| here (g = 1)
    const byScore = (idx: number[], dir: 1 | -1) => [...idx].sort((a, b) => dir * (w[a]! - w[b]!));
    const active = before.flatMap((v, i) => (v === 1 ? [i] : []));
    const inactive = before.flatMap((v, i) => (v === 0 ? [i] : []));
    const kept = byScore(active, -1).slice(0, 2); // the two active entries with the largest |w·g| stay
    const grown = byScore(inactive, -1).slice(0, 2); // the two inactive ones with the largest |w| grow
    expect(after.flatMap((v, i) => (v === 1 ? [i] : []))).toEqual([...kept, ...grown].sort((a, b) => a - b));
    expect(density(s.sparse.mask)).toBe(0.5);
  });

  it('a score function returning the wrong shapes is refused, naming it', () => {
    const params = { w: tensor([1, 2, 3, 4]) };
    const opt = ssamD({ rho: 0.1, base: sgd({ lr: 0.01 }), sparsity: 0.5, dropRate: () => 0.5, intervalUnit: 'step', growScore: () => ({ w: tensor([1]) }) });
    const s = opt.update(params, opt.init(params), params, { gradFn: (p) => p })[1];
    expect(() => opt.update(params, s, params, { gradFn: (p) => p })).toThrow(/ssamD.update: the growScore function returned a tree whose structure or leaf shapes differ/);
  });
});
