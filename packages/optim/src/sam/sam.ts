import { ArgumentError, sum, tree, type Tensor } from '@ssam/tensor';
import { checkNonNegative, checkNonNegativeInt, checkOneOf, checkPositiveInt } from '../internal/validate.js';
import type { LeafMask } from '../masked.js';
import type { GradientTransformation, OptState, Params, Schedule, Updates } from '../types.js';
import { samCore, type SamForm, type SamState } from './core.js';
import type { AdaptiveSpec } from './perturb.js';

// SAM (Foret et al. 2021, arXiv 2010.01412): ε = ρ·g/(‖g‖+δ), g' = ∇L(w + ε), descend from w with g'.
// ASAM (Kwon et al. 2021, arXiv 2102.11600): ε = ρ·T²g/‖Tg‖ with T = |w| (+ η).

/**
 * ASAM's two published forms. `true`: T = |w| on every parameter (the common PyTorch SAM form).
 * An object: T = |w| + η on the selected tensors (default: rank ≥ 2, i.e. weight matrices and
 * conv kernels) and T = 1 elsewhere (the ASAM authors' form, η = 0.01).
 */
export type AdaptiveOption = boolean | { readonly eta?: number; readonly only?: LeafMask };

export interface SamOptions {
  /** Radius ρ ≥ 0 (a number or a schedule of the step). Typical: 0.05 SAM, 2.0 ASAM. */
  readonly rho: number | Schedule;
  /** The optimizer that takes the descent step with g' (e.g. `sgd(...)`). */
  readonly base: GradientTransformation<any>;
  readonly adaptive?: AdaptiveOption;
  /** δ in ρ·g/(‖g‖ + δ): default 1e-12 (common PyTorch SAM); the SSAM code uses 1e-7. */
  readonly normEps?: number;
  /** A static 0/1 mask shaped like the params: only its ones are perturbed (explicit sparse SAM). */
  readonly mask?: Updates;
  /** Take the SAM step every k steps only; the others are base steps that call gradFn zero times. */
  readonly every?: number;
  /**
   * 'explicit' (default): `mask` multiplies ε. 'implicit': pass 1 sends input gradients through
   * W ⊙ mask (see makeTrainStep and @ssam/sparse), ε is dense. Without a mask both are SAM.
   */
  readonly form?: SamForm;
  /** The N:M pattern `mask` satisfies, so that the implicit form runs the compressed kernels. */
  readonly pattern?: { readonly n: number; readonly m: number; readonly axis?: 'in' | 'out' };
}

/** Validates an N:M pattern option: 0 ≤ n ≤ m, axis 'in' or 'out'. */
export function checkPattern(op: string, p: { readonly n: number; readonly m: number; readonly axis?: 'in' | 'out' }) {
  const n = checkNonNegativeInt(op, 'pattern.n', p.n);
  const m = checkPositiveInt(op, 'pattern.m', p.m);
  if (n > m) throw new ArgumentError(op, `pattern ${n}:${m} keeps more entries than the group holds; use n ≤ m (2:4 is sparsity 0.5)`);
  return { n, m, axis: checkOneOf(op, 'pattern.axis', p.axis ?? 'in', ['in', 'out'] as const) };
}

export function adaptiveSpec(op: string, a: AdaptiveOption | undefined): AdaptiveSpec | undefined {
  if (a === undefined || a === false) return undefined;
  if (a === true) return { eta: 0, only: (p) => tree.leaves(p).map(() => true) };
  if (typeof a !== 'object') throw new ArgumentError(op, `adaptive must be true, false or { eta, only }; got ${String(a)}`);
  const eta = checkNonNegative(op, 'adaptive.eta', a.eta ?? 0.01);
  const only = a.only;
  const select = (p: Params): boolean[] => {
    if (only === undefined) return tree.leaves(p).map((w) => w.rank >= 2);
    const m = typeof only === 'function' ? only(p) : only;
    const ls = tree.leaves<unknown>(m as never);
    if (ls.length !== tree.count(p) || ls.some((l) => typeof l !== 'boolean'))
      throw new ArgumentError(op, `adaptive.only must give one boolean per parameter tensor (${tree.count(p)}); got ${ls.length} leaves`);
    return ls as boolean[];
  };
  return { eta, only: select };
}

/** Throws unless `mask` has the structure and leaf shapes of `params`. */
export function checkMaskFor(op: string, mask: Updates, params: Params): void {
  const [ml] = tree.flatten(mask);
  const [pl] = tree.flatten(params);
  if (!tree.structureEqual(mask, params) || ml.some((m, i) => m.shape.join() !== pl[i]!.shape.join()))
    throw new ArgumentError(op, 'mask must have the structure and leaf shapes of the params (0/1 tensors); build it from the params, e.g. with topKMask');
}

/** Fraction of ones in a 0/1 mask tree (1 for an empty tree). */
export function maskDensity(mask: Updates): number {
  const ls = tree.leaves(mask);
  const ones = ls.reduce((acc, m) => acc + sum(m as Tensor).item(), 0);
  const total = tree.size(mask);
  return total === 0 ? 1 : ones / total;
}

/**
 * Sharpness-aware minimisation as a gradient transformation. `update(g, state, params, { gradFn })`
 * takes the clean gradient g (pass 1), calls `gradFn(w + ε)` once (pass 2) and returns the base
 * optimizer's update of the ORIGINAL params with g'. With `mask` it is explicit sparse SAM.
 * @example
 * const opt = sam({ rho: 0.05, base: sgd({ lr: 0.1, momentum: 0.9, weightDecay: 5e-4 }) });
 * let state = opt.init(params);
 * const [updates, next] = opt.update(grads, state, params, { gradFn: (w) => grad(loss)(w) });
 */
export function sam(options: SamOptions): GradientTransformation<SamState<OptState, Record<string, never>>> {
  const op = options.adaptive ? 'sam (adaptive)' : 'sam';
  const adaptive = adaptiveSpec(op, options.adaptive);
  const mask = options.mask;
  const density = mask === undefined ? 1 : maskDensity(mask);
  const pattern = options.pattern === undefined ? undefined : checkPattern(op, options.pattern);
  return samCore(op, { ...options, adaptive }, {
    ...(pattern ? { pattern } : {}),
    init(params) {
      if (mask !== undefined) checkMaskFor(op, mask, params);
      return {};
    },
    before: (s) => s,
    view: () => ({ mask, density }),
  });
}

/**
 * Shorthand for `sam({ adaptive })`: scaling 'weights' (default) is the ASAM authors' T = |w| + η
 * on weight tensors (η = 0.01); 'all' is T = |w| on every parameter. ASAM's usual ρ is 2.0.
 * (`form` is the explicit/implicit choice of the whole SAM family.)
 * @example
 * const opt = asam({ rho: 2.0, base: sgd({ lr: 0.1, momentum: 0.9 }) });
 */
export function asam(options: Omit<SamOptions, 'adaptive'> & { readonly scaling?: 'all' | 'weights'; readonly eta?: number }): GradientTransformation<SamState<OptState, Record<string, never>>> {
  const { scaling = 'weights', eta, ...rest } = options;
  const s = checkOneOf('asam', 'scaling', scaling, ['all', 'weights'] as const);
  return sam({ ...rest, adaptive: s === 'all' ? true : { eta: eta ?? 0.01 } });
}
