import { describe, expect, it } from 'vitest';
import { threefry2x32, threefryBits } from './internal/threefry.js';
import { erf, erfinvF32 } from './internal/erf.js';
import { random, tensor, tree, isTensor, type Tensor } from './index.js';

const { key, keyFromWords, split, foldIn, bits, uniform, normal, truncatedNormal, bernoulli, randint, permutation, Key } = random;
const words = (k: random.Key): number[] => [...k.words];

/** Distance in float32 ulps (units in the last place) between two float32 values of one sign. */
function ulps(a: number, b: number): number {
  const buf = new Float32Array([a, b]);
  const u = new Int32Array(buf.buffer);
  return Math.abs(u[0]! - u[1]!);
}

/** Expects float32 `got` to equal the float32 printed by JAX within `maxUlps`; returns how many are bit-identical. */
function expectNearJax(got: Tensor | number[], jax: number[], maxUlps = 2): number {
  const g = isTensor(got) ? Array.from(got.toArray()) : got;
  expect(g.length).toBe(jax.length);
  let exact = 0;
  g.forEach((v, i) => {
    const d = ulps(v, Math.fround(jax[i]!));
    expect(d, `element ${i}: ${v} vs JAX ${jax[i]}`).toBeLessThanOrEqual(maxUlps);
    if (d === 0) exact++;
  });
  return exact;
}

describe('threefry2x32 known-answer vectors (Random123, 20 rounds)', () => {
  it.each([
    [[0, 0], [0, 0], [0x6b200159, 0x99ba4efe]],
    [[0xffffffff, 0xffffffff], [0xffffffff, 0xffffffff], [0x1cb996fc, 0xbb002be7]],
    [[0x13198a2e, 0x03707344], [0x243f6a88, 0x85a308d3], [0xc4923a9c, 0x483df7a0]],
  ] as const)('key %j counter %j', (k, c, out) => {
    expect(threefry2x32(k, c)).toEqual(out);
  });

  it('hashes the counter halves as pairs (JAX layout, odd sizes padded with 0)', () => {
    const four = threefryBits(0, 0, 4);
    expect([four[0], four[2]]).toEqual(threefry2x32([0, 0], [0, 2]));
    const three = threefryBits(0, 0, 3);
    expect([three[1]]).toEqual([threefry2x32([0, 0], [1, 0])[0]]);
    expect(threefryBits(0, 0, 0).length).toBe(0);
  });
});

