import type { Backend, Kernels } from '../../backend.js';
import { BINARY_SNIPPETS, UNARY_SNIPPETS, addcmul, binaryKernel, cast, compare, unaryKernel, where } from './elementwise.js';
import { conv2d, conv2dBackFilter, conv2dBackInput } from './conv.js';
import { matmul } from './matmul.js';
import { broadcastTo, concat, gather, pad, reshape, scatterAdd, slice, transpose } from './movement.js';
import { avgPool2d, avgPool2dBackward, maxPool2d, maxPool2dBackward } from './pool.js';
import { max, sum } from './reduce.js';

/**
 * The reference semantics: plain TypeScript, one kernel per primitive. Every faster backend is
 * tested against this one by the shared conformance suite (@ssam/tensor/testing).
 */
const kernels = {
  neg: unaryKernel(UNARY_SNIPPETS.neg),
  abs: unaryKernel(UNARY_SNIPPETS.abs),
  exp: unaryKernel(UNARY_SNIPPETS.exp),
  log: unaryKernel(UNARY_SNIPPETS.log),
  sqrt: unaryKernel(UNARY_SNIPPETS.sqrt),
  sign: unaryKernel(UNARY_SNIPPETS.sign),
  add: binaryKernel(BINARY_SNIPPETS.add),
  sub: binaryKernel(BINARY_SNIPPETS.sub),
  mul: binaryKernel(BINARY_SNIPPETS.mul),
  div: binaryKernel(BINARY_SNIPPETS.div),
  pow: binaryKernel(BINARY_SNIPPETS.pow),
  maximum: binaryKernel(BINARY_SNIPPETS.maximum),
  minimum: binaryKernel(BINARY_SNIPPETS.minimum),
  compare,
  where,
  addcmul,
  sum,
  max,
  reshape,
  broadcastTo,
  transpose,
  slice,
  pad,
  concat,
  gather,
  scatterAdd,
  cast,
  matmul,
  conv2d,
  conv2dBackInput,
  conv2dBackFilter,
  maxPool2d,
  maxPool2dBackward,
  avgPool2d,
  avgPool2dBackward,
} satisfies Kernels;

export const referenceBackend: Backend = {
  name: 'reference',
  kernels,
  describe: () => 'reference (plain TypeScript, 1 thread)',
};
