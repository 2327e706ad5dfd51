import { mul, sum, tree, vdot, type Tensor } from '@ssam/tensor';
import type { Updates } from '../types.js';

/**
 * True when every entry of every leaf is finite. The fast path is one `vdot(x, x)` per leaf: a
 * finite sum of squares means no entry is NaN or ±Inf (IEEE propagation). Only when it is not
 * finite do we look again with `sum(x · 0)`, which is 0 for finite entries and NaN for NaN or ±Inf
 * (0 · ∞ = NaN), so a large but finite update whose squares overflow float32 is not mistaken for
 * a bad one.
 */
export function allFinite(t: Updates): boolean {
  for (const x of tree.leaves(t) as Tensor[]) {
    if (x.size === 0 || x.dtype !== 'float32') continue; // integer leaves are always finite
    if (Number.isFinite(vdot(x, x).item())) continue;
    if (!Number.isFinite(sum(mul(x, 0)).item())) return false;
  }
  return true;
}
