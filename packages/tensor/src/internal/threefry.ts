/**
 * Threefry-2x32 with 20 rounds (Salmon, Moraes, Dror & Shaw, "Parallel random numbers: as easy as
 * 1, 2, 3", SC'11), laid out exactly as JAX's `threefry2x32_p`: key schedule
 * ks = [k0, k1, k0 ^ k1 ^ 0x1BD11BDA], five groups of four rounds with rotations
 * [13, 15, 26, 6] / [17, 29, 16, 24], and a key injection after each group.
 *
 * Arithmetic is done on int32 values with `| 0` (two's complement wraps like uint32) and converted
 * to uint32 with `>>> 0` only when stored.
 */

const PARITY = 0x1bd11bda;

/** Hashes `n` counter pairs in place: (x0[i], x1[i]) ← threefry2x32(k, (x0[i], x1[i])). */
export function threefryInPlace(k0: number, k1: number, x0: Uint32Array, x1: Uint32Array, n = x0.length): void {
  const ks0 = k0 | 0;
  const ks1 = k1 | 0;
  const ks2 = (k0 ^ k1 ^ PARITY) | 0;
  for (let i = 0; i < n; i++) {
    let a = (x0[i]! + ks0) | 0;
    let b = (x1[i]! + ks1) | 0;
    // group 1: rotations 13 15 26 6
    a = (a + b) | 0; b = ((b << 13) | (b >>> 19)) ^ a;
    a = (a + b) | 0; b = ((b << 15) | (b >>> 17)) ^ a;
    a = (a + b) | 0; b = ((b << 26) | (b >>> 6)) ^ a;
    a = (a + b) | 0; b = ((b << 6) | (b >>> 26)) ^ a;
    a = (a + ks1) | 0; b = (b + ks2 + 1) | 0;
    // group 2: rotations 17 29 16 24
    a = (a + b) | 0; b = ((b << 17) | (b >>> 15)) ^ a;
    a = (a + b) | 0; b = ((b << 29) | (b >>> 3)) ^ a;
    a = (a + b) | 0; b = ((b << 16) | (b >>> 16)) ^ a;
    a = (a + b) | 0; b = ((b << 24) | (b >>> 8)) ^ a;
    a = (a + ks2) | 0; b = (b + ks0 + 2) | 0;
    // group 3
    a = (a + b) | 0; b = ((b << 13) | (b >>> 19)) ^ a;
    a = (a + b) | 0; b = ((b << 15) | (b >>> 17)) ^ a;
    a = (a + b) | 0; b = ((b << 26) | (b >>> 6)) ^ a;
    a = (a + b) | 0; b = ((b << 6) | (b >>> 26)) ^ a;
    a = (a + ks0) | 0; b = (b + ks1 + 3) | 0;
    // group 4
    a = (a + b) | 0; b = ((b << 17) | (b >>> 15)) ^ a;
    a = (a + b) | 0; b = ((b << 29) | (b >>> 3)) ^ a;
    a = (a + b) | 0; b = ((b << 16) | (b >>> 16)) ^ a;
    a = (a + b) | 0; b = ((b << 24) | (b >>> 8)) ^ a;
    a = (a + ks1) | 0; b = (b + ks2 + 4) | 0;
    // group 5
    a = (a + b) | 0; b = ((b << 13) | (b >>> 19)) ^ a;
    a = (a + b) | 0; b = ((b << 15) | (b >>> 17)) ^ a;
    a = (a + b) | 0; b = ((b << 26) | (b >>> 6)) ^ a;
    a = (a + b) | 0; b = ((b << 6) | (b >>> 26)) ^ a;
    a = (a + ks2) | 0; b = (b + ks0 + 5) | 0;
    x0[i] = a;
    x1[i] = b;
  }
}

/** One block: threefry2x32(key, counter) as two uint32 words. */
export function threefry2x32(key: readonly [number, number], counter: readonly [number, number]): [number, number] {
  const x0 = Uint32Array.of(counter[0]);
  const x1 = Uint32Array.of(counter[1]);
  threefryInPlace(key[0], key[1], x0, x1, 1);
  return [x0[0]!, x1[0]!];
}

/**
 * `n` uint32 words from `key`, as JAX's `threefry_2x32(key, iota(n))` (the original,
 * non-"partitionable" layout): the counters 0..n-1 (with one 0 appended when n is odd) are cut in
 * two halves that are hashed as pairs (c[i], c[h + i]); the output is all first words, then all
 * second words, with the padding word dropped.
 */
export function threefryBits(k0: number, k1: number, n: number): Uint32Array {
  const h = (n + 1) >>> 1;
  const x0 = new Uint32Array(h);
  const x1 = new Uint32Array(h);
  for (let i = 0; i < h; i++) {
    x0[i] = i;
    x1[i] = h + i === n ? 0 : h + i;
  }
  threefryInPlace(k0, k1, x0, x1, h);
  const out = new Uint32Array(n);
  out.set(x0);
  out.set(n === 2 * h ? x1 : x1.subarray(0, h - 1), h);
  return out;
}
