import type { DType } from './dtype.js';

/**
 * The closed set of primitives. Every op in @ssam/tensor is either one of these or a composition
 * of them; autograd has one rule per primitive and a backend has one kernel per primitive.
 * Attributes are fully resolved by the op layer (no negative axes, no 'same' padding).
 */
export interface PrimAttrs {
  // unary elementwise
  neg: Record<string, never>;
  abs: Record<string, never>;
  exp: Record<string, never>;
  log: Record<string, never>;
  sqrt: Record<string, never>;
  sign: Record<string, never>;
  // binary elementwise, NumPy broadcasting; `shape` is the broadcast output shape
  add: BroadcastAttrs;
  sub: BroadcastAttrs;
  mul: BroadcastAttrs;
  div: BroadcastAttrs;
  pow: BroadcastAttrs;
  maximum: BroadcastAttrs;
  minimum: BroadcastAttrs;
  /** 1 where the comparison holds, else 0 (float32). */
  compare: BroadcastAttrs & { readonly op: CompareOp };
  /** where(cond, a, b): cond != 0 picks a. */
  where: BroadcastAttrs;
  /**
   * addcmul(x, a, b) = x + (a · b) · value, all three broadcast; each product and the sum are
   * rounded to float32 (bit-identical to add(x, mul(mul(a, b), value)) on the CPU backends, never a
   * fused FMA; a GPU shader compiler may contract it, within the conformance tolerance).
   */
  addcmul: BroadcastAttrs & { readonly value: number };
  // reductions over sorted unique axes
  sum: ReduceAttrs;
  max: ReduceAttrs;
  // movement
  reshape: { readonly shape: readonly number[] };
  broadcastTo: { readonly shape: readonly number[] };
  transpose: { readonly perm: readonly number[] };
  /** out[i] = x[start + i * step] per axis; steps may be negative. */
  slice: { readonly start: readonly number[]; readonly step: readonly number[]; readonly shape: readonly number[] };
  pad: { readonly pads: readonly (readonly [number, number])[]; readonly value: number };
  concat: { readonly axis: number };
  /** gather(x, indices): out = x[..., indices[...], ...] along `axis`. */
  gather: { readonly axis: number };
  /** scatterAdd(updates, indices): the adjoint of gather; `size` is the output length of `axis`. */
  scatterAdd: { readonly axis: number; readonly size: number };
  cast: { readonly dtype: DType };
  // linear algebra
  /** Batched matmul of rank >= 2 operands with broadcast batch dimensions. */
  matmul: { readonly transposeA: boolean; readonly transposeB: boolean };
  conv2d: ConvAttrs;
  /** d(conv2d)/d(input) applied to dy: the transposed convolution. */
  conv2dBackInput: ConvAttrs & { readonly inputShape: readonly number[] };
  /** d(conv2d)/d(filter) applied to dy. */
  conv2dBackFilter: ConvAttrs & { readonly filterShape: readonly number[] };
  maxPool2d: PoolAttrs;
  /** Routes dy to the first maximum of each window of x. Inputs: dy, x. */
  maxPool2dBackward: PoolAttrs;
  avgPool2d: PoolAttrs;
  /** Inputs: dy. */
  avgPool2dBackward: PoolAttrs & { readonly inputShape: readonly number[] };
}

export type PrimName = keyof PrimAttrs;

export type CompareOp = 'eq' | 'ne' | 'lt' | 'le' | 'gt' | 'ge';

export interface BroadcastAttrs {
  readonly shape: readonly number[];
}

export interface ReduceAttrs {
  readonly axes: readonly number[];
  readonly keepdims: boolean;
}

/** NCHW input, OIHW filter (I = C / groups). Padding is [[top, bottom], [left, right]]. */
export interface ConvAttrs {
  readonly stride: readonly [number, number];
  readonly padding: readonly [readonly [number, number], readonly [number, number]];
  readonly dilation: readonly [number, number];
  readonly groups: number;
}

export interface PoolAttrs {
  readonly kernel: readonly [number, number];
  readonly stride: readonly [number, number];
  readonly padding: readonly [readonly [number, number], readonly [number, number]];
  /** avg pooling: divide by the full window (PyTorch's default) or only the in-bounds part. */
  readonly countIncludePad: boolean;
}

/** Every primitive name, in a stable order; a test checks it covers `PrimName`. */
export const PRIMITIVES = [
  'neg', 'abs', 'exp', 'log', 'sqrt', 'sign',
  'add', 'sub', 'mul', 'div', 'pow', 'maximum', 'minimum', 'compare', 'where', 'addcmul',
  'sum', 'max',
  'reshape', 'broadcastTo', 'transpose', 'slice', 'pad', 'concat', 'gather', 'scatterAdd', 'cast',
  'matmul', 'conv2d', 'conv2dBackInput', 'conv2dBackFilter',
  'maxPool2d', 'maxPool2dBackward', 'avgPool2d', 'avgPool2dBackward',
] as const satisfies readonly PrimName[];

type Missing = Exclude<PrimName, (typeof PRIMITIVES)[number]>;
// Compile-time check that PRIMITIVES lists every primitive.
const _exhaustive: Missing extends never ? true : never = true;
void _exhaustive;
