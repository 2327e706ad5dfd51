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
      const g2 = extra.gradFn(tree.add(params, eps) as Params); // pass 2 at w + ε
      const [updates, next] = base.update(g2, state.base, params, extra); // descend from w itself
      return [updates, { base: next }];
    },
  };
}

import { sgd } from '@ssam/optim';
import { runSamLaws, runTransformationContract } from '@ssam/optim/testing';

runTransformationContract('signSam', () => signSam({ rho: 0.05, base: sgd({ lr: 0.1 }) }));
runSamLaws('signSam', ({ rho, base }) => signSam({ rho, base }), { normalised: false });

// §3: a law of your own
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
