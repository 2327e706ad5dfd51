import { ArgumentError, tree, type Tensor, type Tree } from '@ssam/tensor';
import type { Params } from './layer.js';
import { leavesWithPaths } from './internal/paths.js';

/** The kinds `byKind` tells apart. */
export type ParamKind = 'conv' | 'dense' | 'bias' | 'bn' | 'other';

/** Labels one parameter from its path (keys from the root) and its tensor. */
export type GroupRule<G extends string = string> = (path: readonly (string | number)[], leaf: Tensor) => G;

/**
 * Labels a parameter by layer kind from the naming convention of the built-in layers: `w` of rank 4
 * is a conv filter, `w` of rank 2 a dense weight, `b` a bias, `gamma` / `beta` BatchNorm; anything
 * else is 'other'. Custom layers that follow the convention are classified too.
 */
export const byKind: GroupRule<ParamKind> = (path, leaf) => {
  const last = path[path.length - 1];
  if (last === 'gamma' || last === 'beta') return 'bn';
  if (last === 'b') return 'bias';
  if (last === 'w') return leaf.rank === 4 ? 'conv' : leaf.rank === 2 ? 'dense' : 'other';
  return 'other';
};

/**
 * A rule from ordered [pattern, label] pairs matched against the dotted path; the first match wins,
 * and `fallback` labels the rest.
 * @example byPath([[/^linear\./, 'head']], byKind) // the classifier apart, the rest by kind
 */
export function byPath<G extends string, F extends string>(rules: readonly (readonly [RegExp | string, G])[], fallback: GroupRule<F>): GroupRule<G | F> {
  return (path, leaf) => {
    const dotted = path.join('.');
    for (const [pat, label] of rules) if (typeof pat === 'string' ? dotted.startsWith(pat) : pat.test(dotted)) return label;
    return fallback(path, leaf);
  };
}

/**
 * Splits parameters into groups: a tree shaped like `params` with a label at every leaf, for
 * masks and optimizers that treat groups differently (no weight decay on biases and BN, sparsity
 * only on conv/dense weights, ...).
 * @example paramGroups(params) // { conv1: { w: 'conv' }, bn1: { gamma: 'bn', beta: 'bn' }, linear: { w: 'dense', b: 'bias' } }
 */
export function paramGroups<G extends string = ParamKind>(params: Params, rule?: GroupRule<G>): Tree<G> {
  const r = (rule ?? byKind) as GroupRule<G>;
  const labels = leavesWithPaths(params).map(({ path, leaf }) => r(path, leaf as Tensor));
  const [, def] = tree.flatten(params);
  return tree.unflatten<G>(def, labels);
}

/**
 * A boolean pytree (true where the label is one of `wanted`), shaped like the params the groups came
 * from, for optax-style masking.
 * @example groupMask(paramGroups(params), 'conv', 'dense') // true on weights, false on biases and BN
 */
export function groupMask(groups: Tree<string>, ...wanted: string[]): Tree<boolean> {
  if (wanted.length === 0) throw new ArgumentError('groupMask', 'name at least one group label, e.g. groupMask(groups, "conv", "dense")');
  return tree.map((g: string) => wanted.includes(g), groups) as Tree<boolean>;
}
