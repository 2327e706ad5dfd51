import type { DType } from '../dtype.js';
import { conv2d, conv2dBackFilter, conv2dBackInput, convAttrs, type Conv2dOptions } from '../ops/conv.js';
import { tensor } from '../ops/creation.js';
import * as ew from '../ops/elementwise.js';
import { matmul } from '../ops/linalg.js';
import { broadcastTo, cast, concat, gather, pad, reshape, scatterAdd, slice, transpose } from '../ops/movement.js';
import { avgPool2d, avgPool2dBackward, maxPool2d, maxPool2dBackward, poolAttrs, type Pool2dOptions } from '../ops/pool.js';
import { max, sum } from '../ops/reduce.js';
import type { PrimName } from '../primitives.js';
import { sizeOf, type Shape } from '../shape.js';
import { nonFiniteCases } from './conformance-nonfinite.js';
import type { Tensor } from '../tensor.js';

/**
 * One conformance case: deterministic inputs and the op that applies `prim` to them. A backend
 * conforms when, for every case, its output matches the reference backend's (same shape and dtype,
 * NaN where the reference has NaN, ±∞ where it has ±∞, other values within tolerance).
 */
export interface ConformanceCase {
  /** Unique; says what the case covers, e.g. 'conv2d: groups 2, stride [1, 2]'. */
  readonly name: string;
  /** The primitive under test; the runner checks that `run` really applied it. */
  readonly prim: PrimName;
  /** Fresh host tensors, the same on every call. */
  readonly inputs: () => Tensor[];
  /** Applies the op on the current backend. */
  readonly run: (inputs: readonly Tensor[]) => Tensor;
  /** Multiplies atol for results summed over many terms: the summation length (matmul, conv, sum). */
  readonly tolScale: number;
  /**
   * The exact IEEE result, where the case pins one down independently of the reference (non-finite
   * cases: 0·NaN, 0·∞ and ∞ − ∞ are NaN). Every backend, the reference included, must give it.
   */
  readonly expected?: readonly number[];
}

/** mulberry32: a tiny seeded generator, so cases need no PRNG from the package under test. */
function mulberry32(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

function hash(s: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < s.length; i++) h = Math.imul(h ^ s.charCodeAt(i), 0x01000193);
  return h >>> 0;
}

export interface SeededOptions {
  readonly min?: number;
  readonly max?: number;
  readonly dtype?: DType;
  /** Whole numbers only (always for int32): makes ties and exact equalities likely. */
  readonly integers?: boolean;
}

/** A deterministic tensor with entries uniform in [min, max) (integers: [min, max]). */
export function seededTensor(shape: Shape, seed: number, opts: SeededOptions = {}): Tensor {
  const { min = -1, max = 1, dtype = 'float32' } = opts;
  const ints = opts.integers ?? dtype === 'int32';
  const rnd = mulberry32(seed);
  const n = sizeOf(shape);
  const data = dtype === 'int32' ? new Int32Array(n) : new Float32Array(n);
  for (let i = 0; i < n; i++) data[i] = ints ? min + Math.floor(rnd() * (max - min + 1)) : min + rnd() * (max - min);
  return tensor(data, shape, { dtype });
}

/** An input: a random tensor spec or a literal tensor factory. */
type Input = { readonly shape: Shape; readonly opts?: SeededOptions } | (() => Tensor);
const R = (shape: Shape, opts?: SeededOptions): Input => (opts ? { shape, opts } : { shape });
const I32 = (shape: Shape, min = -9, max = 9): Input => R(shape, { dtype: 'int32', min, max });
const lit = (values: readonly number[], shape?: Shape, dtype: DType = 'float32'): Input => () => tensor([...values], shape ?? [values.length], { dtype });

const cases: ConformanceCase[] = [];

function def(prim: PrimName, label: string, ins: readonly Input[], run: (xs: readonly Tensor[]) => Tensor, tolScale = 1, expected?: readonly number[]): void {
  const name = `${prim}: ${label}`;
  const seed = hash(name);
  const inputs = () => ins.map((s, i) => (typeof s === 'function' ? s() : seededTensor(s.shape, seed + i * 7919, s.opts)));
  cases.push({ name, prim, inputs, run, tolScale, ...(expected ? { expected } : {}) });
}

