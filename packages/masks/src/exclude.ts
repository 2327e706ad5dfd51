import { ArgumentError, ShapeError, tree, type Tensor, type Tree } from '@ssam/tensor';
import { leafPaths } from './internal/paths.js';

/**
 * Which parameter groups to leave out of the perturbation (their mask is all 0 and they do not
 * count in the budget): a predicate on the leaf's key path and value, or a pytree of booleans
 * with the structure of the params (`true` = excluded).
 * @example topKMask(scores, { sparsity: 0.5, exclude: excludeVectors }) // biases and BN stay unperturbed
 * @example topKMask(scores, { sparsity: 0.5, exclude: (path) => path.startsWith('head.') })
 */
export type Exclude = ((path: string, leaf: Tensor) => boolean) | Tree<boolean>;

/** Excludes tensors of rank ≤ 1 (biases, BatchNorm scales and offsets). */
export const excludeVectors = (_path: string, leaf: Tensor): boolean => leaf.rank <= 1;

/** Resolves `exclude` against the leaves of `like` (canonical order) into one flag per leaf. */
export function excludedLeaves(op: string, like: Tree, exclude: Exclude | undefined): boolean[] {
  const leaves = tree.leaves(like);
  if (exclude === undefined) return leaves.map(() => false);
  const paths = leafPaths(like as Tree<unknown>);
  if (typeof exclude === 'function') return leaves.map((l, i) => Boolean(exclude(paths[i]!, l)));
  if (!tree.structureEqual(like as Tree<unknown>, exclude as Tree<unknown>))
    throw new ShapeError(op, `exclude must be a predicate (path, leaf) => boolean or a pytree of booleans with the structure of the params`);
  const flags = tree.leaves(exclude as Tree<unknown>);
  return flags.map((f, i) => {
    if (typeof f !== 'boolean') throw new ArgumentError(op, `exclude leaf '${paths[i]}' must be true or false; got ${typeof f}`);
    return f;
  });
}
