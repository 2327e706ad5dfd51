import { abs, random, tree, type Key, type Tensor, type Tree } from '@ssam/tensor';
import { tensorLeaves } from './internal/validate.js';

/**
 * Scores: pytrees shaped like the params whose entries rank how much each entry deserves to be
 * perturbed (larger = kept). Any of them feeds `topKMask`, `structuredMask`, `nmMask` or
 * `dropAndGrow`; the Fisher score is in `fisher.ts`.
 */

/** |g|: the gradient magnitude (SSAM-D's default drop score). */
export function gradientMagnitude(grads: Tree): Tree {
  tensorLeaves('gradientMagnitude', grads, 'grads');
  return tree.map((g: Tensor) => abs(g), grads);
}

/** |w|: the weight magnitude. */
export function weightMagnitude(params: Tree): Tree {
  tensorLeaves('weightMagnitude', params, 'params');
  return tree.map((w: Tensor) => abs(w), params);
}

/**
 * I.i.d. uniform [0, 1) scores shaped like `like`, from `key` (one split per leaf, canonical
 * order): the same key gives the same scores. SSAM-D's default grow score.
 * @example randomScores(random.key(0), params)
 */
export function randomScores(key: Key, like: Tree): Tree {
  const leaves = tensorLeaves('randomScores', like, 'like');
  const keys = leaves.length === 0 ? [] : random.split(key, leaves.length);
  let i = 0;
  return tree.map((l: Tensor) => random.uniform(keys[i++]!, l.shape), like);
}
