import { add, mul, sum, tree, vdot, type Tensor } from '@ssam/tensor';
import type { Updates } from '../types.js';

/**
 * True when every entry of every leaf is finite. The fast path is one `vdot(x, x)` per float
 * leaf, added up on the backend and read back ONCE (a read-back per leaf would cost a GPU sync
 * each): a finite sum of squares means no entry is NaN or ±Inf (IEEE propagation). Only when it is
 * not finite do we look again, leaf by leaf, with `sum(x · 0)`, which is 0 for finite entries and
 * NaN for NaN or ±Inf (0 · ∞ = NaN), so a large but finite update whose squares overflow float32
 * is not mistaken for a bad one.
 */
export function allFinite(t: Updates): boolean {
  const floats = (tree.leaves(t) as Tensor[]).filter((x) => x.size > 0 && x.dtype === 'float32'); // int32 is always finite
  if (floats.length === 0) return true;
  let acc: Tensor | undefined;
  for (const x of floats) acc = acc ? add(acc, vdot(x, x)) : vdot(x, x);
  if (Number.isFinite(acc!.item())) return true;
  return floats.every((x) => Number.isFinite(sum(mul(x, 0)).item()));
}
