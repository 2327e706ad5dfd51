import { ArgumentError, sum, tree, type Tensor } from '@ssam/tensor';
import { checkNonNegative, checkNonNegativeInt, checkOneOf, checkPositiveInt, checkRateOrSchedule } from '../internal/validate.js';
import type { GradientTransformation, OptState, Schedule, Updates } from '../types.js';
import { adaptiveSpec, type AdaptiveOption } from './adaptive.js';
import { ascentChain, maskBy, normalizeGlobal, scaleByRho } from './ascent.js';
import { samCore, type MaskPolicy, type SamForm, type SamState } from './core.js';
import { checkMaskValues } from './maskCheck.js';

// SAM (Foret et al. 2021, arXiv 2010.01412): ε = ρ·g/(‖g‖+δ), g' = ∇L(w + ε), descend from w with g'.
// ASAM (Kwon et al. 2021, arXiv 2102.11600): ε = ρ·T²g/‖Tg‖ with T = |w| (+ η).

export { adaptiveSpec, type AdaptiveOption };

/**
 * The ascent of the whole built-in family, as a composition of ascent stages:
 * ε = m ⊙ ρ·T²g/(‖Tg‖ + δ) = ascentChain(normalizeGlobal({ normEps, adaptive }), maskBy(), scaleByRho(ρ)).
 */
export function samAscent(op: string, o: { readonly rho: number | Schedule; readonly normEps?: number | undefined; readonly adaptive?: AdaptiveOption | undefined }): GradientTransformation<unknown[]> {
  // Validated here, so that the errors name the builder the user called.
  const rho = checkRateOrSchedule(op, 'rho', o.rho);
  const normEps = checkNonNegative(op, 'normEps', o.normEps ?? 1e-12);
  adaptiveSpec(op, o.adaptive);
  return ascentChain(normalizeGlobal({ normEps, ...(o.adaptive !== undefined ? { adaptive: o.adaptive } : {}) }), maskBy(), scaleByRho(rho));
}

export interface SamOptions<M = Record<string, never>> {
  /** Radius ρ ≥ 0 (a number or a schedule of the step). Typical: 0.05 SAM, 2.0 ASAM. Omit it with `ascent`. */
  readonly rho?: number | Schedule;
  /**
   * The ascent as a transformation g ↦ ε (optax contrib.sam's adversarial optimizer), instead of
   * `rho`, `normEps` and `adaptive`. Built from stages: `ascentChain(normalizeGlobal(), maskBy(),
   * scaleByRho(0.05))` is the default; `maskBy()` applies the mask of `policy` (or `mask`).
   * Pass 2 runs only when the ε it returns is not 0. Its state rides in `state.ascent`.
   */
  readonly ascent?: GradientTransformation<any>;
  /** How the perturbation mask is chosen and refreshed (see `MaskPolicy`); exclusive with `mask`. */
  readonly policy?: MaskPolicy<M>;
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

/** Throws unless `mask` has the structure and leaf shapes of `params` and holds only 0 and 1. */
export const checkMaskFor = checkMaskValues;

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
export function sam<M = Record<string, never>>(options: SamOptions<M>): GradientTransformation<SamState<OptState, M>> {
  if (options === null || typeof options !== 'object') throw new ArgumentError('sam', `options must be an object such as { rho: 0.05, base: sgd({ lr: 0.1 }) }; got ${String(options)}`);
  const op = options.adaptive ? 'sam (adaptive)' : 'sam';
  const custom = options.ascent !== undefined;
  if (custom && (options.rho !== undefined || options.normEps !== undefined || options.adaptive !== undefined))
    throw new ArgumentError(op, 'pass either ascent or rho (with normEps, adaptive): a custom ascent applies its own radius, e.g. ascentChain(normalizeGlobal(), maskBy(), scaleByRho(0.05))');
  if (!custom && options.rho === undefined) throw new ArgumentError(op, 'rho is required (a number ≥ 0 or a schedule such as warmupCosineSchedule(...)), or pass an ascent transformation');
  if (options.policy !== undefined && options.mask !== undefined) throw new ArgumentError(op, 'pass either mask (a static 0/1 tree) or policy (a MaskPolicy), not both');
  const mask = options.mask;
  const pattern = options.pattern === undefined ? undefined : checkPattern(op, options.pattern);
  const ascent = options.ascent ?? samAscent(op, { rho: options.rho!, normEps: options.normEps, adaptive: options.adaptive });
  let policy = options.policy;
  if (policy === undefined) {
    const density = mask === undefined ? 1 : maskDensity(mask);
    const fixed: MaskPolicy<Record<string, never>> = {
      ...(pattern ? { pattern } : {}),
      init(params) {
        if (mask !== undefined) checkMaskFor(op, mask, params);
        return {};
      },
      before: (s) => s,
      view: () => ({ mask, density }),
    };
    policy = fixed as unknown as MaskPolicy<M>;
  } else if (pattern) policy = { ...policy, pattern };
  return samCore(op, { rho: options.rho, base: options.base, ascent, stateless: !custom, every: options.every, form: options.form }, policy);
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