// Reference values printed by JAX 0.4.38 on CPU with the default (non-partitionable) threefry,
// from published sessions and from MLX's tests, which check against JAX.
describe('bit-compatibility with jax.random', () => {
  it('key(seed) is PRNGKey(seed)', () => {
    expect(words(key(0))).toEqual([0, 0]);
    expect(words(key(42))).toEqual([0, 42]);
    expect(words(key(2 ** 32 - 1))).toEqual([0, 4294967295]);
    expect(words(key(2 ** 32))).toEqual([1, 0]);
    expect(words(key(2 ** 32 + 1))).toEqual([1, 1]);
    expect(words(key(-1))).toEqual([4294967295, 4294967295]);
    expect(words(key(2n ** 64n - 1n))).toEqual([4294967295, 4294967295]);
    expect(words(key(-(2n ** 63n)))).toEqual([2147483648, 0]);
  });

  it('split', () => {
    expect(split(key(0)).map(words)).toEqual([[4146024105, 967050713], [2718843009, 1272950319]]);
    expect(split(key(0), 3).map(words)).toEqual([[2467461003, 428148500], [3186719485, 3840466878], [2562233961, 1946702221]]);
    expect(split(key(0), 4).flatMap(words)).toEqual([2285895361, 1501764800, 1518642379, 4090693311, 433833334, 4221794875, 839183663, 3740430601]);
    expect(split(key(0), 1).map(words)).toEqual([threefry2x32([0, 0], [0, 1])]);
    expect(split(key(0), 0)).toEqual([]);
  });

  it('bits', () => {
    expect([...bits(key(0), 1)]).toEqual([1797259609]);
    expect([...bits(key(1), 1)]).toEqual([507451445]);
    expect([...bits(key(0), 3)]).toEqual([4146024105, 1351547692, 2718843009]);
    expect([...bits(key(0), 4)]).toEqual([4146024105, 967050713, 2718843009, 1272950319]);
    expect([...bits(key(0), 8)]).toEqual(split(key(0), 4).flatMap(words));
  });

  it('foldIn hashes the pair (0, data)', () => {
    expect(words(foldIn(key(0), 3))).toEqual([2467461003, 3840466878]);
    expect(words(foldIn(key(0), 0))).toEqual([1797259609, 2579123966]);
    expect(words(foldIn(key(7), -1))).toEqual(words(foldIn(key(7), 2 ** 32 - 1)));
  });

  it('a carried key advances as in JAX', () => {
    let k = key(0);
    for (let i = 0; i < 6; i++) k = split(k)[0]!;
    expect(words(k)).toEqual([3110407274, 4280739360]);
  });

  it('randint', () => {
    let k = key(0);
    const rows: number[][] = [];
    for (let i = 0; i < 3; i++) {
      const [next, sub] = split(k);
      k = next!;
      rows.push(randint(sub!, [4], 0, 100).toList() as number[]);
    }
    expect(rows).toEqual([[8, 45, 78, 7], [81, 73, 74, 37], [43, 35, 56, 43]]);
  });

  it('normal matches JAX within 2 ulp, mostly bit for bit', () => {
    let exact = 0;
    exact += expectNearJax(normal(key(0), [10]), [-0.3721109, 0.26423115, -0.18252768, -0.7368197, -0.44030377, -0.1521442, -0.67135346, -0.5908641, 0.73168886, 0.5673026]);
    exact += expectNearJax(normal(key(0), [3, 3]), [-0.3721109, 0.26423115, -0.18252768, -0.7368197, 0.44973662, -0.1521442, -0.67135346, -0.5908641, 0.73168886]);
    exact += expectNearJax(normal(key(0), [4]), [1.8160863, -0.75488514, 0.33988908, -0.53483534]);
    exact += expectNearJax(normal(key(0), [3]), [1.8160863, -0.48262316, 0.33988908]);
    let k = key(0);
    const carried: number[] = [];
    for (let i = 0; i < 6; i++) {
      const [next, sub] = split(k);
      k = next!;
      carried.push(...normal(sub!, [2]).toArray());
    }
    exact += expectNearJax(carried, [0.19307722, -0.52678293, 0.00870701, -0.04888523, -0.89105326, -0.66184473, 1.2091267, 2.3117282, 0.91798526, 0.48332107, -0.21526915, -0.41612625]);
    const folded = Array.from({ length: 6 }, (_, i) => [...normal(foldIn(key(0), i), [2]).toArray()]).flat();
    exact += expectNearJax(folded, [-0.48121497, -0.01837499, 1.4321449, 1.3629805, 1.1727159, -1.8279221, -0.05104028, 0.68906456, 0.05196318, -0.67536026, 0.8082805, -0.21244425]);
    const grid = Array.from({ length: 12 }, (_, i) => normal(foldIn(foldIn(key(0), Math.floor(i / 4)), i % 4), []).item());
    exact += expectNearJax(grid, [-0.9984514, 0.4432096, -0.2424067, -1.1119174, -0.04697571, 1.2683467, 1.816136, -0.6499298, 1.3010085, 0.18747099, 1.159638, 0.10436483]);
    expect(exact).toBeGreaterThanOrEqual(54); // 54 of 64 bit-identical; the rest differ by 1-2 ulp
  });

  it('uniform is the 23 mantissa bits of each word, k·2⁻²³', () => {
    const b = bits(key(5), 6);
    expect([...uniform(key(5), [6]).toArray()]).toEqual([...b].map((w) => (w >>> 9) / 2 ** 23));
    // [lo, hi): lo + u·(hi − lo) in float32 arithmetic
    const f = Math.fround;
    expect([...uniform(key(5), [2, 3], { min: -3, max: 5 }).toArray()]).toEqual([...b].map((w) => f(f(((w >>> 9) / 2 ** 23) * 8) - 3)));
  });

  it('bernoulli is uniform < p', () => {
    const u = uniform(key(3), [50]).toArray();
    expect([...bernoulli(key(3), 0.3, [50]).toArray()]).toEqual([...u].map((x) => (x < Math.fround(0.3) ? 1 : 0)));
  });

  it('permutation is a stable sort of arange(n) by the bits of split(key)[1]', () => {
    const sub = split(key(0))[1]!;
    const b = bits(sub, 10);
    const expected = Array.from({ length: 10 }, (_, i) => i).sort((i, j) => b[i]! - b[j]! || i - j);
    expect(permutation(key(0), 10).toList()).toEqual(expected);
    expect(permutation(key(0), 1).toList()).toEqual([0]); // zero sort rounds
    expect(permutation(key(0), 0).toList()).toEqual([]);
  });
});