// ---- elementwise -----------------------------------------------------------------------------
const SPECIAL = [0, -0, 1, -1, Infinity, -Infinity, NaN, 1e-30, -1e30, 100, -100, 88, 89, 0.5, -2.5];
const unary = { neg: ew.neg, abs: ew.abs, exp: ew.exp, log: ew.log, sqrt: ew.sqrt, sign: ew.sign } as const;
for (const [p, f] of Object.entries(unary) as [PrimName, (x: Tensor) => Tensor][]) {
  const dom = p === 'log' || p === 'sqrt' ? { min: 0.01, max: 10 } : { min: -3, max: 3 };
  const run = ([x]: readonly Tensor[]) => f(x!);
  def(p, 'random [3, 5]', [R([3, 5], dom)], run);
  def(p, 'size-1 and odd dims [1, 7, 3]', [R([1, 7, 3], dom)], run);
  def(p, 'length not a multiple of 4: [37]', [R([37], dom)], run);
  def(p, 'rank 0', [R([], dom)], run);
  def(p, 'empty [0, 3]', [R([0, 3], dom)], run);
  def(p, 'special values (±0, ±∞, NaN, tiny, huge)', [lit(SPECIAL)], run);
  if (p === 'neg' || p === 'abs' || p === 'sign') def(p, 'int32', [I32([4, 5])], run);
}

const SA = [0, 0, 1, -1, Infinity, -Infinity, NaN, 2, -2, 0.5, 3, -0, 1e30, -1e-30];
const SB = [0, -0, 0, 0, Infinity, Infinity, 1, NaN, 0.5, -3, -Infinity, 2, 1e10, 3];
const binary = {
  add: ew.add, sub: ew.sub, mul: ew.mul, div: ew.div, pow: ew.pow, maximum: ew.maximum, minimum: ew.minimum,
} as const;
for (const [p, f] of Object.entries(binary) as [PrimName, (a: Tensor, b: Tensor) => Tensor][]) {
  const da = p === 'pow' ? { min: 0.1, max: 3 } : { min: -2, max: 2 };
  const db = p === 'pow' ? { min: -2, max: 2 } : p === 'div' ? { min: 0.25, max: 2 } : { min: -2, max: 2 };
  const run = ([a, b]: readonly Tensor[]) => f(a!, b!);
  def(p, 'same shape [4, 5]', [R([4, 5], da), R([4, 5], db)], run);
  def(p, 'broadcast [3, 1, 5] with [4, 1]', [R([3, 1, 5], da), R([4, 1], db)], run);
  def(p, 'tensor with rank 0', [R([2, 3], da), R([], db)], run);
  def(p, 'rank 0 with tensor', [R([], da), R([2, 3], db)], run);
  def(p, 'size-1 dims [1, 7] with [5, 1]', [R([1, 7], da), R([5, 1], db)], run);
  def(p, 'odd sizes [33, 65] with [65]', [R([33, 65], da), R([65], db)], run);
  def(p, 'empty [0, 3] with [3]', [R([0, 3], da), R([3], db)], run);
  def(p, 'special values (±0, ±∞, NaN)', [lit(SA), lit(SB)], run);
  if (p !== 'div' && p !== 'pow') def(p, 'int32 broadcast [3, 4] with [4]', [I32([3, 4]), I32([4])], run);
}

const cmps = {
  equal: ew.equal, notEqual: ew.notEqual, less: ew.less, lessEqual: ew.lessEqual, greater: ew.greater, greaterEqual: ew.greaterEqual,
} as const;
for (const [name, f] of Object.entries(cmps)) {
  const run = ([a, b]: readonly Tensor[]) => f(a!, b!);
  def('compare', `${name}: ties and broadcast [4, 6] with [6]`, [R([4, 6], { min: -2, max: 2, integers: true }), R([6], { min: -2, max: 2, integers: true })], run);
  def('compare', `${name}: ±0, ±∞ and NaN`, [lit(SA), lit(SB)], run);
  def('compare', `${name}: int32 [3, 5] with rank 0`, [I32([3, 5], -2, 2), I32([], -2, 2)], run);
}

