import { fc, test } from '@fast-check/vitest';
import { describe, expect, it } from 'vitest';
import {
  abs, add, addcmul, broadcastShapes, broadcastTo, div, equal, exp, greater, greaterEqual, less, lessEqual, log, maximum, minimum, mul, neg,
  notEqual, pow, referenceBackend, scalar, sign, sqrt, sub, tensor, where, withBackend, type Tensor,
} from '../index.js';
import { seededTensor } from '../testing/conformance.js';

/** n tensors whose shapes broadcast: axes of a common shape; each may set axes to 1 or drop leading axes. */
const arbBroadcast = (n: number) =>
  fc
    .array(fc.tuple(fc.integer({ min: 1, max: 4 }), fc.array(fc.boolean(), { minLength: n, maxLength: n })), { maxLength: 4 })
    .chain((axes) => fc.tuple(fc.constant(axes), fc.array(fc.nat(axes.length), { minLength: n, maxLength: n }), fc.nat()))
    .map(([axes, drops, seed]) => drops.map((drop, k) => seededTensor(axes.map(([d, ones]) => (ones[k] ? 1 : d)).slice(drop), seed + k)));
const arbBroadcastPair = arbBroadcast(2).map(([a, b]) => ({ a: a!, b: b! }));

/** Naive broadcasting: the source element of `x` for output multi-index `idx`. */
function at(x: Tensor, idx: readonly number[]): number {
  const X = x.toArray();
  let flat = 0;
  x.shape.forEach((d, i) => (flat = flat * d + (d === 1 ? 0 : idx[idx.length - x.rank + i]!)));
  return X[flat]!;
}
function* indices(shape: readonly number[]): Generator<number[]> {
  const n = shape.reduce((a, b) => a * b, 1);
  for (let f = 0; f < n; f++) {
    const idx: number[] = [];
    let r = f;
    for (let d = shape.length - 1; d >= 0; d--) {
      idx.unshift(r % shape[d]!);
      r = Math.floor(r / shape[d]!);
    }
    yield idx;
  }
}
const bits = (t: Tensor) => [...t.toArray()];

describe('broadcasting laws', () => {
  test.prop([arbBroadcastPair], { numRuns: 150 })('add and mul commute under broadcasting', ({ a, b }) => {
    expect(bits(add(a, b))).toEqual(bits(add(b, a)));
    expect(bits(mul(a, b))).toEqual(bits(mul(b, a)));
    expect(add(a, b).shape).toEqual(add(b, a).shape);
  });

  test.prop([arbBroadcastPair], { numRuns: 150 })('broadcasting equals explicit broadcastTo', ({ a, b }) => {
    const s = broadcastShapes('test', a.shape, b.shape);
    for (const f of [add, sub, mul, maximum, minimum, less]) expect(bits(f(a, b))).toEqual(bits(f(broadcastTo(a, s), broadcastTo(b, s))));
  });

  test.prop([arbBroadcastPair], { numRuns: 100 })('broadcastTo picks the naive source element', ({ a, b }) => {
    const s = broadcastShapes('test', a.shape, b.shape);
    const y = broadcastTo(a, s).toArray();
    let i = 0;
    for (const idx of indices(s)) expect(y[i++]).toBe(at(a, idx));
  });

  test.prop([arbBroadcast(3)], { numRuns: 100 })('where broadcasts all three operands', ([c, a, b]) => {
    const cond = greater(c!, 0);
    const s = broadcastShapes('test', cond.shape, a!.shape, b!.shape);
    const y = where(cond, a!, b!).toArray();
    let i = 0;
    for (const idx of indices(s)) expect(y[i++]).toBe(at(cond, idx) !== 0 ? at(a!, idx) : at(b!, idx));
  });

  test.prop([arbBroadcastPair], { numRuns: 100 })('sub(a, b) = −sub(b, a) and a − b = a + (−b)', ({ a, b }) => {
    expect(bits(sub(a, b))).toEqual(bits(neg(sub(b, a))));
    expect(bits(sub(a, b))).toEqual(bits(add(a, neg(b))));
  });
});

