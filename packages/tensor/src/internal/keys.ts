/**
 * PRNG keys and the raw bit stream: a key is two uint32 words, and `split`, `foldIn` and `bits`
 * hash it with counters exactly as JAX's threefry2x32 (original layout). Re-exported by random.ts;
 * the argument checks here are shared by the samplers.
 */
import { ArgumentError } from '../errors.js';
import { checkShape, type Shape } from '../shape.js';
import { isTensor } from '../tensor.js';
import { threefry2x32, threefryBits } from './threefry.js';

const U32 = 0x1_0000_0000;
const isU32 = (w: unknown): w is number => typeof w === 'number' && Number.isInteger(w) && w >= 0 && w < U32;

/** A PRNG key: two uint32 words. Immutable, and a pytree leaf (so keys can sit in model state). */
export class Key {
  readonly words: readonly [number, number];

  /** Prefer `random.key(seed)` or `random.keyFromWords(w0, w1)`. */
  constructor(w0: number, w1: number) {
    if (!isU32(w0) || !isU32(w1))
      throw new ArgumentError('random.Key', `words must be integers in [0, 2^32), got [${w0}, ${w1}]`);
    this.words = Object.freeze([w0, w1] as [number, number]);
    Object.freeze(this);
  }

  /** True when both words are equal. */
  equals(other: Key): boolean {
    return this.words[0] === other.words[0] && this.words[1] === other.words[1];
  }

  toString(): string {
    return `Key(${this.words[0]}, ${this.words[1]})`;
  }
}

/** Rebuilds a key from its two uint32 words (as saved from `key.words`). */
export function keyFromWords(w0: number, w1: number): Key {
  if (!isU32(w0) || !isU32(w1))
    throw new ArgumentError('random.keyFromWords', `words must be integers in [0, 2^32), got [${w0}, ${w1}]`);
  return new Key(w0, w1);
}

/**
 * The key for an integer seed, as JAX's `PRNGKey(seed)`: words [0, seed] for 0 ≤ seed < 2^32.
 * Other 64-bit seeds (negative or ≥ 2^32, as a safe integer or a bigint) give the two halves of
 * the seed's 64-bit two's complement [hi, lo], which is JAX's answer with `jax_enable_x64`.
 */
export function key(seed: number | bigint): Key {
  if (typeof seed === 'number') {
    if (!Number.isSafeInteger(seed))
      throw new ArgumentError('random.key', `seed must be a safe integer (or a bigint), got ${seed}; round it or pass a bigint`);
    if (seed >= 0 && seed < U32) return new Key(0, seed);
    seed = BigInt(seed);
  }
  if (typeof seed !== 'bigint') throw new ArgumentError('random.key', `seed must be an integer, got ${typeof seed}`);
  if (seed < -(1n << 63n) || seed >= 1n << 64n)
    throw new ArgumentError('random.key', `seed ${seed} does not fit in 64 bits`);
  const u = BigInt.asUintN(64, seed);
  return new Key(Number(u >> 32n), Number(u & 0xffffffffn));
}

export function checkKey(op: string, k: unknown): asserts k is Key {
  if (!(k instanceof Key))
    throw new ArgumentError(op, `key must be a random.Key (from random.key(seed) or random.split), got ${describe(k)}`);
}

function describe(x: unknown): string {
  if (isTensor(x)) return x.toString();
  if (Array.isArray(x)) return `an array of length ${x.length}; wrap saved words with random.keyFromWords(w0, w1)`;
  return x === null ? 'null' : typeof x;
}

export function checkCount(op: string, arg: string, n: unknown, max = 0x7fff_ffff): asserts n is number {
  if (typeof n !== 'number' || !Number.isInteger(n) || n < 0 || n > max)
    throw new ArgumentError(op, `${arg} must be an integer in [0, ${max}], got ${String(n)}`);
}

export function checkShapeArg(op: string, shape: unknown): asserts shape is Shape {
  if (!Array.isArray(shape)) throw new ArgumentError(op, `shape must be an array of sizes such as [2, 3], got ${String(shape)}`);
  checkShape(op, 'shape', shape);
}

export function checkFinite(op: string, arg: string, v: unknown): asserts v is number {
  if (typeof v !== 'number' || !Number.isFinite(v)) throw new ArgumentError(op, `${arg} must be a finite number, got ${String(v)}`);
}

/** `n` new keys from `key` (the words of JAX's `split(key, n)`). Never reuse `key` afterwards. */
export function split(key: Key, n = 2): Key[] {
  checkKey('random.split', key);
  checkCount('random.split', 'n', n, 0x3fff_ffff);
  const w = threefryBits(key.words[0], key.words[1], 2 * n);
  return Array.from({ length: n }, (_, i) => new Key(w[2 * i]!, w[2 * i + 1]!));
}

/**
 * A key derived from `key` and an integer (a step, a layer index), as JAX's `fold_in`: the hash of
 * the counter pair (0, data). `data` is taken as uint32; negative int32 values wrap like a cast.
 */
export function foldIn(key: Key, data: number): Key {
  checkKey('random.foldIn', key);
  if (typeof data !== 'number' || !Number.isInteger(data) || data < -0x8000_0000 || data >= U32)
    throw new ArgumentError('random.foldIn', `data must be an integer in [-2^31, 2^32), got ${String(data)}`);
  const [a, b] = threefry2x32(key.words, [0, data >>> 0]);
  return new Key(a, b);
}

/** `n` uniformly random uint32 words (JAX's `random.bits(key, (n,))`). */
export function bits(key: Key, n: number): Uint32Array {
  checkKey('random.bits', key);
  checkCount('random.bits', 'n', n);
  return threefryBits(key.words[0], key.words[1], n);
}
