import { ArgumentError } from '@ssam/tensor';
import type { Tree } from '@ssam/tensor';
import { excludedLeaves, type Exclude } from './exclude.js';
import { flattenValues, unflattenMask } from './internal/flat.js';
import { leafPaths } from './internal/paths.js';
import { checkChoice, checkOptions, checkSparsity, tensorLeaves } from './internal/validate.js';
import type { Mask } from './mask.js';
import { keepCount } from './topk.js';

export interface StructuredOptions {
  /** Fraction of entries NOT perturbed, in [0, 1]. */
  readonly sparsity: number;
  /** 'tensor' (TPAMI): whole parameter tensors; 'filter': output filters / units (slices along axis 0). */
  readonly granularity: 'tensor' | 'filter';
  readonly exclude?: Exclude;
}

/** One selectable block: `size` contiguous entries from `start` with mean score `mean`. */
interface Unit {
  readonly start: number;
  readonly size: number;
  readonly mean: number;
  readonly order: number;
}

/**
 * Structured mask (Mi et al., TPAMI 2025): blocks are ranked by the mean of their scores (ties:
 * canonical order) and kept greedily, best first, until the kept entry count reaches the budget
 * floor(N·(1 − s)). The kept set is the SMALLEST prefix of the ranking that meets the budget, so
 * the density exceeds 1 − s by less than one block.
 *
 * Blocks: 'tensor' = each parameter tensor; 'filter' = each slice along axis 0 (the output filter
 * of a conv weight [cOut, cIn, kH, kW], the output unit's row of a dense [out, in] weight, one
 * entry of a bias or BN vector); a rank-0 tensor is one block.
 * @example structuredMask(fisher, { sparsity: 0.5, granularity: 'filter' })
 */
export function structuredMask(scores: Tree, opts: StructuredOptions): Mask {
  const op = 'structuredMask';
  const o = checkOptions(op, opts);
  const s = checkSparsity(op, o.sparsity);
  const granularity = checkChoice(op, o.granularity, 'granularity', ['tensor', 'filter'] as const);
  const leaves = tensorLeaves(op, scores, 'scores');
  const excluded = excludedLeaves(op, scores, opts.exclude);
  const paths = leafPaths(scores as Tree<unknown>);
  const flat = flattenValues(scores);
  const { values, offsets } = flat;
  const units: Unit[] = [];
  let n = 0;
  leaves.forEach((leaf, i) => {
    if (excluded[i]) return;
    const size = leaf.size;
    n += size;
    const blocks = granularity === 'tensor' || leaf.rank === 0 ? 1 : leaf.shape[0]!;
    const per = blocks === 0 ? 0 : size / blocks;
    for (let b = 0; b < blocks; b++) {
      const start = offsets[i]! + b * per;
      let acc = 0;
      for (let j = start; j < start + per; j++) acc += values[j]!;
      const mean = per === 0 ? 0 : acc / per;
      if (Number.isNaN(mean)) throw new ArgumentError(op, `scores of '${paths[i]}' contain NaN; check the loss or gradients that produced them`);
      units.push({ start, size: per, mean, order: units.length });
    }
  });
  units.sort((a, b) => (b.mean > a.mean ? 1 : b.mean < a.mean ? -1 : a.order - b.order));
  const budget = keepCount(n, s);
  const out = new Uint8Array(values.length);
  let kept = 0;
  for (const u of units) {
    if (kept >= budget) break;
    out.fill(1, u.start, u.start + u.size);
    kept += u.size;
  }
  return unflattenMask(out, offsets, flat.shapes, flat.def);
}
