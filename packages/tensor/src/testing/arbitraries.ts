import fc from 'fast-check';
import type { DType } from '../dtype.js';
import { tensor } from '../ops/creation.js';
import { keyFromWords, type Key } from '../random.js';
import { isTensor, type Tensor } from '../tensor.js';
import { flatten, unflatten, type Tree } from '../tree.js';

/**
 * fast-check arbitraries for property tests of tensor code. Sizes default small (rank ≤ 3,
 * dimensions 1..4) so a property with a few hundred runs stays fast on the reference backend.
 * @example
 * fc.assert(fc.property(arbTensor(), (x) => allClose(neg(neg(x)), x).ok));
 */

export interface ShapeOptions {
  readonly minRank?: number;
  readonly maxRank?: number;
  /** Smallest dimension (default 1; pass 0 to include empty tensors). */
  readonly minDim?: number;
  readonly maxDim?: number;
}

/** Shapes with rank in [minRank, maxRank] (default 0..3) and dimensions in [minDim, maxDim] (default 1..4). */
export function arbShape(opts: ShapeOptions = {}): fc.Arbitrary<number[]> {
  const { minRank = 0, maxRank = 3, minDim = 1, maxDim = 4 } = opts;
  if (!(minRank >= 0 && minRank <= maxRank && minDim >= 0 && minDim <= maxDim))
    throw new RangeError(`arbShape: need 0 ≤ minRank ≤ maxRank and 0 ≤ minDim ≤ maxDim, got ${JSON.stringify(opts)}`);
  return fc.array(fc.integer({ min: minDim, max: maxDim }), { minLength: minRank, maxLength: maxRank });
}

/**
 * Two shapes that broadcast together under NumPy rules: a result shape is drawn with `opts`, then
 * each side keeps a suffix of it with some dimensions replaced by 1.
 */
export function arbBroadcastPair(opts: ShapeOptions = {}): fc.Arbitrary<[number[], number[]]> {
  const side = (out: number[]): fc.Arbitrary<number[]> =>
    fc
      .tuple(fc.integer({ min: 0, max: out.length }), fc.array(fc.boolean(), { minLength: out.length, maxLength: out.length }))
      .map(([drop, ones]) => out.slice(drop).map((d, i) => (ones[i + drop] ? 1 : d)));
  return arbShape(opts).chain((out) => fc.tuple(side(out), side(out)));
}

export interface ValueOptions {
  /** Smallest value (default −10). */
  readonly min?: number;
  /** Largest value (default 10). */
  readonly max?: number;
  /** Only integer values (exact float arithmetic for algebraic laws). Always true for int32. */
  readonly integers?: boolean;
}

/**
 * float32 values spread evenly over [min, max] on a grid of 2^20 steps (fast-check's own
 * `fc.float` crowds values near 0, which hides relative-error bugs). Endpoints are included.
 */
export function arbValue(opts: ValueOptions & { readonly dtype?: DType } = {}): fc.Arbitrary<number> {
  const { min = -10, max = 10, integers = false, dtype = 'float32' } = opts;
  if (!(Number.isFinite(min) && Number.isFinite(max) && min <= max)) throw new RangeError(`arbValue: need finite min ≤ max, got ${min}, ${max}`);
  if (integers || dtype === 'int32') {
    const lo = Math.ceil(min), hi = Math.floor(max);
    if (lo > hi) throw new RangeError(`arbValue: no integer lies in [${min}, ${max}]`);
    return fc.integer({ min: lo, max: hi });
  }
  const steps = 1 << 20;
  return fc.integer({ min: 0, max: steps }).map((k) => Math.min(max, Math.max(min, Math.fround(min + ((max - min) * k) / steps))));
}

export interface TensorOptions extends ShapeOptions, ValueOptions {
  /** A fixed shape; otherwise one is drawn with the shape options. */
  readonly shape?: readonly number[];
  readonly dtype?: DType;
}

/** Tensors of a fixed or drawn shape with values from `arbValue` (default float32 in [−10, 10]). */
export function arbTensor(opts: TensorOptions = {}): fc.Arbitrary<Tensor> {
  const dtype = opts.dtype ?? 'float32';
  const shapes = opts.shape ? fc.constant([...opts.shape]) : arbShape(opts);
  const value = arbValue({ ...opts, dtype });
  return shapes.chain((shape) => {
    const n = shape.reduce((a, b) => a * b, 1);
    return fc.array(value, { minLength: n, maxLength: n }).map((v) => tensor(v, shape, { dtype }));
  });
}

