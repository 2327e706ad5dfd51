import { ArgumentError, slice, tree, type Tensor } from '@ssam/tensor';
import type { Updates } from '../types.js';

export interface Batch {
  /** Inputs, batch axis first. */
  readonly x: Tensor;
  /** Integer labels [N]. */
  readonly y: Tensor;
}

/** Splits a batch into `k` contiguous chunks along axis 0 (sizes differ by at most one). */
export function splitBatch(batch: Batch, k: number): Batch[] {
  const n = batch.x.shape[0] ?? 0;
  if (k > n) throw new ArgumentError('makeTrainStep', `microBatches = ${k} exceeds the batch size ${n}; use at most one micro-batch per example`);
  if (k === 1) return [batch];
  const out: Batch[] = [];
  for (let i = 0; i < k; i++) {
    const start = Math.floor((i * n) / k);
    const stop = Math.floor(((i + 1) * n) / k);
    out.push({ x: slice(batch.x, [{ start, stop }]), y: slice(batch.y, [{ start, stop }]) });
  }
  return out;
}

/**
 * Σᵢ wᵢ·treeᵢ with wᵢ = nᵢ/N: the gradient of the mean loss over the whole batch, from the mean-loss
 * gradients of its chunks. NOT the plain sum of chunk gradients, which is k× too large (field
 * notes #5).
 */
export function weightedMean(trees: Updates[], weights: number[]): Updates {
  if (trees.length === 1) return trees[0]!;
  return trees.slice(1).reduce<Updates>((acc, t, i) => tree.add(acc, tree.scale(weights[i + 1]!, t)), tree.scale(weights[0]!, trees[0]!));
}
