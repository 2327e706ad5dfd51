import { allocate, type DType, type TypedArray } from '../../dtype.js';
import type { BroadcastAttrs, CompareOp, PrimAttrs } from '../../primitives.js';
import { shapesEqual, sizeOf, stridesOf, type Shape } from '../../shape.js';
import { dataOf, fromHost, type Tensor } from '../../tensor.js';

/**
 * Elementwise kernels are generated from one template and a scalar snippet per primitive (the same
 * snippets the gpu.js backend turns into GLSL). Generating a function per primitive keeps each
 * loop monomorphic, which V8 compiles to tight code.
 */
export const UNARY_SNIPPETS = {
  neg: '-a',
  abs: 'Math.abs(a)',
  exp: 'Math.exp(a)',
  log: 'Math.log(a)',
  sqrt: 'Math.sqrt(a)',
  sign: '(a > 0 ? 1 : a < 0 ? -1 : a)',
} as const;

export const BINARY_SNIPPETS = {
  add: 'a + b',
  sub: 'a - b',
  mul: 'a * b',
  div: 'a / b',
  pow: 'Math.pow(a, b)',
  // NOTE: NaN propagates through maximum/minimum as in NumPy.
  maximum: '(a > b || a !== a ? a : b)',
  minimum: '(a < b || a !== a ? a : b)',
} as const;

export const COMPARE_SNIPPETS: Record<CompareOp, string> = {
  eq: '(a === b ? 1 : 0)',
  ne: '(a !== b ? 1 : 0)',
  lt: '(a < b ? 1 : 0)',
  le: '(a <= b ? 1 : 0)',
  gt: '(a > b ? 1 : 0)',
  ge: '(a >= b ? 1 : 0)',
};

type UnaryLoop = (x: TypedArray, out: TypedArray) => void;
type BinaryLoop = (a: TypedArray, b: TypedArray, out: TypedArray, ia: Int32Array | null, ib: Int32Array | null) => void;

function unaryLoop(snippet: string): UnaryLoop {
  return new Function('x', 'out', `for (let i = 0, n = out.length; i < n; i++) { const a = x[i]; out[i] = ${snippet}; }`) as UnaryLoop;
}

/** ia/ib map each output element to an input element when broadcasting; null means identity. */
function binaryLoop(snippet: string): BinaryLoop {
  return new Function(
    'A',
    'B',
    'out',
    'ia',
    'ib',
    `const n = out.length;
     if (A.length === 1 && n !== 1) {
       const a = A[0];
       if (ib === null) { for (let i = 0; i < n; i++) { const b = B[i]; out[i] = ${snippet}; } }
       else { for (let i = 0; i < n; i++) { const b = B[ib[i]]; out[i] = ${snippet}; } }
       return;
     }
     if (B.length === 1 && n !== 1) {
       const b = B[0];
       if (ia === null) { for (let i = 0; i < n; i++) { const a = A[i]; out[i] = ${snippet}; } }
       else { for (let i = 0; i < n; i++) { const a = A[ia[i]]; out[i] = ${snippet}; } }
       return;
     }
     if (ia === null && ib === null) { for (let i = 0; i < n; i++) { const a = A[i], b = B[i]; out[i] = ${snippet}; } return; }
     if (ia === null) { for (let i = 0; i < n; i++) { const a = A[i], b = B[ib[i]]; out[i] = ${snippet}; } return; }
     if (ib === null) { for (let i = 0; i < n; i++) { const a = A[ia[i]], b = B[i]; out[i] = ${snippet}; } return; }
     for (let i = 0; i < n; i++) { const a = A[ia[i]], b = B[ib[i]]; out[i] = ${snippet}; }`,
  ) as BinaryLoop;
}

/**
 * For each element of `outShape`, the flat index of the broadcast source element of `inShape`, or
 * null when the shapes are equal. Size-1 sources return a length-1 map handled by the fast paths.
 */
