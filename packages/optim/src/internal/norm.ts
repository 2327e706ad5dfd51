import { tree, vdot, type Tensor } from '@ssam/tensor';
import type { Updates } from '../types.js';

/**
 * Σ‖leaf‖², the leaf sums added in double precision. One `vdot` per leaf: a single pass with no
 * temporary the size of the leaf, where `tree.norm` multiplies and then sums. Measured on a
 * [784, 256] leaf: 0.09 ms (wasm) and 0.8 ms (reference), against 0.5 ms and 0.95 ms for
 * `sum(mul(x, x))`. This is on the per-step path of every SAM-family update.
 */
export function squaredNorm(t: Updates): number {
  let s = 0;
  for (const x of tree.leaves(t) as Tensor[]) if (x.size > 0) s += vdot(x, x).item();
  return s;
}

export const globalNorm = (t: Updates): number => Math.sqrt(squaredNorm(t));

/**
 * ⟨a, b⟩ over two trees of one layout, summed on the host in double precision. GSAM's
 * decomposition and LookSAM's projection divide by such products, so they keep every digit.
 */
export function dot64(a: Updates, b: Updates): number {
  const bl = tree.leaves(b) as Tensor[];
  let s = 0;
  (tree.leaves(a) as Tensor[]).forEach((x, i) => {
    const xs = x.toArray(), ys = bl[i]!.toArray();
    for (let j = 0; j < xs.length; j++) s += xs[j]! * ys[j]!;
  });
  return s;
}
