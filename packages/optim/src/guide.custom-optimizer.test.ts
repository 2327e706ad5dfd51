// The code of docs/guide/custom-optimizer.md, in order (guide.test.ts checks that it stays so).
import { mul, sign, tree, type Tensor } from '@ssam/tensor';
import type { GradientTransformation, OptState, Params, Updates } from '@ssam/optim';

/** SAM whose ascent is ε = ρ·sign(g)/√N (an ℓ∞ ball scaled into the ℓ2 ball of radius ρ). */
export function signSam({ rho, base }: { rho: number; base: GradientTransformation<any> }): GradientTransformation<{ base: OptState }> {
  if (!(rho >= 0)) throw new Error(`signSam: rho must be ≥ 0, got ${rho}`);
  return {
    init: (params) => ({ base: base.init(params) }),
    update(grads, state, params, extra) {
      if (!params || !extra?.gradFn) throw new Error('signSam.update needs params and extra.gradFn');
      const scale = rho / Math.sqrt(Math.max(1, tree.size(params)));
      const eps = tree.map((g: Tensor) => mul(sign(g), scale), grads) as Updates;
      // ε = 0 (ρ = 0 or g = 0) is no ascent: descend with g and skip pass 2 (the kit checks this)
      const flat = scale === 0 || tree.leaves(grads).every((g) => g.toArray().every((v) => v === 0));
      const g2 = flat ? grads : extra.gradFn(tree.add(params, eps) as Params); // pass 2 at w + ε
      const [updates, next] = base.update(g2, state.base, params, extra); // descend from w itself
      return [updates, { base: next }];
    },
  };
}

import { sgd } from '@ssam/optim';
import { runSamLaws, runTransformationContract } from '@ssam/optim/testing';

runTransformationContract('signSam', () => signSam({ rho: 0.05, base: sgd({ lr: 0.1 }) }));
// the float64 reference of the ascent it claims: ε = ρ·sign(g)/√N
const signAscent = (g: number[][], _w: number[][], rho: number) => {
  const n = Math.max(1, g.reduce((k, leaf) => k + leaf.length, 0));
  return g.map((leaf) => leaf.map((v) => (rho * Math.sign(v)) / Math.sqrt(n)));
};
runSamLaws('signSam', ({ rho, base }) => signSam({ rho, base }), { ascent: signAscent });

// §3: a mask of your own
import { density, fullMask, topKMask } from '@ssam/masks';
import { abs } from '@ssam/tensor'; // mul, tree and Tensor as in §1
import { sam, type MaskPolicy } from '@ssam/optim';

/** SSAM's mask policy: keep the entries with the largest |w·g|, recomputed at every step. */
const largestWG = (sparsity: number): MaskPolicy<{ mask: Updates }> => ({
  init: (params) => ({ mask: fullMask(params) }),
  before: (_state, ctx) => ({
    mask: topKMask(tree.map((w: Tensor, g: Tensor) => abs(mul(w, g)), ctx.params, ctx.grads), { sparsity }),
  }),
  view: (state) => ({ mask: state.mask, density: density(state.mask) }),
});

const wgSsam = (rho: number, sparsity: number, base: GradientTransformation<any>) => sam({ rho, base, policy: largestWG(sparsity) });

runSamLaws('SSAM, mask = top |w·g| every step', ({ rho, sparsity, base }) => wgSsam(rho, sparsity, base), { sparse: true });
runTransformationContract('SSAM, mask = top |w·g| every step', () => wgSsam(0.05, 0.5, sgd({ lr: 0.1 })));

// §3: the same, with the ascent written as a transformation
import { chain, maskBy, normalizeGlobal, scaleByRho } from '@ssam/optim';

const wgSsam2 = (rho: number, sparsity: number, base: GradientTransformation<any>) =>
  sam({ ascent: chain(normalizeGlobal(), maskBy(), scaleByRho(rho)), policy: largestWG(sparsity), base });

runSamLaws('SSAM (|w·g|), ascent = chain(normalizeGlobal(), maskBy(), scaleByRho(ρ))', ({ rho, sparsity, base }) => wgSsam2(rho, sparsity, base), { sparse: true });

// §4: a law of your own
import fc from 'fast-check';
import { arbProblem, trajectory, treesIdentical } from '@ssam/optim/testing';
import { it } from 'vitest';

it('signSam with ρ = 0 takes exactly the steps of its base optimizer (a law of your own)', () => {
  // signSam with ρ = 0 takes exactly the steps of its base optimizer
  fc.assert(fc.property(arbProblem(), (p) => {
    const a = trajectory(() => signSam({ rho: 0, base: sgd({ lr: 0.1 }) }), p, 5);
    const b = trajectory(() => sgd({ lr: 0.1 }), p, 5);
    return treesIdentical(a.updates, b.updates);
  }), { numRuns: 20 });
});

// §5: one pass per update rule
import { add, addcmul, tensor } from '@ssam/tensor'; // mul, tree and Tensor as in §1
import { expect } from 'vitest';

it('addcmul fuses an update rule and keeps its bits (§5)', () => {
  const grads = { w: tensor([0.5, -1, 2]) }, trace = { w: tensor([0.1, 0.2, -0.3]) };
  const mask = { w: tensor([1, 0, 1]) }, c = 0.05;
  // momentum μ·buf + g: one pass instead of two, and the same bits
  const fused = tree.zipMap((b: Tensor, g: Tensor) => addcmul(g, b, 1, 0.9), trace, grads);
  const unfused = tree.zipMap((b: Tensor, g: Tensor) => add(mul(b, 0.9), g), trace, grads);
  // a masked ascent ε = (m ⊙ g)·c in one pass (−0 is the exact additive identity)
  const eps = tree.zipMap((m: Tensor, g: Tensor) => addcmul(-0, m, g, c), mask, grads);
  expect(Array.from((fused as { w: Tensor }).w.toArray())).toEqual(Array.from((unfused as { w: Tensor }).w.toArray()));
  expect(Array.from((eps as { w: Tensor }).w.toArray())).toEqual(Array.from(mul(mul(mask.w, grads.w), c).toArray()));
});
