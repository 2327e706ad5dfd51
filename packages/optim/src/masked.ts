import { ArgumentError, tree, type Tensor, type Tree } from '@ssam/tensor';
import type { GradientTransformation, OptState, Params, Updates } from './types.js';

/** Which leaves a masked transformation touches: booleans shaped like the params, or a function of them. */
export type LeafMask = Tree<boolean> | ((params: Params) => Tree<boolean>);

function resolve(op: string, mask: LeafMask, params: Params | undefined): boolean[] {
  let m: Tree<boolean>;
  if (typeof mask === 'function') {
    if (params === undefined) throw new ArgumentError(op, 'the mask is a function of the params, so update needs params');
    m = mask(params);
  } else m = mask;
  const [ls] = tree.flatten<unknown>(m as Tree<unknown>);
  ls.forEach((l, i) => {
    if (typeof l !== 'boolean') throw new ArgumentError(op, `mask leaf ${i} is ${String(l)}; a leaf mask holds true/false per parameter tensor`);
  });
  return ls as boolean[];
}

/** Replaces the leaves where `keep` is false by null (an empty subtree). */
function restrict(op: string, t: Tree<unknown>, keep: boolean[]): Tree<unknown> {
  const [ls, def] = tree.flatten(t);
  if (ls.length !== keep.length)
    throw new ArgumentError(op, `the mask has ${keep.length} leaves, the tree has ${ls.length}; build the mask with the same structure as the params`);
  return tree.unflatten(def, ls.map((l, i) => (keep[i] ? l : null)));
}

/**
 * Applies `inner` only to the parameter tensors selected by `mask`; the other updates pass
 * through unchanged (optax `masked`). The inner state only covers the selected leaves.
 * @example
 * // weight decay on matrices only, not on biases or BatchNorm parameters
 * const decay = masked(addDecayedWeights(5e-4), (p) => tree.map((w) => w.rank >= 2, p));
 */
export function masked<S extends OptState>(inner: GradientTransformation<S>, mask: LeafMask): GradientTransformation<S> {
  return {
    init(params) {
      const keep = resolve('masked.init', mask, params);
      return inner.init(restrict('masked.init', params, keep) as Params);
    },
    update(grads, state, params, extra) {
      const keep = resolve('masked.update', mask, params);
      const sub = restrict('masked.update', grads, keep) as Updates;
      const subParams = params === undefined ? undefined : (restrict('masked.update', params, keep) as Params);
      const [innerUpdates, next] = inner.update(sub, state, subParams, extra);
      const innerLeaves = tree.leaves(innerUpdates);
      const [gl, def] = tree.flatten(grads);
      let j = 0;
      const merged = gl.map((g, i) => (keep[i] ? (innerLeaves[j++] as Tensor) : g));
      return [tree.unflatten(def, merged), next];
    },
  };
}
