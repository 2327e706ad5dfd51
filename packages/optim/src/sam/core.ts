import { add, ArgumentError, scalar, tree, type Tensor } from '@ssam/tensor';
import { nextCount, readCount, zeroCount } from '../internal/count.js';
import { squaredNorm } from '../internal/norm.js';
import { checkOneOf, checkPositiveInt, checkRateOrSchedule } from '../internal/validate.js';
import type { GradientTransformation, ImplicitMask, OptState, Params, Schedule, UpdateExtra, Updates } from '../types.js';
import { knownNorm, type AscentContext } from './ascent.js';
import { checkMaskValues } from './maskCheck.js';

/** What one SAM-family update did, kept in its state (a pytree of rank-0 tensors). */
export interface SamStats {
  /** ‖ε‖ of this step (0 on steps without an ascent). */
  readonly epsNorm: Tensor;
  /** Fraction of entries the mask perturbs (1 for dense SAM). */
  readonly maskDensity: Tensor;
  /** Number of `gradFn` calls this step: 1 on a SAM step, 0 otherwise. */
  readonly gradFnCalls: Tensor;
}

export interface SamState<B = OptState, M = OptState> {
  readonly count: Tensor;
  readonly base: B;
  /** The mask policy's state (the SSAM mask, its key, ...); `{}` for dense SAM. */
  readonly sparse: M;
  readonly stats: SamStats;
  /** The state of a custom `ascent` transformation (absent for the built-in, stateless one). */
  readonly ascent?: OptState;
}

/** Everything a mask policy may look at when it refreshes. */
export interface StepContext {
  readonly op: string;
  readonly step: number;
  readonly grads: Updates;
  readonly params: Params;
  readonly extra: UpdateExtra | undefined;
}

/**
 * How a SAM variant chooses its perturbation mask; its state must be a pytree of tensors (it
 * rides in the optimizer state, `state.sparse`). Pass one to `sam({ policy, rho, base })`.
 * @example
 * // keep the largest |w·g|, refreshed every step
 * const policy: MaskPolicy<{ mask: Updates }> = {
 *   init: (params) => ({ mask: fullMask(params) }),
 *   before: (_s, ctx) => ({ mask: topKMask(tree.map((w: Tensor, g: Tensor) => abs(mul(w, g)), ctx.params, ctx.grads), { sparsity: 0.5 }) }),
 *   view: (s) => ({ mask: s.mask, density: density(s.mask) }),
 * };
 */
export interface MaskPolicy<M> {
  init(params: Params): M;
  /** Runs before the ascent of every step (refreshes the mask when due). */
  before(state: M, ctx: StepContext): M;
  /** Runs after the descent (the reference code's mask timing). */
  after?(state: M, ctx: StepContext & { readonly updates: Updates }): M;
  /** The mask to apply (undefined = dense) and its density. */
  view(state: M): { mask: Updates | undefined; density: number };
  /** The N:M pattern every mask of this policy satisfies, if any (the implicit form's fast path). */
  readonly pattern?: ImplicitMask['pattern'];
}

/**
 * Where the mask acts. 'explicit' (NeurIPS 2022): ε = m ⊙ ρ·g/‖g‖ from a dense pass 1.
 * 'implicit' (TPAMI 2025): pass 1 back-propagates input gradients through W ⊙ M (forward and
 * weight gradients exact), ε = ρ·g̃/‖g̃‖ is dense, pass 2 and the descent are dense.
 */
export type SamForm = 'explicit' | 'implicit';

export interface SamCoreOptions {
  /** ρ, for the skip rule only (ρ(step) = 0 is no ascent); the ascent itself applies it. */
  readonly rho?: number | Schedule | undefined;
  readonly base: GradientTransformation<any>;
  /** g ↦ ε (see ascent.ts); its state is kept in `state.ascent` unless `stateless`. */
  readonly ascent: GradientTransformation<any>;
  readonly stateless?: boolean;
  /** Ascent every k steps; the other steps are plain base steps with one pass. */
  readonly every?: number;
  readonly form?: SamForm;
}

export function checkBase(op: string, base: unknown): GradientTransformation<any> {
  const b = base as GradientTransformation<any> | undefined;
  if (!b || typeof b.init !== 'function' || typeof b.update !== 'function')
    throw new ArgumentError(op, `base must be a GradientTransformation such as sgd({ lr: 0.1, momentum: 0.9 }); got ${String(base)}`);
  return b;
}

