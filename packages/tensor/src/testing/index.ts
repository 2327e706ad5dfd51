/**
 * @ssam/tensor/testing: the test kit every @ssam package uses. Shipped to users so their own
 * backends and layers can be tested the same way; it needs the optional peer dependency
 * fast-check (and vitest only for the conformance suite).
 * @example
 * import fc from 'fast-check';
 * import { neg } from '@ssam/tensor';
 * import { arbTensor, expectAllClose } from '@ssam/tensor/testing';
 * fc.assert(fc.property(arbTensor(), (x) => expectAllClose(neg(neg(x)), x)));
 */
export {
  allClose, expectAllClose, treeAllClose, expectTreeAllClose, leafPaths, toNumeric,
  type AllCloseOptions, type AllCloseResult, type Numeric,
} from './allclose.js';
export {
  arbShape, arbBroadcastPair, arbBroadcastTensors, arbValue, arbTensor, arbPositiveTensor, arbTree, arbTreeLike, arbTrees, arbKey,
  type ShapeOptions, type ValueOptions, type TensorOptions, type TreeOptions,
} from './arbitraries.js';
export { expectWithinSumBound } from './sum-bound.js';
export * from './conformance.js';
