import fc from 'fast-check';
import { add, mul, scalar, tree, type Tensor } from '@ssam/tensor';
import { describe, expect, it } from 'vitest';
import { ascentChain, normalizeGlobal, scaleByRho } from '../sam/ascent.js';
import { sam } from '../sam/sam.js';
import { sgd } from '../sgd.js';
import { arbProblem, ascentBound, leaves64, norm64, recordRun, runTransformationContract, samLaws, U32, type Leaves64, type StepRecord } from '../testing/index.js';
import type { GradientTransformation } from '../types.js';
import { vasso, type EmaOfGradientsState } from './vasso.js';
import { caught } from './caught.test-util.js';

// VaSSO (Li & Giannakis 2023): d_t = (1 − θ)·d_{t−1} + θ·g_t (d_0 = g_0), ε_t = ρ·d_t/‖d_t‖.
// Its own law replays d in float64 over the recorded pass-1 gradients.

function checkVasso(rec: readonly StepRecord[], rho: number, theta: number): void {
  let d: Leaves64 | undefined;
  rec.forEach((r, t) => {
    const g = leaves64(r.g);
    d = d === undefined ? g : d.map((l, i) => l.map((v, j) => (1 - theta) * v + theta * g[i]![j]!));
    const n = norm64(d);
    if (n === 0) {
      if (r.calls.length !== 0) throw new Error(`step ${t}: d = 0, so no pass 2; gradFn was called ${r.calls.length} times`);
      return;
    }
    if (n < 1e-18) return; // float32 squares underflow: either answer is right
    if (r.calls.length !== 1) throw new Error(`step ${t}: ‖d‖ > 0, so pass 2 runs once; gradFn was called ${r.calls.length} times`);
    const eps = d.map((l) => l.map((v) => (rho * v) / n));
    const w = leaves64(r.w), at = leaves64(r.calls[0]!.at);
    // d is a convex combination of the g's, rounded twice per step: ≤ 3(t + 1)·u·max‖g‖ per entry
    const gmax = Math.max(...rec.slice(0, t + 1).map((x) => norm64(x.g)));
    const extra = (rho * 8 * (t + 2) * U32 * gmax) / n;
    const bound = ascentBound(w, eps, n, 1e-7);
    at.forEach((l, i) => l.forEach((v, j) => {
      const got = v - w[i]![j]!;
      if (!(Math.abs(got - eps[i]![j]!) <= bound[i]![j]! + extra))
        throw new Error(`step ${t} (ρ = ${rho}, θ = ${theta}): ε leaf ${i}[${j}] = ${got}, the definition gives ${eps[i]![j]} (allowed ${bound[i]![j]! + extra})`);
    }));
  });
}

const rhos = fc.integer({ min: 1, max: 100 }).map((k) => k / 100);
const thetas = fc.integer({ min: 1, max: 19 }).map((k) => k / 20);
export function vassoLaw(make: (rho: number, theta: number) => GradientTransformation<any>, numRuns = 12): void {
  fc.assert(fc.property(arbProblem({ nonConvexity: [0, 3] }), rhos, thetas, fc.integer({ min: 1, max: 10 }).map((k) => k / 10), (p, rho, theta, twist) => {
    checkVasso(recordRun(make(rho, theta), p, 5, { twist }), rho, theta);
  }), { numRuns, seed: 1717, endOnFailure: true });
}

type Bug = 'theta-swapped' | 'no-ema' | 'stale-d';
const buggyStage = (theta: number, bug: Bug): GradientTransformation<EmaOfGradientsState> => ({
  init: (params) => ({ d: tree.zerosLike(params), seen: scalar(0) }),
  update(g, s) {
    if (s.seen.item() === 0) return [g, { d: g, seen: scalar(1) }];
    const a = bug === 'theta-swapped' ? theta : 1 - theta;
    const d = tree.zipMap((dd: Tensor, x: Tensor) => add(mul(dd, a), mul(x, 1 - a)), s.d, g);
    return [bug === 'no-ema' ? g : bug === 'stale-d' ? s.d : d, { d, seen: s.seen }];
  },
});
const base = () => sgd({ lr: 0.05, momentum: 0.9, weightDecay: 0.01 });
const mutant = (bug: Bug) => (rho: number, theta: number) => sam({ ascent: ascentChain(buggyStage(theta, bug), normalizeGlobal(), scaleByRho(rho)), base: base() });

describe('vasso: its own law (float64 EMA reference)', () => {
  it('ε = ρ·d/‖d‖ with d = (1 − θ)·d + θ·g, on every step', () => vassoLaw((rho, theta) => vasso({ rho, theta, base: base() })));
  it('θ = 1 is SAM: the same steps as sam({ rho, base }) bit for bit', () => {
    fc.assert(fc.property(arbProblem({ nonConvexity: [0, 3] }), rhos, (p, rho) => {
      const a = recordRun(vasso({ rho, theta: 1, base: sgd({ lr: 0.05 }) }), p, 4, { twist: 0.5 });
      const b = recordRun(sam({ rho, base: sgd({ lr: 0.05 }) }), p, 4, { twist: 0.5 });
      a.forEach((r, t) => expect(leaves64(r.update)).toEqual(leaves64(b[t]!.update)));
    }), { numRuns: 8, seed: 1717 });
  });
  for (const bug of ['theta-swapped', 'no-ema', 'stale-d'] as const)
    it(`catches the mutant '${bug}'`, () => expect(caught(() => vassoLaw(mutant(bug)))).toMatch(/the definition gives/));
  it('refuses θ outside (0, 1], naming vasso', () => {
    expect(() => vasso({ rho: 0.1, theta: 0, base: base() })).toThrow(/vasso.*theta/);
    expect(() => vasso({ rho: 0.1, theta: 1.5, base: base() })).toThrow(/vasso.*theta/);
  });
});

// The kit: every law but 'ascent' applies (ε = ρ·d/‖d‖ is not ρ·g/‖g‖; the own law replaces it).
const APPLY = ['norm', 'descent', 'pass-once', 'pass-never', 'rho-zero'];
describe('vasso (θ = 0.4): SAM laws', () => {
  for (const l of samLaws(({ rho, base: b }) => vasso({ rho, theta: 0.4, base: b })).filter((x) => APPLY.includes(x.id))) it(l.name, () => l.check());
});
runTransformationContract('vasso', () => vasso({ rho: 0.05, base: sgd({ lr: 0.1 }) }));