/** Strictly positive float32 tensors (default values in [0.1, 10]): inputs for log, sqrt, div. */
export function arbPositiveTensor(opts: TensorOptions = {}): fc.Arbitrary<Tensor> {
  const { min = 0.1, max = 10 } = opts;
  if (!(min > 0)) throw new RangeError(`arbPositiveTensor: min must be > 0, got ${min}`);
  return arbTensor({ ...opts, min, max, dtype: 'float32' });
}

/** Two tensors whose shapes broadcast together (see `arbBroadcastPair`). */
export function arbBroadcastTensors(opts: ShapeOptions & ValueOptions & { readonly dtype?: DType } = {}): fc.Arbitrary<[Tensor, Tensor]> {
  return arbBroadcastPair(opts).chain(([s1, s2]) => fc.tuple(arbTensor({ ...opts, shape: s1 }), arbTensor({ ...opts, shape: s2 })));
}

export interface TreeOptions {
  /** Container nesting depth (default 2). */
  readonly maxDepth?: number;
  /** Most children per array or object (default 3). */
  readonly maxChildren?: number;
  /** Leaf arbitrary (default: float32 tensors of rank ≤ 2 and dimensions ≤ 3). */
  readonly leaf?: fc.Arbitrary<Tensor>;
  /** Also draw `null` subtrees (empty, as JAX's None). Default false. */
  readonly withNone?: boolean;
}

const arbTreeKey = fc.stringMatching(/^[a-z][a-z0-9_]{0,5}$/);

/** Pytrees: nested plain objects and arrays (possibly empty) of small tensors. */
export function arbTree(opts: TreeOptions = {}): fc.Arbitrary<Tree> {
  const { maxDepth = 2, maxChildren = 3, withNone = false } = opts;
  const leaf = opts.leaf ?? arbTensor({ maxRank: 2, maxDim: 3 });
  const depthIdentifier = fc.createDepthIdentifier();
  const { node } = fc.letrec<{ node: Tree }>((tie) => ({
    node: fc.oneof(
      { maxDepth, depthIdentifier },
      leaf as fc.Arbitrary<Tree>,
      ...(withNone ? [fc.constant(null) as fc.Arbitrary<Tree>] : []),
      fc.array(tie('node'), { maxLength: maxChildren, depthIdentifier }) as fc.Arbitrary<Tree>,
      fc.dictionary(arbTreeKey, tie('node'), { maxKeys: maxChildren, noNullPrototype: true, depthIdentifier }) as fc.Arbitrary<Tree>,
    ),
  }));
  return node;
}

/** Trees with the structure, shapes and dtypes of `like`, with fresh values (non-tensor leaves kept). */
export function arbTreeLike(like: Tree, opts: ValueOptions = {}): fc.Arbitrary<Tree> {
  const [leaves, def] = flatten<unknown>(like as Tree<unknown>);
  const arbs = leaves.map((l) => (isTensor(l) ? arbTensor({ ...opts, shape: l.shape, dtype: l.dtype }) : fc.constant(l)));
  return fc.tuple(...arbs).map((ls) => unflatten(def, ls) as Tree);
}

/** `count` trees that share one structure (for tree.add, vdot, where, ...). */
export function arbTrees(count: number, opts: TreeOptions & ValueOptions = {}): fc.Arbitrary<Tree[]> {
  if (!(Number.isInteger(count) && count >= 1)) throw new RangeError(`arbTrees: count must be a positive integer, got ${count}`);
  return arbTree(opts).chain((t) => fc.tuple(...Array.from({ length: count - 1 }, () => arbTreeLike(t, opts))).map((rest) => [t, ...rest]));
}

/** PRNG keys with arbitrary uint32 words. */
export function arbKey(): fc.Arbitrary<Key> {
  const word = fc.integer({ min: 0, max: 0xffff_ffff });
  return fc.tuple(word, word).map(([a, b]) => keyFromWords(a, b));
}