export function broadcastIndex(inShape: Shape, outShape: Shape): Int32Array | null {
  if (shapesEqual(inShape, outShape)) return null;
  const n = sizeOf(outShape);
  const idx = new Int32Array(n);
  if (sizeOf(inShape) === 1) return idx; // all zeros
  const rank = outShape.length;
  const inStr = stridesOf(inShape);
  // stride of each output axis in the input (0 for broadcast axes)
  const st = new Array<number>(rank).fill(0);
  for (let i = 0; i < inShape.length; i++) {
    const oi = rank - inShape.length + i;
    st[oi] = inShape[i] === 1 ? 0 : inStr[i]!;
  }
  // Inner-most axis loop for speed; the outer axes advance a counter.
  const inner = outShape[rank - 1] ?? 1;
  const innerSt = st[rank - 1] ?? 0;
  const counter = new Array<number>(rank).fill(0);
  let base = 0;
  for (let o = 0; o < n; o += inner) {
    for (let j = 0; j < inner; j++) idx[o + j] = base + j * innerSt;
    // advance outer counter
    for (let ax = rank - 2; ax >= 0; ax--) {
      counter[ax]!++;
      base += st[ax]!;
      if (counter[ax]! < outShape[ax]!) break;
      base -= st[ax]! * outShape[ax]!;
      counter[ax] = 0;
    }
  }
  return idx;
}

export function unaryKernel(snippet: string) {
  const loop = unaryLoop(snippet);
  return (inputs: readonly Tensor[]): Tensor => {
    const x = inputs[0]!;
    const out = allocate(x.dtype, x.size);
    loop(dataOf(x), out);
    return fromHost(out, x.shape, x.dtype);
  };
}

export function binaryKernel(snippet: string, outDType?: DType) {
  const loop = binaryLoop(snippet);
  return (inputs: readonly Tensor[], attrs: BroadcastAttrs): Tensor => {
    const [a, b] = inputs as [Tensor, Tensor];
    const n = sizeOf(attrs.shape);
    const out = allocate(outDType ?? a.dtype, n);
    // Size-1 operands take the scalar fast paths and need no index map.
    const ia = a.size === 1 ? null : broadcastIndex(a.shape, attrs.shape);
    const ib = b.size === 1 ? null : broadcastIndex(b.shape, attrs.shape);
    loop(dataOf(a), dataOf(b), out, ia, ib);
    return fromHost(out, attrs.shape, outDType ?? a.dtype);
  };
}

const compareKernels = Object.fromEntries(
  (Object.keys(COMPARE_SNIPPETS) as CompareOp[]).map((op) => [op, binaryKernel(COMPARE_SNIPPETS[op], 'float32')]),
) as Record<CompareOp, ReturnType<typeof binaryKernel>>;

export function compare(inputs: readonly Tensor[], attrs: PrimAttrs['compare']): Tensor {
  return compareKernels[attrs.op](inputs, attrs);
}

export function where(inputs: readonly Tensor[], attrs: PrimAttrs['where']): Tensor {
  const [c, a, b] = inputs as [Tensor, Tensor, Tensor];
  const n = sizeOf(attrs.shape);
  const out = allocate(a.dtype, n);
  const ic = broadcastIndex(c.shape, attrs.shape);
  const ia = broadcastIndex(a.shape, attrs.shape);
  const ib = broadcastIndex(b.shape, attrs.shape);
  const C = dataOf(c), A = dataOf(a), B = dataOf(b);
  for (let i = 0; i < n; i++) {
    out[i] = C[ic === null ? i : ic[i]!] !== 0 ? A[ia === null ? i : ia[i]!]! : B[ib === null ? i : ib[i]!]!;
  }
  return fromHost(out, attrs.shape, a.dtype);
}

export function addcmul(inputs: readonly Tensor[], attrs: PrimAttrs['addcmul']): Tensor {
  const [x, a, b] = inputs as [Tensor, Tensor, Tensor];
  const n = sizeOf(attrs.shape);
  const out = allocate('float32', n);
  const ix = broadcastIndex(x.shape, attrs.shape);
  const ia = broadcastIndex(a.shape, attrs.shape);
  const ib = broadcastIndex(b.shape, attrs.shape);
  const X = dataOf(x), A = dataOf(a), B = dataOf(b);
  const v = Math.fround(attrs.value);
  const f = Math.fround;
  // NOTE: rounded after each operation, as the composition add(x, mul(mul(a, b), value)) is.
  for (let i = 0; i < n; i++) {
    out[i] = X[ix === null ? i : ix[i]!]! + f(f(A[ia === null ? i : ia[i]!]! * B[ib === null ? i : ib[i]!]!) * v);
  }
  return fromHost(out, attrs.shape, 'float32');
}

export function cast(inputs: readonly Tensor[], attrs: PrimAttrs['cast']): Tensor {
  const x = inputs[0]!;
  const src = dataOf(x);
  const out = allocate(attrs.dtype, x.size);
  if (attrs.dtype === 'int32') for (let i = 0; i < src.length; i++) out[i] = Math.trunc(src[i]!);
  else out.set(src);
  return fromHost(out, x.shape, attrs.dtype);
}

