import { countOnes, density } from '@ssam/masks';
import { abs, random, tensor, tree, type Tensor } from '@ssam/tensor';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { applyUpdates } from '../combine.js';
import { sgd } from '../sgd.js';
import { arbProblem, treesIdentical } from '../testing/index.js';
import type { GradientTransformation, Params, UpdateExtra, Updates } from '../types.js';
import { ssamD, type SsamDState } from './ssamD.js';
import { ssamF } from './ssamF.js';

const flat = (t: Updates) => tree.leaves(t).flatMap((x) => Array.from(x.toArray()));
const maskOf = (s: unknown) => (s as { sparse: { mask: Updates } }).sparse.mask;

/** Runs `steps` updates, recording the gradFn arguments. */
function run(opt: GradientTransformation<any>, params: Params, grad: (p: Params) => Updates, steps: number, extra: Partial<UpdateExtra> = {}) {
  let w = params;
  let state = opt.init(w);
  const states = [state];
  const seen: (Params | null)[] = [];
  for (let t = 0; t < steps; t++) {
    let arg: Params | null = null;
    const [u, s] = opt.update(grad(w), state, w, { gradFn: (q) => ((arg = q), grad(q)), fisher: (q) => tree.map((g: Tensor) => abs(g), grad(q)), ...extra });
    seen.push(arg);
    w = applyUpdates(w, u);
    state = s;
    states.push(s);
  }
  return { params: w, states, seen };
}

describe('ssamF', () => {
  it('with a given Fisher, perturbs exactly the top floor(N·(1 − s)) entries (property)', () => {
    fc.assert(
      fc.property(arbProblem({ nonConvexity: [0, 2] }), fc.double({ min: 0, max: 1, noNaN: true }), fc.integer({ min: 0, max: 1e6 }), (p, s, seed) => {
        const n = tree.size(p.params);
        // distinct scores so the top set is unambiguous
        const perm = Array.from(random.permutation(random.key(seed), n).toArray());
        let off = 0;
        const fisher = tree.map((w: Tensor) => tensor(Float32Array.from(perm.slice(off, (off += w.size))), w.shape), p.params);
        const opt = ssamF({ rho: 0.1, base: sgd({ lr: 0.01 }), sparsity: s, interval: 100, intervalUnit: 'step' });
        const r = run(opt, p.params, p.grad, 1, { fisher: () => fisher });
        const keep = Math.floor(n * (1 - s));
        const m = flat(maskOf(r.states[1]));
        const scores = flat(fisher);
        m.forEach((v, i) => expect(v).toBe(scores[i]! >= n - keep ? 1 : 0));
        if (r.seen[0]) flat(tree.sub(r.seen[0], p.params)).forEach((e, i) => m[i] === 0 && expect(e).toBe(0));
        expect(r.states[1].stats.maskDensity.item()).toBeCloseTo(n === 0 ? 0 : keep / n, 6);
      }),
      { numRuns: 30 },
    );
  });

  it('the mask lives in the state and is refreshed every `interval` epochs, at the first step of the epoch', () => {
    const params = { w: tensor([1, 2, 3, 4]) };
    const grad = (p: Params) => p;
    const calls: number[] = [];
    let step = 0;
    const opt = ssamF({ rho: 0.1, base: sgd({ lr: 0.01 }), sparsity: 0.5, interval: 2, stepsPerEpoch: 3, numSamples: 7 });
    let w: Params = params;
    let state = opt.init(w);
    for (; step < 13; step++) {
      const [u, s] = opt.update(grad(w), state, w, {
        gradFn: grad,
        fisher: (_q, n) => (calls.push(step), expect(n).toBe(7), tensorLike(step)),
      });
      w = applyUpdates(w, u);
      state = s;
    }
    expect(calls).toEqual([0, 6, 12]); // epochs 0, 2, 4
    function tensorLike(t: number) {
      return { w: tensor(t % 2 === 0 ? [4, 3, 2, 1] : [1, 2, 3, 4]) };
    }
  });

  it("timing 'reference': the first step uses the all-zero mask, the first Fisher mask comes after it", () => {
    const params = { w: tensor([1, 2, 3, 4]) };
    const grad = (p: Params) => p;
    const opt = ssamF({ rho: 0.1, base: sgd({ lr: 0.01 }), sparsity: 0.5, timing: 'reference', stepsPerEpoch: 2 });
    const fisherAt: number[][] = [];
    const r = run(opt, params, grad, 3, { fisher: (q) => (fisherAt.push(flat(q)), q) });
    expect(r.seen[0]).toBeNull(); // step 0: empty mask → no pass 2, a plain base step
    expect(r.states[1].stats.maskDensity.item()).toBe(0);
    expect(flat(maskOf(r.states[1]))).toEqual([0, 0, 1, 1]); // computed after step 0 ...
    expect(fisherAt[0]![0]).toBeCloseTo(1 - 0.01, 6); // ... at the updated params
    expect(r.seen[1]).not.toBeNull();
  });

  it('field notes #6: N:M on a conv weight keeps the top-n of every group of m along cIn (the reference code scrambles the groups)', () => {
    // conv weight [cOut = 2, cIn = 4, kH = 1, kW = 2]; scores chosen so a transpose slip changes the answer
    const shape = [2, 4, 1, 2];
    const scores = Float32Array.from({ length: 16 }, (_, i) => (i * 7) % 16);
    const params = { k: tensor(new Float32Array(16).fill(1), shape) };
    const opt = ssamF({ rho: 0.1, base: sgd({ lr: 0.01 }), pattern: { n: 2, m: 4, axis: 'in' }, intervalUnit: 'step', interval: 10 });
    const r = run(opt, params, (p) => p, 1, { fisher: () => ({ k: tensor(scores, shape) }) });
    const m = flat(maskOf(r.states[1]));
    for (let o = 0; o < 2; o++)
      for (let x = 0; x < 2; x++) {
        const idx = [0, 1, 2, 3].map((c) => o * 8 + c * 2 + x);
        const top = [...idx].sort((a, b) => scores[b]! - scores[a]!).slice(0, 2);
        idx.forEach((i) => expect(m[i]).toBe(top.includes(i) ? 1 : 0));
      }
  });
});

