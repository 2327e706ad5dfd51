import { ShapeError, full, maximum, minimum, sub, tree, where, type Tensor, type Tree } from '@ssam/tensor';
import { checkSameLayout, tensorLeaves } from './internal/validate.js';
import { leafPaths } from './internal/paths.js';
import { floatData } from './internal/flat.js';

/**
 * A mask: a pytree with the structure and leaf shapes of the params whose leaves are float32
 * tensors of 0s and 1s. 1 = the entry is perturbed by (S)SAM, 0 = it is left where it is.
 */
export type Mask = Tree;

/** The all-ones mask shaped like `params` (SSAM with sparsity 0 is SAM). */
export function fullMask(params: Tree): Mask {
  tensorLeaves('fullMask', params, 'params');
  return tree.map((p: Tensor) => full(p.shape, 1), params);
}

/** The all-zeros mask shaped like `params` (SSAM with sparsity 1 is the base optimizer). */
export function emptyMask(params: Tree): Mask {
  tensorLeaves('emptyMask', params, 'params');
  return tree.map((p: Tensor) => full(p.shape, 0), params);
}

function check(op: string, mask: Mask, t: Tree, name: string): void {
  tensorLeaves(op, mask, 'mask');
  checkSameLayout(op, mask, 'mask', t, name, leafPaths(mask as Tree<unknown>));
}

/**
 * `t` with its masked-out entries set to exactly 0 (a select, not a product, so Inf and NaN in
 * masked-out entries do not leak). Idempotent; keeps the structure and dtypes of `t`.
 * @example applyMask(mask, grads) // the sparse ascent direction
 */
export function applyMask(mask: Mask, t: Tree): Tree {
  check('applyMask', mask, t, 'tree');
  return tree.map((m: Tensor, x: Tensor) => where(m, x, 0), mask, t);
}

/** Number of non-zero entries of `mask`. */
export function countOnes(mask: Mask): number {
  let n = 0;
  for (const l of tensorLeaves('countOnes', mask, 'mask')) {
    const d = floatData(l);
    for (let i = 0; i < d.length; i++) if (d[i] !== 0) n++;
  }
  return n;
}

/** Fraction of entries that are perturbed: countOnes / total size (0 for a mask with no entries). */
export function density(mask: Mask): number {
  const n = tree.size(mask as Tree<unknown>);
  return n === 0 ? 0 : countOnes(mask) / n;
}

/** Splits `t` into [inside, outside]: the entries where mask = 1 and where mask = 0, zeros elsewhere. */
export function partition(mask: Mask, t: Tree): [Tree, Tree] {
  check('partition', mask, t, 'tree');
  return [tree.map((m: Tensor, x: Tensor) => where(m, x, 0), mask, t), tree.map((m: Tensor, x: Tensor) => where(m, 0, x), mask, t)];
}

/** Inverse of `partition`: takes `inside` where mask = 1 and `outside` elsewhere (bit-exact). */
export function combine(mask: Mask, inside: Tree, outside: Tree): Tree {
  check('combine', mask, inside, 'inside');
  check('combine', mask, outside, 'outside');
  return tree.map((m: Tensor, a: Tensor, b: Tensor) => where(m, a, b), mask, inside, outside);
}

function binary(op: string, f: (a: Tensor, b: Tensor) => Tensor, a: Mask, b: Mask): Mask {
  tensorLeaves(op, a, 'a');
  if (!tree.structureEqual(a as Tree<unknown>, b as Tree<unknown>)) throw new ShapeError(op, 'a and b must be masks of the same params (same structure)');
  checkSameLayout(op, a, 'a', b, 'b', leafPaths(a as Tree<unknown>));
  return tree.map(f, a, b);
}

/** Entries perturbed by either mask. */
export const union = (a: Mask, b: Mask): Mask => binary('union', maximum, a, b);
/** Entries perturbed by both masks. */
export const intersect = (a: Mask, b: Mask): Mask => binary('intersect', minimum, a, b);
/** The complement 1 − mask. */
export function complement(mask: Mask): Mask {
  tensorLeaves('complement', mask, 'mask');
  return tree.map((m: Tensor) => sub(1, m), mask);
}
