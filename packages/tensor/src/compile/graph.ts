import type { DType } from '../dtype.js';
import type { PrimAttrs, PrimName } from '../primitives.js';
import type { Tensor } from '../tensor.js';
import type { TreeDef } from '../tree.js';

/** Where a value of a traced graph comes from. */
export type Source =
  | { readonly kind: 'input'; readonly leaf: number }
  /** a tensor the function closed over (or created from host data): baked into the plan at trace time */
  | { readonly kind: 'const'; readonly tensor: Tensor }
  | { readonly kind: 'node'; readonly node: number };

export interface Value {
  readonly shape: readonly number[];
  readonly dtype: DType;
  readonly src: Source;
}

/** One primitive application: `out = prim(inputs, attrs)`, ids into `Graph.values`. */
export interface Node {
  readonly prim: PrimName;
  readonly attrs: PrimAttrs[PrimName];
  readonly inputs: readonly number[];
  readonly out: number;
}

/** An output leaf: a traced value, or a non-tensor leaf the function returned (baked). */
export type OutLeaf = { readonly value: number } | { readonly baked: unknown };

/**
 * A traced function: values in creation order, nodes in execution (topological) order, the value
 * of every tensor leaf of the arguments, and the output pytree.
 */
export interface Graph {
  readonly values: readonly Value[];
  readonly nodes: readonly Node[];
  /** value id per flattened argument leaf (-1 for a static, non-tensor leaf) */
  readonly inputs: readonly number[];
  readonly outputs: readonly OutLeaf[];
  readonly outDef: TreeDef;
}