const whereRun = ([c, a, b]: readonly Tensor[]) => ew.where(c!, a!, b!);
def('where', '3-way broadcast [4, 1, 5], [3, 5], [4, 3, 1]', [R([4, 1, 5], { min: 0, max: 1, integers: true }), R([3, 5]), R([4, 3, 1])], whereRun);
def('where', 'rank-0 branches', [R([6, 7], { min: 0, max: 1, integers: true }), R([]), R([])], whereRun);
def('where', 'int32 branches', [R([5], { min: 0, max: 1, integers: true }), I32([5]), I32([1])], whereRun);
def('where', 'negative and NaN conditions pick a', [lit([-1, 0, NaN, 2, -0]), R([5]), R([5])], whereRun);
def('where', 'empty [0, 2]', [R([0, 2]), R([0, 2]), R([2])], whereRun);

const addcmulRun = (value: number) => ([x, a, b]: readonly Tensor[]) => ew.addcmul(x!, a!, b!, value);
def('addcmul', 'same shape [4, 5], value 0.37', [R([4, 5]), R([4, 5]), R([4, 5])], addcmulRun(0.37));
def('addcmul', '3-way broadcast [4, 1, 5], [3, 5], [4, 3, 1], value -1.5', [R([4, 1, 5]), R([3, 5]), R([4, 3, 1])], addcmulRun(-1.5));
def('addcmul', 'masked ascent: rank-0 x, 0/1 mask [6, 7], [6, 7], value 0.05', [R([]), R([6, 7], { min: 0, max: 1, integers: true }), R([6, 7])], addcmulRun(0.05));
def('addcmul', 'axpy: rank-0 b [33, 65], [33, 65], [], value 5e-4', [R([33, 65]), R([33, 65]), R([])], addcmulRun(5e-4));
def('addcmul', 'special values (±0, ±∞, NaN)', [lit(SA), lit(SB), lit(SA)], addcmulRun(2));
def('addcmul', 'empty [0, 3] with [3]', [R([0, 3]), R([3]), R([0, 3])], addcmulRun(1));

// ---- reductions ------------------------------------------------------------------------------
for (const [p, f] of [['sum', sum], ['max', max]] as const) {
  const run = (axes: number[], keepdims = false) => ([x]: readonly Tensor[]) => f(x!, { axes, keepdims });
  def(p, '[3, 4, 5] over axis 1', [R([3, 4, 5])], run([1]), 4);
  def(p, '[3, 4, 5] over axes [0, 2], keepdims', [R([3, 4, 5])], run([0, 2], true), 15);
  def(p, '[2, 3, 4, 5] over all axes', [R([2, 3, 4, 5])], run([0, 1, 2, 3]), 120);
  def(p, 'rank 0 over no axes', [R([])], run([]));
  def(p, '[17, 129] over the long axis 1', [R([17, 129])], run([1]), 129);
  def(p, '[129, 17] over axis 0', [R([129, 17])], run([0]), 129);
  def(p, 'size-1 axis [5, 1, 3] over axis 1', [R([5, 1, 3])], run([1]));
  def(p, 'empty [0, 4] over axis 1', [R([0, 4])], run([1]));
  def(p, 'int32 [5, 6] over axis 0, keepdims', [I32([5, 6])], run([0], true));
  def(p, 'ties and ±∞', [lit([3, 3, -Infinity, Infinity, 1, 3, -Infinity, -Infinity], [2, 4])], run([1]));
}
def('sum', 'empty axis [0, 4] over axis 0 gives zeros', [R([0, 4])], ([x]) => sum(x!, { axes: 0 }));
def('max', 'NaN wins', [lit([1, NaN, 2, 5, 4, NaN], [3, 2])], ([x]) => max(x!, { axes: 0 }));

// ---- movement --------------------------------------------------------------------------------
def('reshape', '[2, 3, 4] to [4, 6]', [R([2, 3, 4])], ([x]) => reshape(x!, [4, 6]));
def('reshape', 'rank 0 to [1, 1]', [R([])], ([x]) => reshape(x!, [1, 1]));
def('reshape', 'empty [0, 3] to [3, 0]', [R([0, 3])], ([x]) => reshape(x!, [3, 0]));
def('reshape', 'int32 [6] to [2, 3]', [I32([6])], ([x]) => reshape(x!, [2, 3]));

