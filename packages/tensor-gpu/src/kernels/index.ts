import type { PrimAttrs, PrimName, Tensor } from '@ssam/tensor';
import type { GpuRuntime } from '../runtime.js';
import { conv2d, conv2dBackFilter, conv2dBackInput } from './conv.js';
import { addcmul, binary, broadcastTo, compare, unary, where } from './elementwise.js';
import { matmul } from './matmul.js';
import { cast, concat, gather, pad, reshape, scatterAdd, slice, transpose } from './movement.js';
import { avgPool2d, avgPool2dBackward, maxPool2d, maxPool2dBackward } from './pool.js';
import { max, sum } from './reduce.js';

/** A GPU kernel: the runtime, valid float32 inputs (index inputs may be int32), the attributes. */
export type GpuKernel<P extends PrimName> = (rt: GpuRuntime, inputs: readonly Tensor[], attrs: PrimAttrs[P]) => Tensor;

/** One gpu.js kernel family per primitive; `satisfies` makes a missing one a compile error. */
export const GPU_KERNELS = {
  neg: unary('neg'),
  abs: unary('abs'),
  exp: unary('exp'),
  log: unary('log'),
  sqrt: unary('sqrt'),
  sign: unary('sign'),
  add: binary('add'),
  sub: binary('sub'),
  mul: binary('mul'),
  div: binary('div'),
  pow: binary('pow'),
  maximum: binary('maximum'),
  minimum: binary('minimum'),
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
} satisfies { readonly [P in PrimName]: GpuKernel<P> };
