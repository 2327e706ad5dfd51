import fc from 'fast-check';
import { random, tensor, tree, type Tensor } from '@ssam/tensor';
import { describe, expect, it } from 'vitest';
import { ascentChain, maskBy, normalizeGlobal, scaleByRho } from '../sam/ascent.js';
import type { MaskPolicy } from '../sam/core.js';
import { sam } from '../sam/sam.js';
import { sgd } from '../sgd.js';
import { arbProblem, ascentBound, leaves64, norm64, recordRun, runSamLaws, runTransformationContract, smoothProblem } from '../testing/index.js';
import type { GradientTransformation, Params, Updates } from '../types.js';
import { bernoulliMaskPolicy, esamSwp, type SwpMaskState } from './esamSwp.js';
import { caught } from './caught.test-util.js';

// ESAM's SWP (Du et al. 2022): m ~ Bernoulli(β) per entry, fresh each step; ε = (m ⊙ ρ·g/‖g‖)/β.

const base = () => sgd({ lr: 0.05, momentum: 0.9, weightDecay: 0.01 });
type Make = (rho: number, beta: number) => GradientTransformation<any>;

// 1. The kit, as a sparse SAM with s = 1 − β: handing the variant ρ·β makes its ε = m ⊙ ρ·g/‖g‖,
//    the kit's sparse ascent, so every kit law applies except the exact number of ones (random:
//    any count in [0, N]); the factor 1/β itself is the own law's.
runSamLaws('esamSwp (radius ρ·β)', (c) => esamSwp({ rho: c.rho * (1 - c.sparsity), beta: 1 - c.sparsity, base: c.base }), { sparse: { ones: (n) => [0, n] } });

// 2. Own law, part 1: ε = (m ⊙ ρ·g/‖g‖)/β with the mask m the step used, the TRUE radius.
function swpAscentLaw(make: Make): void {
  const betas = fc.integer({ min: 1, max: 20 }).map((k) => k / 20);
  fc.assert(fc.property(arbProblem({ nonConvexity: [0, 3] }), fc.integer({ min: 1, max: 100 }).map((k) => k / 100), betas, (p, rho, beta) => {
    recordRun(make(rho, beta), p, 3, { twist: 0.4 }).forEach((r) => {
      const g = leaves64(r.g), w = leaves64(r.w), m = leaves64((r.after as { sparse: SwpMaskState }).sparse.mask);
      const n = norm64(g);
      const eps = g.map((l, i) => l.map((v, j) => (n > 0 ? (m[i]![j]! * rho * v) / n / beta : 0)));
      if (!eps.some((l) => l.some((v) => v !== 0)) || n < 1e-18) return;
      expect(r.calls.length).toBe(1);
      const at = leaves64(r.calls[0]!.at), bound = ascentBound(w, eps, n, 1e-7);
      at.forEach((l, i) => l.forEach((v, j) => {
        if (!(Math.abs(v - w[i]![j]! - eps[i]![j]!) <= bound[i]![j]!)) throw new Error(`step ${r.step} (ρ = ${rho}, β = ${beta}): ε ${i}[${j}] = ${v - w[i]![j]!}, the definition gives ${eps[i]![j]}`);
      }));
    });
  }), { numRuns: 12, seed: 1717, endOnFailure: true });
}

// Own law, part 2: the mask is Bernoulli(β) per entry (mean within 5 standard errors over
// 4000 entries) and drawn afresh at every step (two steps' masks differ).
function swpMaskLaw(make: Make): void {
  for (const beta of [0.3, 0.6]) {
    const w = { a: tensor(Float32Array.from({ length: 3000 }, (_, i) => Math.sin(i)), [30, 100]), b: tensor(Float32Array.from({ length: 1000 }, (_, i) => Math.cos(i))) };
    const p = smoothProblem(w, tree.map((x: Tensor) => tree.onesLike(x) as Tensor, w) as Params, tree.zerosLike(w) as Params);
    const rec = recordRun(make(0.05, beta), p, 2, { twist: 0.2 });
    const masks = rec.map((r) => leaves64((r.after as { sparse: SwpMaskState }).sparse.mask).flat());
    for (const m of masks) {
      const mean = m.reduce((s, v) => s + v, 0) / m.length;
      const se = Math.sqrt((beta * (1 - beta)) / m.length);
      if (Math.abs(mean - beta) > 5 * se) throw new Error(`β = ${beta}: the mask's mean is ${mean}, the definition gives ${beta} ± ${5 * se}`);
    }
    if (masks[0]!.every((v, i) => v === masks[1]![i])) throw new Error(`β = ${beta}: the mask of step 1 equals step 0's; the definition gives a fresh draw each step`);
  }
}

const frozen = (beta: number): MaskPolicy<SwpMaskState> => {
  const p = bernoulliMaskPolicy(beta, random.key(0));
  return { ...p, init: (params) => p.before(p.init(params), { op: 'm', step: 0, grads: params as Updates, params, extra: undefined }), before: (s) => s };
};
const mutants: Record<string, Make> = {
  'no 1/β': (rho, beta) => sam({ ascent: ascentChain(normalizeGlobal(), maskBy(), scaleByRho(rho)), policy: bernoulliMaskPolicy(beta, random.key(0)), base: base() }),
  'mask of 1 − β': (rho, beta) => sam({ ascent: ascentChain(normalizeGlobal(), maskBy(), scaleByRho(rho / beta)), policy: bernoulliMaskPolicy(1 - beta, random.key(0)), base: base() }),
  'mask drawn once': (rho, beta) => sam({ ascent: ascentChain(normalizeGlobal(), maskBy(), scaleByRho(rho / beta)), policy: frozen(beta), base: base() }),
};
const correct: Make = (rho, beta) => esamSwp({ rho, beta, base: base() });

describe('esamSwp: its own law', () => {
  it('ε = (m ⊙ ρ·g/‖g‖)/β with the mask of the step', () => swpAscentLaw(correct));
  it('the mask is Bernoulli(β) per entry and fresh at every step', () => swpMaskLaw(correct));
  for (const [name, make] of Object.entries(mutants))
    it(`catches the mutant '${name}'`, () => expect(caught(() => (swpAscentLaw(make), swpMaskLaw(make)))).toMatch(/the definition gives/));
  it('refuses β outside [0, 1], naming esamSwp', () => expect(() => esamSwp({ rho: 0.05, beta: 1.5, base: base() })).toThrow(/esamSwp.*beta/));
});
runTransformationContract('esamSwp', () => esamSwp({ rho: 0.05, beta: 0.6, base: sgd({ lr: 0.1 }) }));
