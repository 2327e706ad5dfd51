/**
 * @ssam/tensor: immutable n-d arrays over a closed set of primitives, with pluggable backends.
 * @example
 * import { tensor, matmul, relu } from '@ssam/tensor';
 * const y = relu(matmul(tensor([[1, -2]]), tensor([[1], [1]])));
 */
export type { DType, TypedArray } from './dtype.js';
export { Tensor, isTensor, type Storage } from './tensor.js';
export type { Shape } from './shape.js';
export { broadcastShapes, sizeOf, stridesOf } from './shape.js';
export { SsamError, ShapeError, DTypeError, ArgumentError } from './errors.js';
export { convWindow, type ConvWindow } from './conv-geometry.js';
export { matmulDims, operandBatchIndices, type MatmulDims } from './matmul-dims.js';
export { PRIMITIVES, type PrimName, type PrimAttrs, type CompareOp, type ConvAttrs, type PoolAttrs } from './primitives.js';
export { apply, currentBackend, withBackend, type Backend, type Kernel, type Kernels } from './backend.js';
export { referenceBackend } from './backends/reference/index.js';
/** Scalar snippets (JavaScript syntax) of the elementwise primitives, for backends that generate kernels. */
export { UNARY_SNIPPETS, BINARY_SNIPPETS, COMPARE_SNIPPETS } from './backends/reference/elementwise.js';

export { tensor, scalar, full, zeros, ones, zerosLike, onesLike, arange, linspace, eye, type NestedArray, type TensorOptions } from './ops/creation.js';
export {
  neg, abs, sign, exp, log, sqrt, add, sub, mul, div, pow, maximum, minimum,
  equal, notEqual, less, lessEqual, greater, greaterEqual, where, addcmul, asTensor, type TensorLike,
} from './ops/elementwise.js';
export { sum, max, min, mean, variance, argmax, argmin, type ReduceOptions } from './ops/reduce.js';
export {
  reshape, flatten, expandDims, squeeze, broadcastTo, transpose, slice, pad, concat, stack, gather, scatterAdd, cast,
  type SliceSpec,
} from './ops/movement.js';
export { matmul, vdot, type MatmulOptions } from './ops/linalg.js';
export { conv2d, conv2dBackInput, conv2dBackFilter, convOutSize, type Conv2dOptions, type Padding, type Pair } from './ops/conv.js';
export { maxPool2d, maxPool2dBackward, avgPool2d, avgPool2dBackward, type Pool2dOptions } from './ops/pool.js';
export { square, relu, leakyRelu, sigmoid, tanh, gelu, logSumExp, logSoftmax, softmax, oneHot, clip, norm } from './ops/nn.js';

export { compile, type CompiledFunction, type CompileOptions, type CompileStats, type PlanInfo } from './compile/compile.js';
export { ELEMENTWISE, REDUCE, MOVEMENT, EPILOGUE, PRIM_PROPS, type PrimKind } from './primitives.js';

export * as tree from './tree.js';
export type { Tree, TreeDef } from './tree.js';
export * as random from './random.js';
export { Key } from './random.js';

import { setDefaultBackendFactory, type Backend } from './backend.js';
import { referenceBackend } from './backends/reference/index.js';
import { createWasmBackend } from './backends/wasm/backend.js';

// The default backend is the WebAssembly one when it loads (Node with dist/ssam-kernels.wasm),
// else the reference; `currentBackend().describe()` says which and why. SSAM_BACKEND=reference
// forces the reference. Created on first use, so importing the package starts no threads.
let chosenDefault: Backend | undefined;
function pickDefault(): Backend {
  const env = (globalThis as { process?: { env?: Record<string, string | undefined> } }).process?.env;
  if (env?.SSAM_BACKEND === 'reference') return referenceBackend;
  try {
    return createWasmBackend();
  } catch (e) {
    const why = e instanceof Error ? e.message : String(e);
    return { ...referenceBackend, describe: () => `${referenceBackend.describe?.()}; wasm backend unavailable: ${why}` };
  }
}
setDefaultBackendFactory(() => (chosenDefault ??= pickDefault()));
