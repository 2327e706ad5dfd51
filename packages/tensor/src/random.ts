/**
 * Splittable, counter-based random numbers: a key is two uint32 words and every draw is the
 * Threefry-2x32 hash (20 rounds) of the key and a counter, so the same key gives the same bits on
 * every machine, in any order, with no hidden state.
 *
 * Bit-compatible with `jax.random` using the default threefry2x32 implementation in its original
 * layout (`jax_threefry_partitionable=False`, the default before JAX 0.5): `key`, `split`,
 * `foldIn`, `bits`, `uniform`, `bernoulli`, `randint` and `permutation` give exactly JAX's values;
 * `normal` and `truncatedNormal` use the same uniform bits and XLA's float32 erf⁻¹ polynomial and
 * agree with JAX to the last bit or two (see internal/erf.ts).
 * @example
 * import { random } from '@ssam/tensor';
 * const [k1, k2] = random.split(random.key(0));
 * const w = random.normal(k1, [784, 128], { std: 0.05 });
 * const idx = random.permutation(k2, 60000);
 */
import { erf, erfinvF32 } from './internal/erf.js';
import { bits, checkCount, checkFinite, checkKey, checkShapeArg, split, type Key } from './internal/keys.js';
import { observing } from './trace.js';
import { threefryBits } from './internal/threefry.js';
import { ArgumentError, ShapeError, fmtShape } from './errors.js';
import { broadcastShapes, sizeOf, stridesOf, type Shape } from './shape.js';
import { dataOf, fromHost, isTensor, type Tensor } from './tensor.js';

export { Key, keyFromWords, key, split, foldIn, bits } from './internal/keys.js';

const f32 = Math.fround;

/** Largest float32 strictly below `x` (x a finite float32). */
function nextDownF32(x: number): number {
  const buf = new Float32Array([x]);
  const u = new Int32Array(buf.buffer);
  if (x === 0) u[0] = 0x80000001 | 0;
  else u[0]! += x > 0 ? -1 : 1;
  return buf[0]!;
}
/** Smallest float32 strictly above `x`. */
const nextUpF32 = (x: number): number => -nextDownF32(-x);

/**
 * JAX's `_uniform` for float32: 23 random mantissa bits under exponent 0 give a float in [1, 2);
 * minus 1 that is k·2⁻²³ in [0, 1), then scaled to [lo, hi) in float32 arithmetic.
 */
function uniformFromBits(b: Uint32Array, lo: number, hi: number, out = new Float32Array(b.length)): Float32Array {
  const span = f32(hi - lo);
  if (span === Infinity) {
    // NOTE: max − min overflows float32 (|min|, |max| near 3.4e38): JAX's float32 formula gives
    // ±∞·0 = NaN and ∞; scale in float64 instead, where the span is finite (any float32 range is
    // below 2^129), rounding once at the end.
    for (let i = 0; i < b.length; i++) out[i] = Math.max(lo, f32(lo + (b[i]! >>> 9) * 2 ** -23 * (hi - lo)));
    return out;
  }
  for (let i = 0; i < b.length; i++) {
    const u = (b[i]! >>> 9) * 2 ** -23;
    out[i] = Math.max(lo, f32(f32(u * span) + lo));
  }
  return out;
}

export interface UniformOptions {
  readonly min?: number;
  readonly max?: number;
}

/**
 * float32 samples, uniform in [min, max) (default [0, 1)), bit-identical to JAX's `uniform`.
 * NOTE: where float32 rounding of min + u·(max − min) lands on `max` (JAX returns `max` then),
 * the value is moved to the float32 just below `max`, so the interval stays half-open.
 */
