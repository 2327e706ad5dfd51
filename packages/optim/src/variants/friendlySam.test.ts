import fc from 'fast-check';
import { add, mul, scalar, sub, tree, type Tensor } from '@ssam/tensor';
import { describe, expect, it } from 'vitest';
import { ascentChain, normalizeGlobal, scaleByRho } from '../sam/ascent.js';
import { sam } from '../sam/sam.js';
import { sgd } from '../sgd.js';
import { arbProblem, ascentBound, leaves64, norm64, recordRun, runTransformationContract, samLaws, U32, type Leaves64, type StepRecord } from '../testing/index.js';
import type { GradientTransformation } from '../types.js';
import { friendlySam, type SubtractEmaState } from './friendlySam.js';

// Friendly-SAM (Li et al. 2024): ε_t = ρ·d_t/‖d_t‖, d_t = g_t − σ·m_{t−1}, m_t = λ·m_{t−1} + (1 − λ)·g_t,
// m_0 = g_0. Its own law replays the EMA in float64 over the recorded pass-1 gradients.

/** The float64 reference: for each recorded step, ε of the definition and the size of what was subtracted. */
function friendlyReference(rec: readonly StepRecord[], rho: number, sigma: number, lambda: number): { eps: Leaves64; dNorm: number; scale: number }[] {
  let m: Leaves64 | undefined;
  return rec.map((r) => {
    const g = leaves64(r.g);
    const d = m === undefined ? g : g.map((l, i) => l.map((v, j) => v - sigma * m![i]![j]!));
    // |g| + σ|m|: the size of the terms whose float32 rounding d carries
    const scale = norm64(g.map((l, i) => l.map((v, j) => Math.abs(v) + (m ? sigma * Math.abs(m[i]![j]!) : 0))));
    m = m === undefined ? g : m.map((l, i) => l.map((v, j) => lambda * v + (1 - lambda) * g[i]![j]!));
    const dNorm = norm64(d);
    return { eps: d.map((l) => l.map((v) => (dNorm > 0 ? (rho * v) / dNorm : 0))), dNorm, scale };
  });
}

/** Throws unless every step's pass 2 ran at w + ε with the ε of the definition (float32 bound). */
export function checkFriendly(rec: readonly StepRecord[], rho: number, sigma: number, lambda: number): void {
  friendlyReference(rec, rho, sigma, lambda).forEach(({ eps, dNorm, scale }, t) => {
    const r = rec[t]!;
    if (dNorm === 0) {
      if (r.calls.length !== 0) throw new Error(`step ${t}: d = 0, so no pass 2; gradFn was called ${r.calls.length} times`);
      return;
    }
    if (dNorm < 1e-18) return; // float32 squares underflow: either answer is right
    if (r.calls.length !== 1) throw new Error(`step ${t}: ‖d‖ = ${dNorm} > 0, so pass 2 runs once; gradFn was called ${r.calls.length} times`);
    const w = leaves64(r.w), at = leaves64(r.calls[0]!.at);
    // the kit's bound for one normalisation, plus d's own float32 error carried through ρ/‖d‖
    // (the EMA and the subtraction round |g| + σ|m| a few times per step)
    const extra = (rho * 16 * (t + 2) * U32 * scale) / dNorm;
    const bound = ascentBound(w, eps, dNorm, 1e-7);
    at.forEach((l, i) => l.forEach((v, j) => {
      const got = v - w[i]![j]!, want = eps[i]![j]!;
      if (!(Math.abs(got - want) <= bound[i]![j]! + extra))
        throw new Error(`step ${t} (ρ = ${rho}, σ = ${sigma}, λ = ${lambda}): ε leaf ${i}[${j}] = ${got}, the definition gives ${want} (allowed ${bound[i]![j]! + extra})`);
    }));
  });
}

const rhos = fc.integer({ min: 1, max: 100 }).map((k) => k / 100);
const sigmas = fc.integer({ min: 1, max: 20 }).map((k) => k / 10);
const lambdas = fc.integer({ min: 1, max: 19 }).map((k) => k / 20);
const twists = fc.integer({ min: 1, max: 10 }).map((k) => k / 10);

/** The Friendly-SAM law, on random smooth non-convex problems (fixed seed). */
export function friendlyLaw(make: (rho: number, sigma: number, lambda: number) => GradientTransformation<any>, numRuns = 12): void {
  fc.assert(fc.property(arbProblem({ nonConvexity: [0, 3] }), rhos, sigmas, lambdas, twists, (p, rho, sigma, lambda, twist) => {
    checkFriendly(recordRun(make(rho, sigma, lambda), p, 5, { twist }), rho, sigma, lambda);
  }), { numRuns, seed: 1717, endOnFailure: true });
}

