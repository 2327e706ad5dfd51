import type { PrimName, Tensor } from '@ssam/tensor';
import type { RuleNode } from './rules.js';

/** What an override sees of a recorded primitive: the rule's view plus which primitive it is. */
export interface OverrideNode<P extends PrimName = PrimName> extends RuleNode<P> {
  readonly prim: P;
  /**
   * The flat leaf index (in `tree.leaves(x)` order) of `t` when `t` is one of the leaves the
   * differentiated function received, else undefined. Lets an override treat one parameter
   * specially wherever the model uses it, without changing the model.
   */
  readonly leafIndex: (t: Tensor) => number | undefined;
  /** How many leaves the differentiated argument has (so an override can check its own per-leaf data). */
  readonly leafCount: number;
}

/**
 * Replaces the reverse-mode rule of chosen primitive applications in ONE differentiation
 * (`valueAndGrad(f, { override })`, `vjp(f, x, { override })`). Return the input cotangents (as
 * a rule does: one per input, null where not needed) or undefined to use the built-in rule.
 * An override changes the calculus on purpose (e.g. SSAM's implicit sparse perturbation sends
 * input gradients through a masked weight); it applies to the outermost pullback only, never to
 * the tapes of nested derivatives.
 * @example
 * // ∂/∂x of x·w computed with w ⊙ m instead of w (a weight-masked input gradient):
 * const override: VjpOverride = (g, node, needs) =>
 *   node.prim === 'mul' && node.leafIndex(node.inputs[1]!) === 0 && !needs[1] ? [mul(g, mul(node.inputs[1]!, m)), null] : undefined;
 */
export type VjpOverride = (g: Tensor, node: OverrideNode, needs: readonly boolean[]) => readonly (Tensor | null)[] | undefined;