export function uniform(key: Key, shape: Shape, opts: UniformOptions = {}): Tensor {
  const op = 'random.uniform';
  checkDraw(op, key);
  checkShapeArg(op, shape);
  if (opts === null || typeof opts !== 'object') throw new ArgumentError(op, `options must be an object or undefined, got ${String(opts)}`);
  const { min = 0, max = 1 } = opts;
  checkFinite(op, 'min', min);
  checkFinite(op, 'max', max);
  const lo = f32(min);
  const hi = f32(max);
  if (!(lo < hi)) throw new ArgumentError(op, `min must be below max (as float32), got min=${min}, max=${max}`);
  const out = uniformFromBits(bits(key, sizeOf(shape)), lo, hi);
  const top = nextDownF32(hi);
  for (let i = 0; i < out.length; i++) if (out[i]! >= hi) out[i] = top;
  return fromHost(out, shape, 'float32');
}

const SQRT2_F32 = f32(Math.SQRT2);

export interface NormalOptions {
  readonly mean?: number;
  readonly std?: number;
}

/**
 * float32 samples from N(mean, std²), as JAX's `mean + std * normal(key, shape)`: √2·erf⁻¹(u) for
 * u uniform in (−1, 1). The inverse-CDF method uses one word per sample, so any prefix of the
 * counter layout stays meaningful (unlike Box–Muller's pairs).
 */
export function normal(key: Key, shape: Shape, opts: NormalOptions = {}): Tensor {
  const op = 'random.normal';
  checkDraw(op, key);
  checkShapeArg(op, shape);
  if (opts === null || typeof opts !== 'object') throw new ArgumentError(op, `options must be an object or undefined, got ${String(opts)}`);
  const { mean = 0, std = 1 } = opts;
  checkFinite(op, 'mean', mean);
  checkFinite(op, 'std', std);
  if (std < 0) throw new ArgumentError(op, `std must be non-negative, got ${std}`);
  // JAX draws u from [nextafter(−1, 0), 1) so that erf⁻¹ never sees −1.
  const u = uniformFromBits(bits(key, sizeOf(shape)), nextUpF32(-1), 1);
  const m = f32(mean);
  const s = f32(std);
  for (let i = 0; i < u.length; i++) {
    const z = f32(SQRT2_F32 * erfinvF32(u[i]!));
    u[i] = m === 0 && s === 1 ? z : f32(m + f32(s * z));
  }
  return fromHost(u, shape, 'float32');
}

export interface TruncatedNormalOptions extends NormalOptions {
  /** Lower bound in standard deviations from the mean (default −2). */
  readonly lower?: number;
  /** Upper bound in standard deviations from the mean (default 2). */
  readonly upper?: number;
}

/**
 * float32 samples from N(mean, std²) truncated to mean + std·(lower, upper), the common weight
 * initialiser. Matches JAX's `mean + std * truncated_normal(key, lower, upper, shape)`: inverse
 * CDF of u uniform in [erf(lower/√2), erf(upper/√2)), clamped to the open interval.
 */
export function truncatedNormal(key: Key, shape: Shape, opts: TruncatedNormalOptions = {}): Tensor {
  const op = 'random.truncatedNormal';
  checkDraw(op, key);
  checkShapeArg(op, shape);
  if (opts === null || typeof opts !== 'object') throw new ArgumentError(op, `options must be an object or undefined, got ${String(opts)}`);
  const { mean = 0, std = 1, lower = -2, upper = 2 } = opts;
  checkFinite(op, 'mean', mean);
  checkFinite(op, 'std', std);
  if (std < 0) throw new ArgumentError(op, `std must be non-negative, got ${std}`);
  if (typeof lower !== 'number' || typeof upper !== 'number' || Number.isNaN(lower) || Number.isNaN(upper) || !(f32(lower) < f32(upper)))
    throw new ArgumentError(op, `lower must be below upper, got lower=${lower}, upper=${upper}`);
  const lo = f32(lower);
  const hi = f32(upper);
  const a = f32(erf(f32(lo / SQRT2_F32)));
  const b = f32(erf(f32(hi / SQRT2_F32)));
  const u = uniformFromBits(bits(key, sizeOf(shape)), a, b);
  const clampLo = nextUpF32(lo);
  const clampHi = nextDownF32(hi);
  const m = f32(mean);
  const s = f32(std);
  for (let i = 0; i < u.length; i++) {
    const z = Math.min(clampHi, Math.max(clampLo, f32(SQRT2_F32 * erfinvF32(u[i]!))));
    u[i] = f32(m + f32(s * z));
  }
  return fromHost(u, shape, 'float32');
}

