import { cosineDropRate, density, dropAndGrow, gradientMagnitude, randomMask, randomScores, weightMagnitude, type Exclude } from '@ssam/masks';
import { ArgumentError, random, scalar, tree, type Key, type Tensor } from '@ssam/tensor';
import { checkOneOf, checkPositive, checkUnit } from '../internal/validate.js';
import type { GradientTransformation, OptState, Schedule, Updates } from '../types.js';
import { samCore, type SamState, type StepContext } from './core.js';
import { keyFromTensor, keyToTensor, refreshClock, type RefreshOptions } from './refresh.js';
import { adaptiveSpec, samAscent, type AdaptiveOption } from './sam.js';
import type { SsamMaskState } from './ssamF.js';

// SSAM-D (Mi et al., NeurIPS 2022, arXiv 2210.05177): ε = m ⊙ ρ·g/(‖g‖ + δ), where m starts random
// and evolves by dynamic sparse training: drop the weakest active entries (|g| of pass 1), grow as
// many inactive ones (random), at rate dr(e) = dr0·(1 + cos(πe/E))/2.

/** What a score function of SSAM-D sees at a refresh: the step's context and a fresh PRNG key. */
export interface ScoreContext extends StepContext {
  readonly key: Key;
}

/** A score per parameter entry, shaped like the params (larger = more worth perturbing). */
export type ScoreFunction = (ctx: ScoreContext) => Updates;

/** A built-in score (|g| of pass 1, |w|, uniform random) or a function of your own. */
export type DynamicScore = 'gradient' | 'weight' | 'random' | ScoreFunction;

export interface SsamDOptions extends RefreshOptions {
  /** Radius ρ ≥ 0 (a number or a schedule of the step). */
  readonly rho: number | Schedule;
  readonly base: GradientTransformation<any>;
  /** s: fraction of entries NOT perturbed; the mask keeps N − ⌈N·s⌉ ones throughout. */
  readonly sparsity: number;
  /** dr0 of the cosine schedule (default 0.5; needs totalEpochs), or a schedule of the epoch. */
  readonly dropRate?: number | Schedule;
  /** E of the cosine drop-rate schedule: the run length in epochs (steps with intervalUnit 'step'). */
  readonly totalEpochs?: number;
  /** Active entries with the smallest score are dropped. Default 'gradient' (|g| of pass 1); or a ScoreFunction. */
  readonly dropScore?: DynamicScore;
  /** Inactive entries with the largest score are grown. Default 'random'; or a ScoreFunction. */
  readonly growScore?: DynamicScore;
  /** Seeds the initial mask and the random scores (default random.key(0)). */
  readonly key?: Key;
  readonly exclude?: Exclude;
  readonly adaptive?: AdaptiveOption;
  readonly normEps?: number;
  readonly every?: number;
}

export interface SsamDMaskState extends SsamMaskState {
  /** The PRNG key for the next refresh, as int32 [2] (the key's two words). */
  readonly key: Tensor;
}

export type SsamDState = SamState<OptState, SsamDMaskState>;

/**
 * SSAM-D: SAM with a dynamic sparse perturbation mask kept in the optimizer state. The mask starts
 * as a seeded random mask and is updated by drop-and-grow every `interval` epochs (not at step 0);
 * the number of perturbed entries never changes.
 * @example
 * const opt = ssamD({ rho: 0.1, base: sgd({ lr: 0.05, momentum: 0.9 }), sparsity: 0.5, totalEpochs: 200, stepsPerEpoch: 391 });
 */
export function ssamD(options: SsamDOptions): GradientTransformation<SsamDState> {
  const op = 'ssamD';
  const o = options;
  if (o.sparsity === undefined) throw new ArgumentError(op, 'sparsity is required (the fraction of entries NOT perturbed, e.g. 0.5)');
  const sparsity = checkUnit(op, 'sparsity', o.sparsity);
  if ((o as { form?: unknown }).form !== undefined && (o as { form?: unknown }).form !== 'explicit')
    throw new ArgumentError(
      op,
      `form ${JSON.stringify((o as { form?: unknown }).form)} is not available: the implicit form needs its mask before pass 1, but SSAM-D's drop score is pass 1's gradient. ` +
        "Use ssamF({ pattern: { n: 2, m: 4 }, form: 'implicit' }) or sam({ mask, form: 'implicit' })",
    );
  const score = (name: string, v: DynamicScore): DynamicScore => (typeof v === 'function' ? v : checkOneOf(op, name, v, ['gradient', 'weight', 'random'] as const));
  const dropScore = score('dropScore', o.dropScore ?? 'gradient');
  const growScore = score('growScore', o.growScore ?? 'random');
  const dr = o.dropRate ?? 0.5;
  let rateAt: (epoch: number) => number;
  if (typeof dr === 'function') rateAt = dr;
  else {
    const initial = checkUnit(op, 'dropRate', dr);
    if (o.totalEpochs === undefined)
      throw new ArgumentError(op, 'the cosine drop-rate schedule needs totalEpochs (the run length); or pass dropRate as a function of the epoch');
    const total = checkPositive(op, 'totalEpochs', o.totalEpochs);
    rateAt = (e) => cosineDropRate(e, { initial, total });
  }
  const clock = refreshClock(op, o);
  adaptiveSpec(op, o.adaptive); // validated here, so that its errors name the builder
  const ex = o.exclude ? { exclude: o.exclude } : {};
  const key0 = o.key ?? random.key(0);

  const scores = (name: string, kind: DynamicScore, ctx: StepContext, key: Key): Updates => {
    if (typeof kind !== 'function')
      return kind === 'gradient' ? gradientMagnitude(ctx.grads) : kind === 'weight' ? weightMagnitude(ctx.params) : randomScores(key, ctx.params);
    const s = kind({ ...ctx, key });
    if (!tree.structureEqual(s, ctx.params) || (tree.leaves(s) as Tensor[]).some((x, i) => x.shape.join() !== (tree.leaves(ctx.params) as Tensor[])[i]!.shape.join()))
      throw new ArgumentError(`${op}.update`, `the ${name} function returned a tree whose structure or leaf shapes differ from the params; it must return one score per parameter entry`);
    return s;
  };

  const refresh = (s: SsamDMaskState, ctx: StepContext): SsamDMaskState => {
    const [next, kDrop, kGrow] = random.split(keyFromTensor(s.key), 3) as [Key, Key, Key];
    const rate = rateAt(clock.epoch(ctx.step));
    if (!(rate >= 0 && rate <= 1)) throw new ArgumentError(`${op}.update`, `the drop-rate schedule gave ${rate} at epoch ${clock.epoch(ctx.step)}; it must lie in [0, 1]`);
    const mask = dropAndGrow(s.mask, { dropScores: scores('dropScore', dropScore, ctx, kDrop), growScores: scores('growScore', growScore, ctx, kGrow), dropRate: rate, ...ex });
    return { mask, density: scalar(density(mask)), key: keyToTensor(next) };
  };

  return samCore(op, { rho: o.rho, base: o.base, ascent: samAscent(op, o), stateless: true, every: o.every }, {
    init(params) {
      const [kMask, next] = random.split(key0, 2) as [Key, Key];
      const mask = randomMask(kMask, params, { sparsity, ...ex });
      return { mask, density: scalar(density(mask)), key: keyToTensor(next) };
    },
    before: (s, ctx) => (ctx.step > 0 && clock.due(ctx.step) ? refresh(s, ctx) : s),
    view: (s) => ({ mask: s.mask, density: s.density.item() }),
  });
}
