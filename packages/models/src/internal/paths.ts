import { tree, type Tree } from '@ssam/tensor';

/** One leaf with the keys leading to it. */
export interface PathLeaf<L> {
  readonly path: readonly (string | number)[];
  readonly leaf: L;
}

const isPlain = (x: unknown): x is Record<string, unknown> =>
  x !== null && typeof x === 'object' && !Array.isArray(x) && (Object.getPrototypeOf(x) === Object.prototype || Object.getPrototypeOf(x) === null);

/** Leaves with their paths, in the canonical order of `tree.flatten` (object keys sorted). */
export function leavesWithPaths<L>(t: Tree<L>): PathLeaf<L>[] {
  const out: PathLeaf<L>[] = [];
  const walk = (v: unknown, path: (string | number)[]): void => {
    if (v === null || v === undefined) return;
    if (Array.isArray(v)) v.forEach((c, i) => walk(c, [...path, i]));
    else if (isPlain(v)) for (const k of Object.keys(v).sort()) walk(v[k], [...path, k]);
    else out.push({ path, leaf: v as L });
  };
  walk(t, []);
  // NOTE: guard the invariant that leaf order matches tree.flatten, which everything relies on.
  if (out.length !== tree.count(t as Tree<unknown>)) throw new Error('internal: leaf paths disagree with tree.flatten');
  return out;
}