def('broadcastTo', '[3, 1] to [2, 3, 5]', [R([3, 1])], ([x]) => broadcastTo(x!, [2, 3, 5]));
def('broadcastTo', 'rank 0 to [4, 4]', [R([])], ([x]) => broadcastTo(x!, [4, 4]));
def('broadcastTo', '[1] to [7]', [R([1])], ([x]) => broadcastTo(x!, [7]));
def('broadcastTo', 'int32 [1, 4] to [3, 4]', [I32([1, 4])], ([x]) => broadcastTo(x!, [3, 4]));
def('broadcastTo', 'empty [0, 1] to [0, 5]', [R([0, 1])], ([x]) => broadcastTo(x!, [0, 5]));
def('broadcastTo', 'middle axis [5, 1, 3] to [2, 5, 9, 3]', [R([5, 1, 3])], ([x]) => broadcastTo(x!, [2, 5, 9, 3]));

def('transpose', '[2, 3, 4] perm [2, 0, 1]', [R([2, 3, 4])], ([x]) => transpose(x!, [2, 0, 1]));
def('transpose', '[2, 3, 4, 5] perm [3, 1, 0, 2]', [R([2, 3, 4, 5])], ([x]) => transpose(x!, [3, 1, 0, 2]));
def('transpose', '[1, 5] reversed', [R([1, 5])], ([x]) => transpose(x!));
def('transpose', 'odd [7, 9] reversed', [R([7, 9])], ([x]) => transpose(x!));
def('transpose', 'int32 [3, 4]', [I32([3, 4])], ([x]) => transpose(x!));
def('transpose', 'empty [0, 3]', [R([0, 3])], ([x]) => transpose(x!));

def('slice', '[10] 1:9:2', [R([10])], ([x]) => slice(x!, [{ start: 1, stop: 9, step: 2 }]));
def('slice', '[10] reversed', [R([10])], ([x]) => slice(x!, [{ step: -1 }]));
def('slice', 'large strides [17, 9]: ::5, -2::-3', [R([17, 9])], ([x]) => slice(x!, [{ step: 5 }, { start: -2, step: -3 }]));
def('slice', 'index and negative step [4, 5, 6]', [R([4, 5, 6])], ([x]) => slice(x!, [1, undefined, { start: 5, stop: 0, step: -2 }]));
def('slice', 'empty result [5] 3:1', [R([5])], ([x]) => slice(x!, [{ start: 3, stop: 1 }]));
def('slice', 'int32 [6, 6] 1:-1, ::4', [I32([6, 6])], ([x]) => slice(x!, [{ start: 1, stop: -1 }, { step: 4 }]));

def('pad', '[3, 4] zeros', [R([3, 4])], ([x]) => pad(x!, [[1, 2], [0, 3]]));
def('pad', '[5] with -1.5', [R([5])], ([x]) => pad(x!, [[3, 0]], -1.5));
def('pad', 'empty [0, 3] with 7', [R([0, 3])], ([x]) => pad(x!, [[1, 1], [2, 0]], 7));
def('pad', 'int32 [2, 2] with 3', [I32([2, 2])], ([x]) => pad(x!, [[1, 0], [0, 1]], 3));
def('pad', 'NCHW spatial [1, 2, 3, 3]', [R([1, 2, 3, 3])], ([x]) => pad(x!, [[0, 0], [0, 0], [1, 1], [2, 1]]));
def('pad', '[1, 1] padded with −∞', [R([1, 1])], ([x]) => pad(x!, [[0, 1], [1, 0]], -Infinity));

def('concat', 'axis 1 with an empty part', [R([2, 3]), R([2, 0]), R([2, 4])], (xs) => concat(xs, 1));
def('concat', 'axis 0 [1, 3] and [4, 3]', [R([1, 3]), R([4, 3])], (xs) => concat(xs, 0));
def('concat', 'rank 1', [R([5]), R([1]), R([3])], (xs) => concat(xs, 0));
def('concat', 'int32 last axis of [2, 2, 1] and [2, 2, 3]', [I32([2, 2, 1]), I32([2, 2, 3])], (xs) => concat(xs, 2));