describe('ssamD', () => {
  const problem = () => {
    const k = random.key(3);
    return { a: random.normal(k, [6, 5]), b: random.normal(random.foldIn(k, 1), [7]) } as Params;
  };
  const grad = (p: Params) => tree.map((w: Tensor) => tree.scale(1, w) as Tensor, p);

  it('starts from a seeded random mask with exactly N − ⌈N·s⌉ ones, and keeps that count at every refresh', () => {
    const params = problem();
    const n = tree.size(params);
    for (const s of [0.3, 0.5, 0.9]) {
      const opt = ssamD({ rho: 0.1, base: sgd({ lr: 0.01 }), sparsity: s, totalEpochs: 5, stepsPerEpoch: 2, key: random.key(11) });
      const r = run(opt, params, grad, 10);
      const live = n - Math.ceil(n * s);
      for (const st of r.states) expect(countOnes(maskOf(st))).toBe(live);
      // the mask changed at the epoch boundaries (steps 2, 4, ...) and nowhere else
      expect(treesIdentical(maskOf(r.states[0]), maskOf(r.states[1]))).toBe(true);
      expect(treesIdentical(maskOf(r.states[1]), maskOf(r.states[2]))).toBe(true);
      expect(treesIdentical(maskOf(r.states[2]), maskOf(r.states[3]))).toBe(false);
    }
  });

  it('drops the active entries with the smallest |g| of pass 1', () => {
    const params = problem();
    const make = () => ssamD({ rho: 0.1, base: sgd({ lr: 0.01 }), sparsity: 0.5, dropRate: () => 0.4, stepsPerEpoch: 1, key: random.key(5) });
    const r = run(make(), params, grad, 2);
    const before = flat(maskOf(r.states[1]));
    const after = flat(maskOf(r.states[2]));
    // the refresh at step 1 ranks |g| of pass 1 at the params of step 1
    const g = flat(grad(run(make(), params, grad, 1).params)).map(Math.abs);
    const dropped = before.map((v, i) => v === 1 && after[i] === 0);
    const kept = before.map((v, i) => v === 1 && after[i] === 1);
    expect(dropped.filter(Boolean).length).toBe(Math.floor(before.filter((v) => v === 1).length * 0.4));
    expect(Math.max(...g.filter((_, i) => dropped[i]))).toBeLessThanOrEqual(Math.min(...g.filter((_, i) => kept[i])));
  });

  it('state checkpoints as tensors: serialise after 3 steps, rebuild, continue — identical to an uninterrupted run', () => {
    const params = problem();
    const make = () => ssamD({ rho: 0.1, base: sgd({ lr: 0.05, momentum: 0.9 }), sparsity: 0.5, totalEpochs: 4, stepsPerEpoch: 2, key: random.key(9) });
    const whole = run(make(), params, grad, 6);
    const head = run(make(), params, grad, 3);
    const [leaves, def] = tree.flatten(head.states[3] as never);
    const saved = JSON.stringify((leaves as Tensor[]).map((t) => ({ d: Array.from(t.toArray()), s: t.shape, t: t.dtype })));
    const restored = tree.unflatten(def, (JSON.parse(saved) as { d: number[]; s: number[]; t: 'float32' | 'int32' }[]).map((x) => tensor(x.d, x.s, { dtype: x.t })));
    const opt = make();
    let w = head.params;
    let state = restored as unknown as SsamDState;
    for (let t = 3; t < 6; t++) {
      const [u, s] = opt.update(grad(w), state, w, { gradFn: grad });
      w = applyUpdates(w, u);
      state = s;
    }
    expect(treesIdentical(w, whole.params)).toBe(true);
    expect(treesIdentical(state, whole.states[6])).toBe(true);
    expect(density(maskOf(state))).toBeCloseTo(0.5, 1);
  });

  it('validates its options when built', () => {
    const base = sgd({ lr: 0.1 });
    expect(() => ssamD({ rho: 0.1, base, sparsity: 0.5, stepsPerEpoch: 1 })).toThrow(/needs totalEpochs/);
    expect(() => ssamD({ rho: 0.1, base, sparsity: -0.5, totalEpochs: 3, stepsPerEpoch: 1 })).toThrow(/ssamD: sparsity must lie in \[0, 1\]/);
    expect(() => ssamD({ rho: 0.1, base, sparsity: 0.5, dropRate: 2, totalEpochs: 3, stepsPerEpoch: 1 })).toThrow(/dropRate must lie in \[0, 1\]/);
    expect(() => ssamD({ rho: 0.1, base, sparsity: 0.5, totalEpochs: 3, stepsPerEpoch: 1, dropScore: 'fisher' as never })).toThrow(/dropScore must be one of/);
  });
});