/** The engine shared by sam, ssamF and ssamD. Options are validated by the caller's builder. */
export function samCore<M>(op: string, o: SamCoreOptions, policy: MaskPolicy<M>): GradientTransformation<SamState<OptState, M>> {
  const rho = o.rho === undefined ? undefined : checkRateOrSchedule(op, 'rho', o.rho);
  const base = checkBase(op, o.base);
  const ascent = checkBase(op, o.ascent);
  const every = checkPositiveInt(op, 'every', o.every ?? 1);
  const implicit = checkOneOf(op, 'form', o.form ?? 'explicit', ['explicit', 'implicit'] as const) === 'implicit';
  // NOTE: checkRateOrSchedule checks each scheduled value when it is used: a NaN (or negative)
  // radius would otherwise silently turn the ascent off (NaN > 0 is false).
  const rhoAt = (step: number): number => (rho === undefined ? 1 : typeof rho === 'number' ? rho : rho(step));
  const ascends = (step: number): boolean => step % every === 0 && rhoAt(step) > 0;
  const viewOf = (sparse: M, params: Params) => {
    const v = policy.view(sparse);
    if (v.mask !== undefined) checkMaskValues(op, v.mask, params);
    return v;
  };
  const stats = (epsNorm: number, density: number, calls: number): SamStats => ({
    epsNorm: scalar(epsNorm),
    maskDensity: scalar(density),
    gradFnCalls: scalar(calls, 'int32'),
  });
  const transformation: GradientTransformation<SamState<OptState, M>> = {
    init(params) {
      const sparse = policy.init(params);
      const state = { count: zeroCount(), base: base.init(params), sparse, stats: stats(0, policy.view(sparse).density, 0) };
      return o.stateless ? state : { ...state, ascent: ascent.init(params) };
    },
    update(grads, state, params, extra) {
      if (params === undefined)
        throw new ArgumentError(`${op}.update`, 'needs the current params: update(grads, state, params, { gradFn })');
      const step = readCount(`${op}.update`, state.count);
      const ctx: StepContext = { op, step, grads, params, extra };
      // The implicit form refreshes in `implicit.prepare`, before pass 1, when the caller ran it.
      let sparse = implicit && extra?.prepared === true ? state.sparse : policy.before(state.sparse, ctx);
      const { mask, density } = viewOf(sparse, params);
      let ascentState = state.ascent;
      let g2 = grads;
      let epsNorm = 0;
      let calls = 0;
      // ε ≡ 0 (ρ = 0, an empty mask, or a non-SAM step) means g' = g: pass 2 is skipped entirely.
      // The implicit form does the same with an empty mask (s = 1 is the base optimizer), and then
      // `prepare` gave no mask, so pass 1 was dense.
      if (ascends(step) && density > 0) {
        if (implicit && mask !== undefined && extra?.prepared !== true)
          throw new ArgumentError(
            `${op}.update`,
            "form 'implicit' needs pass 1 computed through the mask: call implicit.prepare(state, params, extra) first, run pass 1 with @ssam/sparse implicitValueAndGrad(loss, mask, { pattern }) and pass { prepared: true } (makeTrainStep does all of this). Wrapping the optimizer in chain(...) forwards implicit only when exactly one member has it",
          );
        const gradFn = extra?.gradFn;
        if (typeof gradFn !== 'function')
          throw new ArgumentError(`${op}.update`, 'needs extra.gradFn, the gradient at a given point for pass 2: update(grads, state, params, { gradFn })');
        // The implicit form's ε is dense: its mask acted on pass 1 instead.
        const context: AscentContext = { step, mask: implicit ? undefined : mask };
        const [eps, nextAscent] = ascent.update(grads, o.stateless ? {} : state.ascent, params, { ...extra, ascent: context });
        if (!o.stateless) ascentState = nextAscent;
        if (!tree.structureEqual(eps, grads))
          throw new ArgumentError(`${op}.update`, 'the ascent returned a tree whose structure differs from the gradient; ε must be shaped like the params');
        // NOTE: ‖ε‖ is the float32 norm of the ε applied: an ε whose squares all underflow (also a
        // gradient whose norm underflows) counts as no ascent, and then pass 2 is skipped. So does
        // a non-finite one (a non-finite g): the descent with g is then the caller's to guard.
        const norm = knownNorm(eps) ?? Math.sqrt(squaredNorm(eps));
        if (norm > 0 && Number.isFinite(norm)) {
          // NOTE: the descent below uses the ORIGINAL params; w + ε is a separate tree that is
          // dropped after pass 2, so nothing is ever "restored" by subtracting ε.
          g2 = gradFn(tree.zipMap((w: Tensor, e: Tensor) => add(w, e), params, eps));
          calls = 1;
          if (!tree.structureEqual(g2, grads))
            throw new ArgumentError(`${op}.update`, 'gradFn returned a tree whose structure differs from the params; it must return gradients shaped like its argument');
          epsNorm = norm;
        } else if (implicit && extra?.prepared === true) {
          // g̃ = 0 gives ε = 0, but g̃ is not the descent gradient: take the dense one at w.
          g2 = gradFn(params);
          calls = 1;
        }
      }
      const [updates, nextBase] = base.update(g2, state.base, params, extra);
      if (policy.after) sparse = policy.after(sparse, { ...ctx, updates });
      const next = { count: nextCount(step), base: nextBase, sparse, stats: stats(epsNorm, density, calls) };
      return [updates, o.stateless ? next : { ...next, ascent: ascentState }];
    },
  };
  if (!implicit) return transformation;
  return {
    ...transformation,
    implicit: {
      prepare(state, params, extra) {
        const step = readCount(`${op}.implicit.prepare`, state.count);
        const sparse = policy.before(state.sparse, { op, step, grads: {}, params, extra });
        const { mask, density } = viewOf(sparse, params);
        // A step without an ascent descends with pass 1's gradient, which must then be the dense one.
        const use = ascends(step) && mask !== undefined && density > 0;
        return { state: { ...state, sparse }, mask: use ? { mask, ...(policy.pattern ? { pattern: policy.pattern } : {}) } : undefined };
      },
    },
  };
}
