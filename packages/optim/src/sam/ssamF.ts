import { density, emptyMask, excludedLeaves, nmMask, structuredMask, topKMask, type Exclude } from '@ssam/masks';
import { ArgumentError, onesLike, scalar, tree, type Tensor } from '@ssam/tensor';
import { applyUpdates } from '../combine.js';
import { checkOneOf, checkPositiveInt, checkUnit } from '../internal/validate.js';
import type { GradientTransformation, OptState, Params, Schedule, Updates } from '../types.js';
import { samCore, type SamForm, type SamState, type StepContext } from './core.js';
import { refreshClock, type RefreshOptions } from './refresh.js';
import { adaptiveSpec, samAscent, type AdaptiveOption } from './sam.js';

// SSAM-F (Mi et al., NeurIPS 2022, arXiv 2210.05177): ε = m ⊙ ρ·g/(‖g‖ + δ), where m keeps the
// entries with the largest diagonal empirical Fisher F = Σ_i (∇ℓ_i)², recomputed on a schedule.

/** Which entries a Fisher mask may keep: a global top-k, whole tensors (TPAMI), or N:M groups. */
export type MaskPattern = 'unstructured' | 'structured' | { readonly n: number; readonly m: number; readonly axis?: 'in' | 'out' };

export interface SsamFOptions extends RefreshOptions {
  /** Radius ρ ≥ 0 (a number or a schedule of the step). */
  readonly rho: number | Schedule;
  readonly base: GradientTransformation<any>;
  /** s: fraction of entries NOT perturbed. Implied by N:M (1 − n/m) and optional there. */
  readonly sparsity?: number;
  readonly pattern?: MaskPattern;
  /** Structured granularity: whole tensors ('tensor', the TPAMI rule) or output filters. */
  readonly granularity?: 'tensor' | 'filter';
  /** Fisher examples per refresh (default 128). */
  readonly numSamples?: number;
  /** 'before-first-step' (default): the first step already uses a Fisher mask. 'reference': start from the all-zero mask and compute the first one after step 0, as the SSAM code does. */
  readonly timing?: 'before-first-step' | 'reference';
  /**
   * Parameter groups left out of the selection (see @ssam/masks `excludeVectors`): never perturbed
   * in the explicit form; in the implicit form they keep their exact, dense input gradient (mask 1).
   */
  readonly exclude?: Exclude;
  readonly adaptive?: AdaptiveOption;
  readonly normEps?: number;
  readonly every?: number;
  /**
   * 'explicit' (default, NeurIPS 2022): ε = m ⊙ ρ·g/‖g‖. 'implicit' (TPAMI 2025): pass 1 sends
   * input gradients through W ⊙ M, with the compressed N:M kernels when `pattern` is N:M (use
   * makeTrainStep, which refreshes the mask before pass 1); ε, pass 2 and the descent are dense.
   */
  readonly form?: SamForm;
}

export interface SsamMaskState {
  /** 0/1 float32 tensors shaped like the params (1 = perturbed). */
  readonly mask: Updates;
  readonly density: Tensor;
}

export type SsamFState = SamState<OptState, SsamMaskState>;

/**
 * SSAM-F: SAM whose perturbation keeps only the entries with the largest Fisher score. The mask
 * lives in the optimizer state and is recomputed every `interval` epochs from
 * `extra.fisher(params, numSamples)` (see `makeTrainStep`, which builds that sampler).
 * @example
 * const opt = ssamF({ rho: 0.1, base: sgd({ lr: 0.05, momentum: 0.9 }), sparsity: 0.5, numSamples: 128, stepsPerEpoch: 391 });
 * const [u, s] = opt.update(g, state, params, { gradFn, fisher: (p, n) => fisherScores(loss, p, examples, { numSamples: n }) });
 */
