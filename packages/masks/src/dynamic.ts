import { ArgumentError, type Key, type Tree } from '@ssam/tensor';
import { excludedLeaves, type Exclude } from './exclude.js';
import { flattenValues, unflattenMask, type Flat } from './internal/flat.js';
import { leafPaths } from './internal/paths.js';
import { selectTopK } from './internal/select.js';
import { checkChoice, checkOptions, checkRate, checkSameLayout, checkSparsity, tensorLeaves } from './internal/validate.js';
import type { Mask } from './mask.js';
import { randomScores } from './scores.js';

// SSAM-D (Mi et al., NeurIPS 2022): the mask evolves by dynamic sparse training. Start from a
// random mask with live = N − ⌈N·s⌉ ones; every refresh, drop the k = ⌊A·dr⌋ active entries with
// the smallest drop score and grow k previously inactive entries with the largest grow score,
// dr(e) = dr0·(1 + cos(πe/E))/2.

function eligibility(offsets: readonly number[], excluded: readonly boolean[]): Uint8Array {
  const el = new Uint8Array(offsets[offsets.length - 1]!);
  excluded.forEach((ex, i) => {
    if (!ex) el.fill(1, offsets[i], offsets[i + 1]);
  });
  return el;
}

export interface RandomMaskOptions {
  /** Fraction of entries NOT perturbed, in [0, 1]. */
  readonly sparsity: number;
  readonly exclude?: Exclude;
}

/**
 * SSAM-D's initial mask: the global top-k of i.i.d. uniform scores drawn from `key`, with exactly
 * live = N − ⌈N·s⌉ ones among the N non-excluded entries. Same key → same mask.
 * @example randomMask(random.key(0), params, { sparsity: 0.5 })
 */
export function randomMask(key: Key, params: Tree, opts: RandomMaskOptions): Mask {
  const op = 'randomMask';
  const o = checkOptions(op, opts);
  const s = checkSparsity(op, o.sparsity);
  tensorLeaves(op, params, 'params');
  const excluded = excludedLeaves(op, params, opts.exclude);
  const flat = flattenValues(randomScores(key, params));
  const eligible = eligibility(flat.offsets, excluded);
  let n = 0;
  for (let i = 0; i < eligible.length; i++) n += eligible[i]!;
  const out = selectTopK(flat.values, n - Math.ceil(n * s), { eligible, op });
  return unflattenMask(out, flat.offsets, flat.shapes, flat.def);
}

export interface DropAndGrowOptions {
  /** Among active entries, the smallest are dropped (default in SSAM-D: |g| from pass 1). */
  readonly dropScores: Tree;
  /** Among previously inactive entries, the largest are grown (default in SSAM-D: random). */
  readonly growScores: Tree;
  /** Fraction of the active entries to drop, in [0, 1] (see `cosineDropRate`). */
  readonly dropRate: number;
  /** 'global' (default): one drop and one grow over all entries; 'per-tensor': each tensor keeps its own live count. */
  readonly scope?: 'global' | 'per-tensor';
  /** Excluded leaves are passed through unchanged. */
  readonly exclude?: Exclude;
}

/**
 * One SSAM-D update. Drops k = min(⌊A·dropRate⌋, I) of the A active entries (smallest drop score)
 * and grows k of the I previously inactive entries (largest grow score), ties to the lower flat
 * index. Dropped ⊆ old active, grown ⊆ old inactive, so the two are disjoint and the live count
 * is preserved EXACTLY (per tensor too with scope 'per-tensor').
 * @example dropAndGrow(mask, { dropScores: gradientMagnitude(g), growScores: randomScores(k, g), dropRate: 0.5 })
 */
export function dropAndGrow(mask: Mask, opts: DropAndGrowOptions): Mask {
  const op = 'dropAndGrow';
  const o = checkOptions(op, opts);
  const dr = checkRate(op, o.dropRate, 'dropRate');
  const scope = checkChoice(op, o.scope ?? 'global', 'scope', ['global', 'per-tensor'] as const);
  tensorLeaves(op, mask, 'mask');
  const paths = leafPaths(mask as Tree<unknown>);
  checkSameLayout(op, mask, 'mask', opts.dropScores, 'dropScores', paths);
  checkSameLayout(op, mask, 'mask', opts.growScores, 'growScores', paths);
  const excluded = excludedLeaves(op, mask, opts.exclude);
  const old: Flat = flattenValues(mask);
  const drop = flattenValues(opts.dropScores).values;
  const grow = flattenValues(opts.growScores).values;
  const total = old.values.length;
  const eligible = eligibility(old.offsets, excluded);
  // active / inactive: the candidates to drop / grow (eligible entries with mask 1 / 0).
  const active = new Uint8Array(total);
  const inactive = new Uint8Array(total);
  for (let i = 0; i < total; i++) {
    const v = old.values[i]!;
    if (v !== 0 && v !== 1) throw new ArgumentError(op, `mask must hold only 0 and 1; '${paths[leafOf(old.offsets, i)]}' holds ${v}`);
    if (eligible[i] === 0) continue;
    if (v === 1) active[i] = 1;
    else inactive[i] = 1;
  }
  const bits = Uint8Array.from(old.values);
  const ranges = scope === 'global' ? [[0, total]] : old.offsets.slice(0, -1).map((a, i) => [a, old.offsets[i + 1]!]);
  for (const [a, b] of ranges as [number, number][]) {
    let nActive = 0;
    let nInactive = 0;
    for (let i = a; i < b; i++) (nActive += active[i]!), (nInactive += inactive[i]!);
    const k = Math.min(Math.floor(nActive * dr), nInactive);
    if (k === 0) continue;
    const dropped = selectTopK(drop.subarray(a, b), k, { smallest: true, eligible: active.subarray(a, b), op });
    const grown = selectTopK(grow.subarray(a, b), k, { eligible: inactive.subarray(a, b), op });
    for (let i = a; i < b; i++) bits[i] = (bits[i]! & (1 - dropped[i - a]!)) | grown[i - a]!;
  }
  return unflattenMask(bits, old.offsets, old.shapes, old.def);
}

function leafOf(offsets: readonly number[], i: number): number {
  let j = 0;
  while (offsets[j + 1]! <= i) j++;
  return j;
}

export interface CosineDropRateOptions {
  /** dr0, the rate at epoch 0 (SSAM-D default 0.5). */
  readonly initial?: number;
  /** E, the epoch at which the rate reaches 0 (the run length). */
  readonly total: number;
}

/**
 * dr(e) = dr0 · (1 + cos(π·e/E)) / 2: dr0 at e = 0, dr0/2 at e = E/2, 0 at e = E. Epochs past E
 * are clamped to E (the rate stays 0).
 * @example cosineDropRate(50, { initial: 0.5, total: 200 })
 */
export function cosineDropRate(epoch: number, opts: CosineDropRateOptions): number {
  const op = 'cosineDropRate';
  const o = checkOptions(op, opts);
  const initial = checkRate(op, o.initial ?? 0.5, 'initial');
  if (typeof o.total !== 'number' || !Number.isFinite(o.total) || o.total <= 0)
    throw new ArgumentError(op, `total must be a positive number of epochs; got ${String(o.total)}`);
  if (typeof epoch !== 'number' || !Number.isFinite(epoch) || epoch < 0)
    throw new ArgumentError(op, `epoch must be a number ≥ 0; got ${String(epoch)}`);
  const e = Math.min(epoch, o.total);
  return (initial * (1 + Math.cos((Math.PI * e) / o.total))) / 2;
}
