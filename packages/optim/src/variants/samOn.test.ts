import fc from 'fast-check';
import { tensor, tree, type Tensor } from '@ssam/tensor';
import { describe, expect, it } from 'vitest';
import { ascentChain, maskBy, normalizeGlobal, scaleByRho } from '../sam/ascent.js';
import { sam } from '../sam/sam.js';
import { sgd } from '../sgd.js';
import { ascentBound, leaves64, norm64, recordRun, runSamLaws, runTransformationContract, smoothProblem, type Leaves64 } from '../testing/index.js';
import type { GradientTransformation, Params } from '../types.js';
import { isNormalizationParam, leafMaskPolicy, samOn, type LeafSelector } from './samOn.js';
import { caught } from './caught.test-util.js';

// SAM-ON (Mueller et al. 2023): ε = ρ·g_N/‖g_N‖ on the normalisation parameters N, 0 elsewhere.

// 1. The kit, with a selector it can mirror from the leaves alone (odd-sized leaves are "N"):
//    every law applies once the reference ascent is declared (ε is not ρ·g/‖g‖ over all leaves).
const odd: LeafSelector = (_p, x) => x.size % 2 === 1;
const onAscent = (g: Leaves64, _w: Leaves64, rho: number): Leaves64 => {
  const gn = g.map((l) => (l.length % 2 === 1 ? l : l.map(() => 0)));
  // δ = 1e-12 (samOn's normEps) belongs to the definition here: the kit bounds δ relative to the
  // FULL ‖g‖, but SAM-ON divides by ‖g_N‖, which can be ≲ δ (and its float32 squares underflow)
  // while ‖g‖ is not. The kit's first draw that failed without it: ‖g_N‖ = 2.6e-23, ‖g‖ = 2e-7.
  const n = norm64(gn);
  return gn.map((l) => l.map((v) => (n > 0 ? (rho * v) / (n + 1e-12) : 0)));
};
runSamLaws('samOn (odd-sized leaves)', ({ rho, base }) => samOn({ rho, base, select: odd }), { ascent: onAscent });

// 2. Its own law, on a network named as @ssam/models names it, with the default selector:
//    ε is 0 off the BatchNorm/LayerNorm γ and β, and ‖ε‖ = ρ exactly (the norm over g_N).
const NORM_LEAVES = new Set(['bn.beta', 'bn.gamma', 'block.0.ln.beta', 'block.0.ln.gamma']);
const namedNet = (vals: number[]): Params => {
  let k = 0;
  const t = (shape: number[]) => tensor(Float32Array.from({ length: shape.reduce((a, b) => a * b, 1) }, () => vals[k++ % vals.length]!), shape);
  return { conv: { w: t([3, 2]), b: t([3]) }, bn: { gamma: t([3]), beta: t([3]) }, block: [{ ln: { gamma: t([2]), beta: t([2]) }, fc: { w: t([2, 2]) } }], head: { w: t([2, 3]) } };
};
export function samOnLaw(make: (rho: number) => GradientTransformation<any>, numRuns = 12): void {
  const vals = (n: number) => fc.array(fc.integer({ min: -200, max: 200 }).map((k) => k / 100), { minLength: n, maxLength: n });
  fc.assert(fc.property(vals(36), vals(36), fc.integer({ min: 1, max: 100 }).map((k) => k / 100), (w, c, rho) => {
    const p0 = namedNet(w);
    const p = smoothProblem(p0, tree.map(() => tensor(1), p0) as Params, namedNet(c), tree.map((x: Tensor) => tree.zerosLike(x) as Tensor, p0) as Params);
    const rec = recordRun(make(rho), p, 3, { twist: 0.3 });
    const names = tree.paths(p0).map((q) => q.join('.'));
    rec.forEach((r) => {
      const g = leaves64(r.g);
      const gn = g.map((l, i) => (NORM_LEAVES.has(names[i]!) ? l : l.map(() => 0)));
      const n = norm64(gn);
      if (n === 0) return void expect(r.calls.length).toBe(0);
      expect(r.calls.length).toBe(1);
      const w64 = leaves64(r.w), at = leaves64(r.calls[0]!.at);
      const want = gn.map((l) => l.map((v) => (rho * v) / (n + 1e-12))); // δ as in the kit reference above
      const got = at.map((l, i) => l.map((v, j) => v - w64[i]![j]!));
      const bound = ascentBound(w64, want, n, 1e-7);
      got.forEach((l, i) => l.forEach((v, j) => {
        if (!(Math.abs(v - want[i]![j]!) <= bound[i]![j]!))
          throw new Error(`step ${r.step}: ε ${names[i]}[${j}] = ${v}, the definition gives ${want[i]![j]} (ρ = ${rho}, ‖g_N‖ = ${n})`);
      }));
    });
  }), { numRuns, seed: 1717, endOnFailure: true });
}
// smoothProblem(w, a, c, b): f = Σ ½a(w − c)² + b·(non-convex part); a = 1, b = 0 here.

const base = () => sgd({ lr: 0.05, momentum: 0.9, weightDecay: 0.01 });
describe('samOn: its own law (named network, default selector)', () => {
  it('ε = ρ·g_N/‖g_N‖ on γ and β of the norm layers, 0 elsewhere, so ‖ε‖ = ρ', () => samOnLaw((rho) => samOn({ rho, base: base() })));
  it("catches the mutant 'SSAM order' (mask after the norm: ‖ε‖ = ρ·‖g_N‖/‖g‖, i.e. sam({ rho, mask }))", () =>
    expect(caught(() => samOnLaw((rho) => sam({ ascent: ascentChain(normalizeGlobal(), maskBy(), scaleByRho(rho)), policy: leafMaskPolicy('m', isNormalizationParam), base: base() })))).toMatch(/the definition gives/));
  it("catches the mutant 'γ only' (β left unperturbed)", () =>
    expect(caught(() => samOnLaw((rho) => samOn({ rho, base: base(), select: (p) => p.at(-1) === 'gamma' })))).toMatch(/the definition gives/));
  it('the default selector picks exactly γ and β of bn and ln', () => {
    const names = tree.paths(namedNet([1])).filter((q) => isNormalizationParam(q, tensor(0))).map((q) => q.join('.'));
    expect(new Set(names)).toEqual(NORM_LEAVES);
  });
  it('refuses a selector that is not a function or returns a non-boolean, naming samOn', () => {
    expect(() => samOn({ rho: 0.05, base: base(), select: 3 as never })).toThrow(/samOn.*select/);
    expect(() => samOn({ rho: 0.05, base: base(), select: (() => 1) as never }).init(namedNet([1]))).toThrow(/samOn.*boolean/);
  });
});
runTransformationContract('samOn', () => samOn({ rho: 0.05, base: sgd({ lr: 0.1 }), select: odd }));