/**
 * float32 0/1 samples that are 1 with probability `p` (JAX's `uniform(key, shape) < p`). `p` is a
 * number in [0, 1] or a float32 tensor of probabilities that broadcasts to `shape`; `shape`
 * defaults to `p`'s shape.
 */
export function bernoulli(key: Key, p: number | Tensor, shape?: Shape): Tensor {
  const op = 'random.bernoulli';
  checkDraw(op, key);
  let probs: ArrayLike<number>;
  let pShape: Shape;
  if (isTensor(p)) {
    if (p.dtype !== 'float32') throw new ArgumentError(op, `p must be float32 probabilities, got ${p.dtype}; cast it first`);
    probs = dataOf(p);
    pShape = p.shape;
    for (let i = 0; i < probs.length; i++)
      if (!(probs[i]! >= 0 && probs[i]! <= 1)) throw new ArgumentError(op, `p must lie in [0, 1], got ${probs[i]} at flat index ${i}`);
  } else {
    if (typeof p !== 'number' || !(p >= 0 && p <= 1)) throw new ArgumentError(op, `p must be a number in [0, 1] or a tensor, got ${String(p)}`);
    probs = [f32(p)];
    pShape = [];
  }
  const outShape = shape ?? pShape;
  checkShapeArg(op, outShape);
  const b = broadcastShapes(op, pShape, outShape);
  if (b.length !== outShape.length || b.some((d, i) => d !== outShape[i]))
    throw new ShapeError(op, `p of shape ${fmtShape(pShape)} does not broadcast to shape ${fmtShape(outShape)}; pass a shape that contains it`);
  const u = uniformFromBits(bits(key, sizeOf(outShape)), 0, 1);
  const pIndex = broadcastIndexer(pShape, outShape);
  const out = new Float32Array(u.length);
  for (let i = 0; i < u.length; i++) out[i] = u[i]! < probs[pIndex(i)]! ? 1 : 0;
  return fromHost(out, outShape, 'float32');
}

/** Maps a flat index of `to` to the flat index of the broadcast source of shape `from`. */
function broadcastIndexer(from: Shape, to: Shape): (i: number) => number {
  if (sizeOf(from) === 1) return () => 0;
  if (from.length === to.length && from.every((d, i) => d === to[i])) return (i) => i;
  const pad = to.length - from.length;
  const toStrides = stridesOf(to);
  const fromStrides = stridesOf(from);
  return (i) => {
    let j = 0;
    for (let d = 0; d < to.length; d++) {
      const c = Math.floor(i / toStrides[d]!) % to[d]!;
      const fd = d - pad;
      if (fd >= 0 && from[fd] !== 1) j += c * fromStrides[fd]!;
    }
    return j;
  };
}

/**
 * int32 samples uniform in [min, max) (max exclusive), exactly JAX's `randint`: two 32-bit words
 * per sample from the two halves of `split(key)`, reduced modulo the span. NOTE: like JAX this
 * keeps a bias of at most span/2^32 for huge spans; for small spans it is below 2^-20.
 */