// --- mutants: the stage written wrong ----------------------------------------------------------------
type Bug = 'plus-sigma' | 'lambda-swapped' | 'no-ema' | 'ema-includes-current';
const buggyStage = (sigma: number, lambda: number, bug: Bug): GradientTransformation<SubtractEmaState> => ({
  init: (params) => ({ m: tree.zerosLike(params), seen: scalar(0) }),
  update(g, s) {
    if (s.seen.item() === 0) return [g, { m: g, seen: scalar(1) }];
    const ema = (mm: Tensor, x: Tensor) => (bug === 'lambda-swapped' ? add(mul(mm, 1 - lambda), mul(x, lambda)) : add(mul(mm, lambda), mul(x, 1 - lambda)));
    const m = tree.zipMap(ema, s.m, g);
    const from = bug === 'ema-includes-current' ? m : s.m;
    const d = bug === 'no-ema' ? g : tree.zipMap((x: Tensor, mm: Tensor) => (bug === 'plus-sigma' ? add(x, mul(mm, sigma)) : sub(x, mul(mm, sigma))), g, from);
    return [d, { m, seen: s.seen }];
  },
});
const mutant = (bug: Bug) => (rho: number, sigma: number, lambda: number) =>
  sam({ ascent: ascentChain(buggyStage(sigma, lambda, bug), normalizeGlobal(), scaleByRho(rho)), base: sgd({ lr: 0.05, momentum: 0.9, weightDecay: 0.01 }) });
const correct = (rho: number, sigma: number, lambda: number) => friendlySam({ rho, sigma, lambda, base: sgd({ lr: 0.05, momentum: 0.9, weightDecay: 0.01 }) });

describe('friendlySam: its own law (float64 EMA reference)', () => {
  it('ε = ρ·d/‖d‖ with d = g − σ·EMA_λ(earlier g), on every step', () => friendlyLaw(correct));
  it('σ = 0 is SAM: the same steps as sam({ rho, base }) bit for bit', () => {
    fc.assert(fc.property(arbProblem({ nonConvexity: [0, 3] }), rhos, (p, rho) => {
      const a = recordRun(friendlySam({ rho, sigma: 0, base: sgd({ lr: 0.05 }) }), p, 4, { twist: 0.5 });
      const b = recordRun(sam({ rho, base: sgd({ lr: 0.05 }) }), p, 4, { twist: 0.5 });
      a.forEach((r, t) => expect(leaves64(r.update)).toEqual(leaves64(b[t]!.update)));
    }), { numRuns: 8, seed: 1717 });
  });
  for (const bug of ['plus-sigma', 'lambda-swapped', 'no-ema', 'ema-includes-current'] as const)
    it(`catches the mutant '${bug}'`, () => {
      let err: unknown;
      try {
        friendlyLaw(mutant(bug));
      } catch (e) {
        err = e;
      }
      expect(String((err as Error | undefined)?.cause ?? err)).toMatch(/the definition gives/);
    });
  it("the kit's laws that apply do not catch 'no-ema' (it is SAM): the own law is needed", () => {
    const laws = samLaws(({ rho, base }) => sam({ ascent: ascentChain(buggyStage(1, 0.9, 'no-ema'), normalizeGlobal(), scaleByRho(rho)), base }), {});
    for (const l of laws.filter((x) => APPLY.includes(x.id))) expect(() => l.check()).not.toThrow();
  });
  it('refuses a bad σ or λ, naming friendlySam', () => {
    expect(() => friendlySam({ rho: 0.05, sigma: -1, base: sgd({ lr: 0.1 }) })).toThrow(/friendlySam.*sigma/);
    expect(() => friendlySam({ rho: 0.05, lambda: 1.5, base: sgd({ lr: 0.1 }) })).toThrow(/friendlySam.*lambda/);
  });
});

// The kit: with σ = 1 every law but 'ascent' applies (ε = ρ·d/‖d‖ is not ρ·g/‖g‖; the own law
// above replaces it; ‖ε‖ = ρ still holds). With σ = 0 it is SAM bit for bit (tested above), so
// sam's laws in sam/laws.prop.test.ts cover it.
const APPLY = ['norm', 'descent', 'pass-once', 'pass-never', 'rho-zero'];
describe('friendlySam (σ = 1, λ = 0.9): SAM laws', () => {
  for (const l of samLaws(({ rho, base }) => friendlySam({ rho, sigma: 1, lambda: 0.9, base })).filter((x) => APPLY.includes(x.id))) it(l.name, () => l.check());
});
runTransformationContract('friendlySam', () => friendlySam({ rho: 0.05, base: sgd({ lr: 0.1 }) }));