def('gather', 'axis 0 with repeats', [R([5, 3]), lit([4, 0, 4, 2], [4], 'int32')], ([x, i]) => gather(x!, i!, 0));
def('gather', 'axis 1 with 2-d indices', [R([2, 6, 3]), lit([5, 0, 1, 1, 3, 5], [2, 3], 'int32')], ([x, i]) => gather(x!, i!, 1));
def('gather', 'last axis', [R([4, 7]), lit([6, 6, 0], [3], 'int32')], ([x, i]) => gather(x!, i!, 1));
def('gather', 'empty indices', [R([4, 2]), lit([], [0], 'int32')], ([x, i]) => gather(x!, i!, 0));
def('gather', 'int32 data', [I32([6]), lit([5, 1, 1], [3], 'int32')], ([x, i]) => gather(x!, i!, 0));

def('scatterAdd', 'axis 0 with repeats', [R([4, 3]), lit([4, 0, 4, 2], [4], 'int32')], ([u, i]) => scatterAdd(u!, i!, 0, 5), 2);
def('scatterAdd', 'axis 1 with 2-d indices', [R([2, 2, 3, 3]), lit([5, 0, 1, 1, 3, 5], [2, 3], 'int32')], ([u, i]) => scatterAdd(u!, i!, 1, 6), 2);
def('scatterAdd', 'last axis, unused slots', [R([3, 2]), lit([6, 6], [2], 'int32')], ([u, i]) => scatterAdd(u!, i!, 1, 8), 2);
def('scatterAdd', 'int32 updates', [I32([3]), lit([1, 1, 0], [3], 'int32')], ([u, i]) => scatterAdd(u!, i!, 0, 2));

def('cast', 'float32 to int32 truncates toward zero', [lit([-2.7, -0.5, -0, 0.5, 2.9, 1e6, -1e6, 7, 123456.7])], ([x]) => cast(x!, 'int32'));
def('cast', 'int32 to float32', [I32([3, 4], -1000, 1000)], ([x]) => cast(x!, 'float32'));
def('cast', 'random [5, 5] to int32', [R([5, 5], { min: -50, max: 50 })], ([x]) => cast(x!, 'int32'));
def('cast', 'empty [0] to int32', [R([0])], ([x]) => cast(x!, 'int32'));

// ---- matmul ----------------------------------------------------------------------------------
const mm = (transposeA = false, transposeB = false) => ([a, b]: readonly Tensor[]) => matmul(a!, b!, { transposeA, transposeB });
def('matmul', '[5, 7] · [7, 3]', [R([5, 7]), R([7, 3])], mm(), 7);
def('matmul', 'a transposed [7, 5]ᵀ · [7, 3]', [R([7, 5]), R([7, 3])], mm(true), 7);
def('matmul', 'b transposed [5, 7] · [3, 7]ᵀ', [R([5, 7]), R([3, 7])], mm(false, true), 7);
def('matmul', 'both transposed', [R([7, 5]), R([3, 7])], mm(true, true), 7);
def('matmul', 'batched broadcast [2, 1, 3, 4] · [5, 4, 2]', [R([2, 1, 3, 4]), R([5, 4, 2])], mm(), 4);
def('matmul', 'batched broadcast, transposed b', [R([3, 4]), R([2, 5, 4])], mm(false, true), 4);
def('matmul', '[1, 1] · [1, 1]', [R([1, 1]), R([1, 1])], mm());
def('matmul', 'empty inner dimension [3, 0] · [0, 4]', [R([3, 0]), R([0, 4])], mm());
def('matmul', 'empty batch [0, 2, 3] · [3, 2]', [R([0, 2, 3]), R([3, 2])], mm(), 3);
def('matmul', 'odd sizes [33, 17] · [17, 65]', [R([33, 17]), R([17, 65])], mm(), 17);
def('matmul', 'vector · matrix (rank-1 promotion)', [R([6]), R([6, 5])], mm(), 6);
def('matmul', 'long inner dimension [2, 300] · [300, 3]', [R([2, 300]), R([300, 3])], mm(), 300);

