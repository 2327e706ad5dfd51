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

/** What a primitive does to its operands, as the compile passes (fusion, liveness) see it. */
export type PrimKind = 'elementwise' | 'reduce' | 'movement' | 'linalg' | 'window';

/**
 * The kind of every primitive and whether it may run as an elementwise epilogue of a conv/matmul
 * output. A `Record` over `PrimName`: adding a primitive without classifying it is a compile error.
 */
export const PRIM_PROPS: { readonly [P in PrimName]: { readonly kind: PrimKind; readonly epilogue: boolean } } = {
  neg: { kind: 'elementwise', epilogue: true },
  abs: { kind: 'elementwise', epilogue: true },
  exp: { kind: 'elementwise', epilogue: true },
  log: { kind: 'elementwise', epilogue: true },
  sqrt: { kind: 'elementwise', epilogue: true },
  sign: { kind: 'elementwise', epilogue: true },
  add: { kind: 'elementwise', epilogue: true },
  sub: { kind: 'elementwise', epilogue: true },
  mul: { kind: 'elementwise', epilogue: true },
  div: { kind: 'elementwise', epilogue: true },
  // pow has no wasm kernel (the reference's Math.pow is the semantics), so it cannot be fused
  pow: { kind: 'elementwise', epilogue: false },
  maximum: { kind: 'elementwise', epilogue: true },
  minimum: { kind: 'elementwise', epilogue: true },
  compare: { kind: 'elementwise', epilogue: true },
  where: { kind: 'elementwise', epilogue: true },
  addcmul: { kind: 'elementwise', epilogue: true },
  sum: { kind: 'reduce', epilogue: false },
  max: { kind: 'reduce', epilogue: false },
  reshape: { kind: 'movement', epilogue: false },
  broadcastTo: { kind: 'movement', epilogue: false },
  transpose: { kind: 'movement', epilogue: false },
  slice: { kind: 'movement', epilogue: false },
  pad: { kind: 'movement', epilogue: false },
  concat: { kind: 'movement', epilogue: false },
  gather: { kind: 'movement', epilogue: false },
  scatterAdd: { kind: 'movement', epilogue: false },
  // cast changes the dtype, so it leaves the float32 kernels; the compile passes treat it as movement
  cast: { kind: 'movement', epilogue: false },
  matmul: { kind: 'linalg', epilogue: false },
  conv2d: { kind: 'linalg', epilogue: false },
  conv2dBackInput: { kind: 'linalg', epilogue: false },
  conv2dBackFilter: { kind: 'linalg', epilogue: false },
  maxPool2d: { kind: 'window', epilogue: false },
  maxPool2dBackward: { kind: 'window', epilogue: false },
  avgPool2d: { kind: 'window', epilogue: false },
  avgPool2dBackward: { kind: 'window', epilogue: false },
};

const primsOfKind = (kind: PrimKind): ReadonlySet<PrimName> => new Set(PRIMITIVES.filter((p) => PRIM_PROPS[p].kind === kind));

/** Unary/binary elementwise, compare, where (select) and addcmul: out[i] depends on in[i] only (after broadcasting). */
export const ELEMENTWISE: ReadonlySet<PrimName> = primsOfKind('elementwise');
/** Reductions over axes. */
export const REDUCE: ReadonlySet<PrimName> = primsOfKind('reduce');
/** Data movement: no arithmetic on the values (reshape, transpose, slice, pad, gather, cast, ...). */
export const MOVEMENT: ReadonlySet<PrimName> = primsOfKind('movement');
/** Elementwise primitives that a conv/matmul may apply to its output before it is stored (bias, BatchNorm, ReLU, residual add). */
export const EPILOGUE: ReadonlySet<PrimName> = new Set(PRIMITIVES.filter((p) => PRIM_PROPS[p].epilogue));