describe('elementwise values', () => {
  const xs = [0, -0, 1, -1, 2.5, -2.5, 1e-30, 100, -100, Infinity, -Infinity, NaN];
  const x = tensor(xs);
  const f32 = (v: number) => Math.fround(v);
  const same = (t: Tensor, f: (v: number) => number, from = xs) => expect(bits(t)).toEqual(from.map((v) => f32(f(f32(v)))));

  it('unary primitives follow Math on special values', () => {
    same(neg(x), (v) => -v);
    same(abs(x), Math.abs);
    same(sign(x), (v) => (v > 0 ? 1 : v < 0 ? -1 : v));
    same(exp(x), Math.exp);
    same(log(x), Math.log);
    same(sqrt(x), Math.sqrt);
  });

  it('binary primitives follow IEEE and NumPy on special values', () => {
    const a = [0, 1, -1, 0, Infinity, NaN, 2, -8, 3];
    const b = [0, 0, 0, -0, Infinity, 1, NaN, 1 / 3, -Infinity];
    const [ta, tb] = [tensor(a), tensor(b)];
    // NOTE: the sign of a zero result from maximum/minimum of ±0 is not specified; compare 0 == −0.
    const z = (v: number) => (v === 0 ? 0 : v);
    const pair = (f: (x: number, y: number) => number) => a.map((v, i) => z(f32(f(f32(v), f32(b[i]!)))));
    const bits = (t: Tensor) => [...t.toArray()].map(z);
    expect(bits(div(ta, tb))).toEqual(pair((p, q) => p / q));
    expect(bits(pow(ta, tb))).toEqual(pair(Math.pow));
    // NaN propagates through maximum/minimum, in either position
    expect(bits(maximum(ta, tb))).toEqual(pair((p, q) => (p !== p || q !== q ? NaN : Math.max(p, q))));
    expect(bits(minimum(ta, tb))).toEqual(pair((p, q) => (p !== p || q !== q ? NaN : Math.min(p, q))));
  });

  it('comparisons return float32 0/1, NaN compares unequal', () => {
    const a = tensor([1, 2, NaN, 3]), b = tensor([1, 3, NaN, 2]);
    expect(equal(a, b).dtype).toBe('float32');
    expect(bits(equal(a, b))).toEqual([1, 0, 0, 0]);
    expect(bits(notEqual(a, b))).toEqual([0, 1, 1, 1]);
    expect(bits(less(a, b))).toEqual([0, 1, 0, 0]);
    expect(bits(lessEqual(a, b))).toEqual([1, 1, 0, 0]);
    expect(bits(greater(a, b))).toEqual([0, 0, 0, 1]);
    expect(bits(greaterEqual(a, b))).toEqual([1, 0, 0, 1]);
  });

  it('int32 arithmetic stays int32 and numbers adopt the tensor dtype', () => {
    const i = tensor([1, -2, 3], undefined, { dtype: 'int32' });
    const y = add(mul(i, 3), 1);
    expect(y.dtype).toBe('int32');
    expect(y.toList()).toEqual([4, -5, 10]);
    expect(add(2, tensor([1.5])).toList()).toEqual([3.5]);
  });

  it('errors name the op, the shapes and suggest a fix', () => {
    expect(() => add(seededTensor([2, 3], 1), seededTensor([4], 1))).toThrow(
      /add: shapes \[2, 3\] and \[4\] do not broadcast: dimension -1 is 3 vs 4; insert a size-1 axis/,
    );
    expect(() => mul(tensor([1]), tensor([1], undefined, { dtype: 'int32' }))).toThrow(/mul: dtypes differ: a is float32 \[1\], b is int32 \[1\]; cast one/);
    expect(() => exp(tensor([1], undefined, { dtype: 'int32' }))).toThrow(/exp: x must be float32, got int32; use cast\(x, 'float32'\)/);
    expect(() => where(seededTensor([3], 1), seededTensor([2], 1), 0)).toThrow(/where: shapes \[3\] and \[2\] and \[\] do not broadcast/);
    expect(() => broadcastTo(seededTensor([3, 2], 1), [3, 1])).toThrow(/broadcastTo: x \[3, 2\] cannot broadcast to \[3, 1\]/);
  });
});

describe('addcmul', () => {
  // The wasm backend is the default one here; the reference backend is the definition.
  const backends = [['default', <T>(f: () => T) => f()], ['reference', <T>(f: () => T) => withBackend(referenceBackend, f)]] as const;
  for (const [name, on] of backends)
    test.prop([arbBroadcast(3), fc.double({ min: -4, max: 4, noNaN: true })])(`${name}: bit-identical to add(x, mul(mul(a, b), value))`, ([x, a, b], value) => {
      const fused = on(() => addcmul(x!, a!, b!, value));
      const composed = on(() => add(x!, mul(mul(a!, b!), value)));
      expect(fused.shape).toEqual(composed.shape);
      expect(Array.from(fused.toArray())).toEqual(Array.from(composed.toArray()));
    });

  it('is bit-identical on a long vector (the SIMD body and the scalar tail)', () => {
    const n = 4099;
    const x = seededTensor([n], 1), a = seededTensor([n], 2), m = greater(seededTensor([n], 3), 0);
    for (const [x_, a_, b_] of [[x, a, m], [scalar(0), m, a], [x, a, scalar(1)]] as const) {
      const fused = addcmul(x_, a_, b_, 0.0371).toArray();
      const ref = withBackend(referenceBackend, () => addcmul(x_, a_, b_, 0.0371)).toArray();
      const composed = add(x_, mul(mul(a_, b_), 0.0371)).toArray();
      expect(Array.from(fused)).toEqual(Array.from(composed));
      expect(Array.from(ref)).toEqual(Array.from(composed));
    }
  });

  it('takes numbers for any operand and defaults value to 1', () => {
    expect(Array.from(addcmul(tensor([1, 2]), 3, tensor([10, 20])).toArray())).toEqual([31, 62]);
    expect(Array.from(addcmul(1, tensor([2, 3]), 2, 0.5).toArray())).toEqual([3, 4]);
  });

  it('names the operation, the argument and the shapes in its errors', () => {
    expect(() => addcmul(tensor([1, 2, 3]), tensor([1, 2]), 1)).toThrow(/addcmul.*\[3\].*\[2\]/);
    expect(() => addcmul(tensor([1], [1], { dtype: 'int32' }), 1, 1)).toThrow(/addcmul: x must be float32, got int32/);
    expect(() => addcmul(tensor([1]), 1, 1, Number.NaN)).toThrow(/addcmul: value must be a number that is finite in float32.*got NaN/);
    expect(() => addcmul(tensor([1]), 1, 1, 1e39)).toThrow(/addcmul: value must be a number that is finite in float32.*got 1e\+39/);
    // a number operand is a float32 scalar, so the error names the int32 tensor
    expect(() => addcmul(1, tensor([1], [1], { dtype: 'int32' }), tensor([2]))).toThrow(/addcmul: a must be float32, got int32/);
  });
});