describe('Key', () => {
  it('is an immutable pytree leaf', () => {
    const k = key(1);
    expect(tree.leaves({ k, w: tensor([1]) })).toContain(k);
    expect(Object.isFrozen(k) && Object.isFrozen(k.words)).toBe(true);
    expect(() => ((k.words as number[])[0] = 5)).toThrow();
    expect(k.toString()).toBe('Key(0, 1)');
    expect(keyFromWords(0, 1).equals(k)).toBe(true);
    expect(new Key(3, 4).equals(k)).toBe(false);
  });

  it('rejects bad words and seeds with clear errors', () => {
    expect(() => keyFromWords(-1, 0)).toThrow(/random.keyFromWords: words must be integers in \[0, 2\^32\)/);
    expect(() => keyFromWords(0, 2 ** 32)).toThrow(/random.keyFromWords/);
    expect(() => key(1.5)).toThrow(/random.key: seed must be a safe integer/);
    expect(() => key(2 ** 60)).toThrow(/safe integer/);
    expect(() => key(2n ** 64n)).toThrow(/does not fit in 64 bits/);
    expect(() => key('1' as never)).toThrow(/seed must be an integer/);
  });
});

describe('argument validation', () => {
  const k = key(0);
  it.each([
    ['split n', () => split(k, -1), /random.split: n must be an integer/],
    ['split key', () => split([0, 0] as never), /random.split: key must be a random.Key .*keyFromWords/],
    ['foldIn data', () => foldIn(k, 0.5), /random.foldIn: data must be an integer/],
    ['foldIn range', () => foldIn(k, 2 ** 32), /random.foldIn/],
    ['bits n', () => bits(k, 1.5), /random.bits: n must be an integer/],
    ['uniform shape', () => uniform(k, 3 as never), /random.uniform: shape must be an array/],
    ['uniform dims', () => uniform(k, [2, -1]), /random.uniform: shape \[2, -1\]/],
    ['uniform range', () => uniform(k, [2], { min: 1, max: 1 }), /random.uniform: min must be below max/],
    ['uniform NaN', () => uniform(k, [2], { min: NaN }), /random.uniform: min must be a finite number/],
    ['normal std', () => normal(k, [2], { std: -1 }), /random.normal: std must be non-negative/],
    ['truncated bounds', () => truncatedNormal(k, [2], { lower: 1, upper: -1 }), /random.truncatedNormal: lower must be below upper/],
    ['bernoulli p', () => bernoulli(k, 1.5, [2]), /random.bernoulli: p must be a number in \[0, 1\]/],
    ['bernoulli tensor p', () => bernoulli(k, tensor([0.5, 2])), /p must lie in \[0, 1\], got 2 at flat index 1/],
    ['bernoulli shape', () => bernoulli(k, tensor([0.5, 0.5]), [3]), /random.bernoulli/],
    ['bernoulli shape 2', () => bernoulli(k, tensor([0.5, 0.5]), [1]), /does not broadcast to shape \[1\]/],
    ['randint order', () => randint(k, [2], 5, 5), /random.randint: max \(exclusive\) must be greater than min/],
    ['randint int', () => randint(k, [2], 0.5, 5), /random.randint: min must be an int32/],
    ['randint max', () => randint(k, [2], 0, 2 ** 31 + 1), /random.randint: max must be an integer/],
    ['permutation n', () => permutation(k, -3), /random.permutation: n must be an integer/],
  ])('%s', (_name, f, re) => {
    expect(f).toThrow(re);
  });
});