export function ssamF(options: SsamFOptions): GradientTransformation<SsamFState> {
  const op = 'ssamF';
  const o = options;
  const pattern = o.pattern ?? 'unstructured';
  let sparsity: number;
  let select: (scores: Updates) => Updates;
  let nm: { n: number; m: number; axis: 'in' | 'out' } | undefined;
  if (typeof pattern === 'object' && pattern !== null) {
    const n = checkPositiveInt(op, 'pattern.n', pattern.n);
    const m = checkPositiveInt(op, 'pattern.m', pattern.m);
    if (n > m) throw new ArgumentError(op, `pattern ${n}:${m} keeps more entries than the group holds; use n ≤ m (2:4 is sparsity 0.5)`);
    sparsity = 1 - n / m;
    if (o.sparsity !== undefined && Math.abs(checkUnit(op, 'sparsity', o.sparsity) - sparsity) > 1e-12)
      throw new ArgumentError(op, `sparsity ${o.sparsity} contradicts the ${n}:${m} pattern (sparsity ${sparsity}); leave sparsity out with N:M`);
    const axis = checkOneOf(op, 'pattern.axis', pattern.axis ?? 'in', ['in', 'out'] as const);
    select = (scores) => nmMask(scores, { n, m, axis, ...(o.exclude ? { exclude: o.exclude } : {}) });
    nm = { n, m, axis };
  } else {
    checkOneOf(op, 'pattern', pattern, ['unstructured', 'structured'] as const);
    if (o.sparsity === undefined) throw new ArgumentError(op, "sparsity is required (the fraction of entries NOT perturbed, e.g. 0.5)");
    sparsity = checkUnit(op, 'sparsity', o.sparsity);
    const ex = o.exclude ? { exclude: o.exclude } : {};
    if (pattern === 'structured') {
      const granularity = checkOneOf(op, 'granularity', o.granularity ?? 'tensor', ['tensor', 'filter'] as const);
      select = (scores) => structuredMask(scores, { sparsity, granularity, ...ex });
    } else select = (scores) => topKMask(scores, { sparsity, scope: 'global', ...ex });
  }
  const numSamples = checkPositiveInt(op, 'numSamples', o.numSamples ?? 128);
  const timing = checkOneOf(op, 'timing', o.timing ?? 'before-first-step', ['before-first-step', 'reference'] as const);
  const clock = refreshClock(op, o);
  adaptiveSpec(op, o.adaptive); // validated here, so that its errors name the builder
  const implicitForm = o.form === 'implicit';

  const refresh = (params: Params, ctx: StepContext): SsamMaskState => {
    const fisher = ctx.extra?.fisher;
    if (typeof fisher !== 'function')
      throw new ArgumentError(`${op}.update`, `a mask refresh is due at step ${ctx.step} and needs extra.fisher, a sampler (params, numSamples) => Fisher scores; makeTrainStep provides one`);
    const scores = fisher(params, numSamples);
    if (!tree.structureEqual(scores, params))
      throw new ArgumentError(`${op}.update`, 'extra.fisher returned a tree whose structure differs from the params; it must return one score per parameter entry');
    let mask = select(scores);
    if (implicitForm && o.exclude !== undefined) {
      const ex = excludedLeaves(op, scores, o.exclude);
      const [ls, def] = tree.flatten(mask);
      mask = tree.unflatten(def, ls.map((m, i) => (ex[i] ? onesLike(m as Tensor) : m)));
    }
    return { mask, density: scalar(density(mask)) };
  };

  return samCore(op, { rho: o.rho, base: o.base, ascent: samAscent(op, o), stateless: true, every: o.every, form: o.form }, {
    ...(nm ? { pattern: nm } : {}),
    init: (params) => ({ mask: emptyMask(params), density: scalar(0) }),
    before: (s, ctx) => (timing === 'before-first-step' && clock.due(ctx.step) ? refresh(ctx.params, ctx) : s),
    after:
      timing === 'reference'
        ? (s, ctx) => (clock.due(ctx.step) ? refresh(applyUpdates(ctx.params, ctx.updates), ctx) : s)
        : undefined,
    view: (s) => ({ mask: s.mask, density: s.density.item() }),
  });
}