// ---- convolution -----------------------------------------------------------------------------
const CONVS: readonly (readonly [string, Shape, Shape, Conv2dOptions])[] = [
  ['3×3 pad 1', [2, 3, 7, 7], [4, 3, 3, 3], { padding: 1 }],
  ['3×3 pad 1, 8→9 channels, odd sizes (Winograd on wasm)', [3, 8, 7, 9], [9, 8, 3, 3], { padding: 1 }],
  ["stride 2, 'same'", [1, 2, 9, 8], [3, 2, 3, 3], { stride: 2, padding: 'same' }],
  ['asymmetric padding', [2, 2, 5, 6], [2, 2, 2, 3], { padding: [[0, 2], [1, 0]] }],
  ['dilation 2', [1, 3, 9, 9], [2, 3, 3, 3], { dilation: 2, padding: 2 }],
  ['groups 2, stride [1, 2]', [2, 4, 6, 5], [6, 2, 3, 3], { groups: 2, stride: [1, 2], padding: 1 }],
  ['depthwise (groups = C), dilation [2, 1]', [1, 3, 6, 6], [3, 1, 3, 3], { groups: 3, dilation: [2, 1], padding: 1 }],
  ['pointwise 1×1', [3, 5, 4, 4], [7, 5, 1, 1], {}],
  ['large stride 3', [1, 2, 11, 10], [2, 2, 2, 2], { stride: 3 }],
  ['1×1 image, pad 1', [2, 3, 1, 1], [4, 3, 3, 3], { padding: 1 }],
  ['rectangular filter, stride [2, 1], dilation [1, 2]', [1, 2, 5, 7], [3, 2, 1, 3], { stride: [2, 1], dilation: [1, 2] }],
  ['empty batch', [0, 3, 5, 5], [2, 3, 3, 3], { padding: 1 }],
];
for (const [label, xs, ws, opts] of CONVS) {
  const [, yShape] = convAttrs('conformance', xs, ws, opts);
  const taps = ws[1]! * ws[2]! * ws[3]!;
  const perFilter = xs[0]! * yShape[2]! * yShape[3]!;
  def('conv2d', label, [R(xs), R(ws)], ([x, w]) => conv2d(x!, w!, opts), taps);
  def('conv2dBackInput', label, [R(yShape), R(ws)], ([dy, w]) => conv2dBackInput(dy!, w!, xs, opts), taps);
  def('conv2dBackFilter', label, [R(xs), R(yShape)], ([x, dy]) => conv2dBackFilter(x!, dy!, ws, opts), Math.max(1, perFilter));
}

// ---- pooling ---------------------------------------------------------------------------------
const POOLS: readonly (readonly [string, Shape, Pool2dOptions, SeededOptions?])[] = [
  ['2×2 stride 2', [2, 3, 6, 6], { kernel: 2 }],
  ['3×3 stride 2 pad 1', [1, 2, 7, 7], { kernel: 3, stride: 2, padding: 1 }],
  ['asymmetric padding, kernel [2, 3]', [2, 2, 5, 6], { kernel: [2, 3], stride: [2, 1], padding: [[0, 1], [1, 0]] }],
  ['overlapping windows with ties', [1, 2, 6, 6], { kernel: 3, stride: 1 }, { min: 0, max: 2, integers: true }],
  ['odd sizes, large stride', [1, 1, 5, 9], { kernel: [3, 2], stride: [1, 3] }],
  ["'same' padding", [1, 2, 7, 8], { kernel: 3, stride: 2, padding: 'same' }],
  ['empty batch', [0, 2, 4, 4], { kernel: 2 }],
];
for (const [label, xs, opts, dist] of POOLS) {
  const [, yShape] = poolAttrs('conformance', xs, opts);
  const x = R(xs, dist);
  def('maxPool2d', label, [x], ([t]) => maxPool2d(t!, opts));
  def('maxPool2dBackward', label, [R(yShape), x], ([dy, t]) => maxPool2dBackward(dy!, t!, opts), 4);
  for (const countIncludePad of [true, false]) {
    const o = { ...opts, countIncludePad };
    const l = `${label}, countIncludePad ${countIncludePad}`;
    def('avgPool2d', l, [x], ([t]) => avgPool2d(t!, o), 9);
    def('avgPool2dBackward', l, [R(yShape)], ([dy]) => avgPool2dBackward(dy!, xs, o), 9);
  }
}
def('maxPool2d', '−∞ and NaN entries', [lit([-Infinity, -Infinity, 1, NaN, -Infinity, 2, 3, 3, 0], [1, 1, 3, 3])], ([t]) => maxPool2d(t!, { kernel: 2, stride: 1 }));

nonFiniteCases(def, mm);

/** Every case, grouped by primitive in PRIMITIVES order of first appearance. */
export const conformanceCases: readonly ConformanceCase[] = cases;
