import type { Tree } from '@ssam/tensor';
import { excludedLeaves, type Exclude } from './exclude.js';
import { flattenValues, unflattenMask } from './internal/flat.js';
import { selectTopK } from './internal/select.js';
import { checkChoice, checkOptions, checkSparsity, tensorLeaves } from './internal/validate.js';
import type { Mask } from './mask.js';

/** How many of `n` entries a mask of sparsity `s` keeps: floor(n·(1 − s)). */
export function keepCount(n: number, sparsity: number): number {
  return Math.floor(n * (1 - sparsity));
}

export interface TopKOptions {
  /** Fraction of entries NOT perturbed, in [0, 1]. */
  readonly sparsity: number;
  /** 'global' (default): one top-k over all entries of all tensors (SSAM-F); 'per-tensor': each tensor keeps its own share. */
  readonly scope?: 'global' | 'per-tensor';
  /** Parameter groups left out (mask 0, not counted in N). */
  readonly exclude?: Exclude;
}

/**
 * The mask keeping the entries with the largest scores: exactly floor(N·(1 − s)) of the N
 * (non-excluded) entries, globally or per tensor. Ties go to the lower flat index in the canonical
 * tree order. Linear time (a histogram threshold on the float bits, no sort): 11.2 M scores take
 * well under a second.
 * @example const mask = topKMask(fisher, { sparsity: 0.5 }) // SSAM-F: perturb the top half
 */
export function topKMask(scores: Tree, opts: TopKOptions): Mask {
  const op = 'topKMask';
  const o = checkOptions(op, opts);
  const s = checkSparsity(op, o.sparsity);
  const scope = checkChoice(op, o.scope ?? 'global', 'scope', ['global', 'per-tensor'] as const);
  tensorLeaves(op, scores, 'scores');
  const excluded = excludedLeaves(op, scores, opts.exclude);
  const flat = flattenValues(scores);
  const { values, offsets } = flat;
  const out = new Uint8Array(values.length);
  if (scope === 'global') {
    let eligible: Uint8Array | undefined;
    let n = values.length;
    if (excluded.some(Boolean)) {
      eligible = new Uint8Array(values.length);
      n = 0;
      excluded.forEach((ex, i) => {
        if (ex) return;
        eligible!.fill(1, offsets[i], offsets[i + 1]);
        n += offsets[i + 1]! - offsets[i]!;
      });
    }
    selectTopK(values, keepCount(n, s), { eligible, op }, out);
  } else {
    excluded.forEach((ex, i) => {
      if (ex) return;
      const a = offsets[i]!;
      const b = offsets[i + 1]!;
      selectTopK(values.subarray(a, b), keepCount(b - a, s), { op }, out.subarray(a, b));
    });
  }
  return unflattenMask(out, offsets, flat.shapes, flat.def);
}

