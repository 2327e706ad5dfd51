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
}

/** A learning-rate (or ρ) schedule: a pure function of the step count, starting at 0. */
export type Schedule = (step: number) => number;
