import type { Tensor, Tree } from '@ssam/tensor';

/** Parameters, gradients and updates: pytrees with tensor leaves. */
export type Params = Tree<Tensor>;
export type Updates = Tree<Tensor>;

/**
 * Optimizer state is a pytree as well (tensor leaves, plain objects and arrays), so it can be
 * checkpointed, compared and mapped over like any other tree.
 */
export type OptState = Tree<unknown>;

/** A gradient function for the second pass of the SAM family: gradients at the given point. */
export type GradFn = (params: Params) => Updates;

/**
 * A Fisher sampler for SSAM-F: the diagonal empirical Fisher `Σ_i (∇ℓ_i(w))²` at `params` over
 * `numSamples` training examples (true labels), shaped like `params`. The caller owns the data,
 * the keys and the model state (which a Fisher pass must not change).
 */
export type FisherSampler = (params: Params, numSamples: number) => Updates;

/**
 * Extra arguments threaded through `update`. Plain transformations ignore them; the SAM family
 * needs `gradFn`, SSAM-F needs `fisher`.
 */
export interface UpdateExtra {
  readonly gradFn?: GradFn;
  readonly fisher?: FisherSampler;
  /** ‖g‖ of the gradient tree `of`, when the caller has computed it already (saves a reduction). */
  readonly gradNorm?: { readonly of: Updates; readonly value: number };
  /** Set by a caller that ran `implicit.prepare` for this step, so `update` does not refresh again. */
  readonly prepared?: boolean;
  readonly [key: string]: unknown;
}

/**
 * An optax-style gradient transformation. `init` builds the state from the parameters; `update`
 * maps gradients (or the updates of a previous transformation) to updates, purely: it returns a
 * new state and never mutates its inputs.
 * @example
 * const opt = sgd({ lr: 0.1, momentum: 0.9 });
 * let state = opt.init(params);
 * const [updates, next] = opt.update(grads, state, params);
 * params = applyUpdates(params, updates);
 */
export interface GradientTransformation<S = OptState> {
  init(params: Params): S;
  update(grads: Updates, state: S, params?: Params, extra?: UpdateExtra): [Updates, S];
  /**
   * Present on the SAM family built with `form: 'implicit'`: pass 1 itself depends on the
   * optimizer (its input gradients flow through W ⊙ M), so the caller asks for the mask first.
   */
  readonly implicit?: ImplicitPass<S>;
}

/** The 0/1 mask pass 1 back-propagates through, and the N:M pattern its leaves satisfy (if any). */
export interface ImplicitMask {
  readonly mask: Updates;
  readonly pattern?: { readonly n: number; readonly m: number; readonly axis?: 'in' | 'out' };
}

/**
 * How a caller runs pass 1 of an implicit SAM step (makeTrainStep does all of this):
 * `const { state, mask } = opt.implicit.prepare(state0, params, { fisher })` refreshes the mask
 * when due; pass 1 runs with `@ssam/sparse` `implicitValueAndGrad(loss, mask.mask, { pattern })`;
 * then `opt.update(g, state, params, { gradFn, prepared: true })`.
 */
export interface ImplicitPass<S> {
  prepare(state: S, params: Params, extra?: UpdateExtra): { readonly state: S; readonly mask: ImplicitMask | undefined };
}

/** A learning-rate (or ρ) schedule: a pure function of the step count, starting at 0. */
export type Schedule = (step: number) => number;
