import type { Key, Tensor, Tree } from '@ssam/tensor';

/**
 * A shape with the batch dimension first. Layers accept `-1` (or any number) as the batch size and
 * pass it through unchanged, as stax does: `model.init(key, [-1, 3, 32, 32])`.
 */
export type Shape = readonly number[];
/** One shape, or a tuple of shapes for layers that take or give several tensors (`fanOut`, `parallel`). */
export type ShapeTree = Shape | readonly ShapeTree[];
/** One tensor, or a tuple of tensors (matching a `ShapeTree`). */
export type Value = Tensor | readonly Value[];
/** Trainable parameters: a pytree of float32 tensors with readable keys (`{ conv: { w, b } }`). */
export type Params = Tree;
/** Non-trainable state (BatchNorm running statistics): a pytree of tensors. */
export type State = Tree;
/** The empty params / state of a parameterless layer. */
export type Empty = Readonly<Record<string, never>>;

/** What `apply` needs besides params, state and input. */
export interface ApplyContext {
  /** Training mode: BatchNorm uses batch statistics and dropout drops. */
  readonly train: boolean;
  /** Randomness for this call (dropout). Combinators split it among their children. */
  readonly key?: Key;
}

/**
 * A layer is a pair of pure functions (JAX stax, equinox):
 * - `init(key, inShape) → [outShape, params, state]`: builds parameters for an input shape
 *   (batch dimension first, `-1` allowed); the same key gives the same parameters.
 * - `apply(params, state, x, ctx) → [y, newState]`: never mutates; returns the new state.
 */
export interface Layer<P extends Params = Params, S extends State = State> {
  init(key: Key, inShape: ShapeTree): [ShapeTree, P, S];
  apply(params: P, state: S, x: Value, ctx: ApplyContext): [Value, S];
}

export const EMPTY: Empty = Object.freeze({}) as Empty;

/** True when a value is a layer (an object with `init` and `apply` functions). */
export function isLayer(x: unknown): x is Layer {
  return typeof x === 'object' && x !== null && typeof (x as Layer).init === 'function' && typeof (x as Layer).apply === 'function';
}
