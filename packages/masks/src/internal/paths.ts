import { tree, type Tree } from '@ssam/tensor';

/**
 * The key path of every leaf, in the canonical order of `tree.flatten` (object keys sorted, arrays
 * by index), joined with '.': `{ conv: { w, b }, fc: [w] }` → `conv.b`, `conv.w`, `fc.0`.
 * A bare leaf has the path ''.
 */
export const leafPaths = (t: Tree<unknown>): string[] => tree.paths(t).map((p) => p.join('.'));
