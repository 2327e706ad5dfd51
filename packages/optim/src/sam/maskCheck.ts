import { ArgumentError, tree, type Tensor } from '@ssam/tensor';
import type { Params, Updates } from '../types.js';

// A perturbation mask is 0/1 by definition (ε = m ⊙ ε_SAM): a mask of 2s doubles ‖ε‖ past ρ,
// and a NaN turns ε, and then the whole update, into NaN. Masks are checked once per mask tree
// (a policy hands back the same tree until it refreshes), so the cost is one read per refresh.
const checked = new WeakSet<object>();

/** Throws unless `mask` has the structure and leaf shapes of `params` and holds only 0 and 1. */
export function checkMaskValues(op: string, mask: Updates, params: Params): void {
  if (mask !== null && typeof mask === 'object' && checked.has(mask)) return;
  const [ml] = tree.flatten(mask);
  const [pl] = tree.flatten(params);
  if (!tree.structureEqual(mask, params) || ml.some((m, i) => (m as Tensor).shape.join() !== pl[i]!.shape.join()))
    throw new ArgumentError(op, 'mask must have the structure and leaf shapes of the params (0/1 tensors); build it from the params, e.g. with topKMask');
  const paths = tree.paths(mask);
  ml.forEach((m, i) => {
    const v = (m as Tensor).toArray();
    for (let j = 0; j < v.length; j++)
      if (v[j] !== 0 && v[j] !== 1)
        throw new ArgumentError(
          op,
          `a perturbation mask must hold only 0 and 1; '${paths[i]!.join('.') || '(root)'}'[${j}] holds ${v[j]} (a mask of 2s would give ‖ε‖ = 2ρ, a NaN a NaN update). Build masks with topKMask, nmMask or a comparison such as greater(scores, t)`,
        );
  });
  if (mask !== null && typeof mask === 'object') checked.add(mask);
}