export function randint(key: Key, shape: Shape, min: number, max: number): Tensor {
  const op = 'random.randint';
  checkDraw(op, key);
  checkShapeArg(op, shape);
  const I32 = 0x8000_0000;
  if (!Number.isInteger(min) || min < -I32 || min >= I32) throw new ArgumentError(op, `min must be an int32, got ${min}`);
  if (!Number.isInteger(max) || max <= -I32 || max > I32) throw new ArgumentError(op, `max must be an integer in (-2^31, 2^31], got ${max}`);
  if (!(min < max)) throw new ArgumentError(op, `max (exclusive) must be greater than min, got min=${min}, max=${max}`);
  const n = sizeOf(shape);
  const [k1, k2] = split(key);
  const hiBits = threefryBits(k1!.words[0], k1!.words[1], n);
  const loBits = threefryBits(k2!.words[0], k2!.words[1], n);
  // JAX computes in uint32: span = (max − min) mod 2^32 (its +1 for a max clipped from 2^31 is
  // already in our exclusive max), multiplier = 2^32 mod span, products wrap. The full int32 range
  // wraps span to 0, where XLA's x % 0 = x makes the result min + the low word.
  const span = (max - min) >>> 0;
  const out = new Int32Array(n);
  if (span === 0) {
    for (let i = 0; i < n; i++) out[i] = (min + loBits[i]!) | 0;
    return fromHost(out, shape, 'int32');
  }
  const m16 = 65536 % span;
  const mult = (Math.imul(m16, m16) >>> 0) % span;
  for (let i = 0; i < n; i++) {
    const r = ((Math.imul(hiBits[i]! % span, mult) >>> 0) + (loBits[i]! % span)) >>> 0;
    out[i] = (min + (r % span)) | 0;
  }
  return fromHost(out, shape, 'int32');
}

const PACK = 2 ** 21;

/**
 * A random permutation of 0..n−1 as int32, exactly JAX's `permutation(key, n)`: rounds of a stable
 * sort of the current order by fresh random 32-bit words (each round uses the second half of
 * `split` of the first). Tied sort words are the only source of bias, so JAX takes
 * ⌈3·ln n / ln(2^32 − 1)⌉ rounds, i.e. 2^(32·rounds) ≥ n³: one round up to n ≈ 1600, two up to
 * n ≈ 2.6 million. O(n log n) rather than Fisher–Yates' O(n), but bit-compatible with JAX.
 */
export function permutation(key: Key, n: number): Tensor {
  const op = 'random.permutation';
  checkDraw(op, key);
  checkCount(op, 'n', n);
  let perm = new Int32Array(n);
  for (let i = 0; i < n; i++) perm[i] = i;
  const rounds = Math.ceil((3 * Math.log(Math.max(1, n))) / Math.log(0xffff_ffff));
  let k = key;
  for (let r = 0; r < rounds; r++) {
    const [next, sub] = split(k);
    k = next!;
    const sortKeys = threefryBits(sub!.words[0], sub!.words[1], n);
    const nextPerm = new Int32Array(n);
    if (n <= PACK) {
      // Stable sort by (word, position) as one exact double: word·2^21 + position < 2^53.
      const packed = new Float64Array(n);
      for (let i = 0; i < n; i++) packed[i] = sortKeys[i]! * PACK + i;
      packed.sort();
      for (let i = 0; i < n; i++) nextPerm[i] = perm[packed[i]! % PACK]!;
    } else {
      const order = Array.from({ length: n }, (_, i) => i);
      order.sort((a, b) => sortKeys[a]! - sortKeys[b]! || a - b);
      for (let i = 0; i < n; i++) nextPerm[i] = perm[order[i]!]!;
    }
    perm = nextPerm;
  }
  return fromHost(perm, [n], 'int32');
}

/**
 * A draw checks its key, and refuses to run inside a `compile` trace: the bits are made on the host
 * from the key's words, so the plan would replay the tracing call's draw on every call.
 */
function checkDraw(op: string, key: unknown): asserts key is Key {
  checkKey(op, key);
  if (observing())
    throw new ArgumentError(op, 'draws random numbers on the host, so inside a compiled function the plan would repeat the draw of the tracing call on every call; draw outside the compiled function and pass the tensor in as an argument');
}
