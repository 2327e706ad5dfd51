import { tree, type Tree } from '@ssam/tensor';

/** One leaf with the keys leading to it. */
export interface PathLeaf<L> {
  readonly path: readonly (string | number)[];
  readonly leaf: L;
}

/** Leaves with their paths, in the canonical order of `tree.flatten` (object keys sorted). */
export function leavesWithPaths<L>(t: Tree<L>): PathLeaf<L>[] {
  const ls = tree.leaves(t as Tree<unknown>) as L[];
  return tree.paths(t as Tree<unknown>).map((path, i) => ({ path, leaf: ls[i]! }));
}