describe('samplers', () => {
  it('return the requested shape and dtype', () => {
    const k = key(9);
    expect(uniform(k, [2, 3]).shape).toEqual([2, 3]);
    expect(normal(k, []).shape).toEqual([]);
    expect(normal(k, [0, 4]).size).toBe(0);
    expect(randint(k, [5], -3, 3).dtype).toBe('int32');
    expect(bernoulli(k, tensor([[0.1], [0.9]]), [2, 4]).shape).toEqual([2, 4]);
    expect(bernoulli(k, tensor([0.2, 0.7])).shape).toEqual([2]);
    expect(permutation(k, 5).dtype).toBe('int32');
  });

  it('uniform stays in [min, max) even where float32 rounding would reach max', () => {
    // u close to 1 times a span whose rounding lands on max
    const x = uniform(key(11), [20000], { min: 1, max: 1.0000001 }).toArray();
    for (const v of x) expect(v >= 1 && v < Math.fround(1.0000001)).toBe(true);
  });

  it('uniform over a range whose span overflows float32 (±3e38) is spread over it, inside [min, max)', () => {
    const x = random.uniform(random.key(3), [6], { min: -3e38, max: 3e38 }).toArray();
    expect(new Set(x).size).toBe(6);
    for (const v of x) expect(Number.isFinite(v) && v >= Math.fround(-3e38) && v < Math.fround(3e38)).toBe(true);
    // the same bits as a finite span scaled by 6e38 / 6: u·span + min, computed without overflow
    const u = random.uniform(random.key(3), [6]).toArray();
    x.forEach((v, i) => expect(v).toBeCloseTo(Math.fround(-3e38 + u[i]! * 6e38), -32));
  });

  it('normal applies mean and std', () => {
    const z = normal(key(4), [8]).toArray();
    const y = normal(key(4), [8], { mean: 3, std: 0.5 }).toArray();
    y.forEach((v, i) => expect(v).toBeCloseTo(3 + 0.5 * z[i]!, 6));
  });

  it('truncatedNormal stays strictly inside mean + std·(lower, upper)', () => {
    const x = truncatedNormal(key(2), [5000], { mean: 1, std: 2, lower: -1, upper: 0.5 }).toArray();
    for (const v of x) expect(v > -1 && v < 2).toBe(true);
    const wide = truncatedNormal(key(2), [200], { lower: -Infinity, upper: Infinity }).toArray();
    for (const v of wide) expect(Number.isFinite(v)).toBe(true);
  });

  it('randint covers the whole int32 range without overflow', () => {
    const x = randint(key(6), [1000], -(2 ** 31), 2 ** 31).toArray();
    expect(Math.min(...x)).toBeLessThan(-(2 ** 30));
    expect(Math.max(...x)).toBeGreaterThan(2 ** 30);
    expect(randint(key(6), [10], 7, 8).toList()).toEqual(Array(10).fill(7));
  });

  it('bernoulli with p = 0 and p = 1', () => {
    expect(bernoulli(key(1), 0, [100]).toArray().every((v) => v === 0)).toBe(true);
    expect(bernoulli(key(1), 1, [100]).toArray().every((v) => v === 1)).toBe(true);
  });
});

describe('erf helpers', () => {
  it('erf matches known values', () => {
    expect(erf(0)).toBe(0);
    expect(erf(0.5)).toBeCloseTo(0.5204998778130465, 15);
    expect(erf(1)).toBeCloseTo(0.8427007929497149, 15);
    expect(erf(-2)).toBeCloseTo(-0.9953222650189527, 15);
    expect(erf(3.5)).toBeCloseTo(0.9999992569016276, 15);
    expect(erf(Infinity)).toBe(1);
  });

  it('erfinvF32 inverts erf to float32 accuracy', () => {
    for (const y of [-0.999, -0.9, -0.5, -0.1, 0.001, 0.3, 0.7, 0.95, 0.9999]) {
      const x = erfinvF32(Math.fround(y));
      expect(erf(x)).toBeCloseTo(Math.fround(y), 6);
    }
    expect(erfinvF32(1)).toBe(Infinity);
    expect(erfinvF32(-1)).toBe(-Infinity);
  });
});
