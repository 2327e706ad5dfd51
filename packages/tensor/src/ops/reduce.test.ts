import { fc, test } from '@fast-check/vitest';
import { describe, expect, it } from 'vitest';
import { argmax, argmin, max, mean, min, sum, tensor, variance, type Tensor } from '../index.js';
import { seededTensor } from '../testing/conformance.js';

/** Naive reduction: group elements by their multi-index with the reduced axes dropped. */
function naiveReduce(x: Tensor, axes: readonly number[], f: (vals: number[]) => number): number[] {
  const X = x.toArray();
  const groups = new Map<string, number[]>();
  const keys: string[] = [];
  const outShape = x.shape.filter((_, i) => !axes.includes(i));
  // enumerate output keys in row-major order first so empty groups still appear
  let outIdx: number[][] = [[]];
  for (const d of outShape) outIdx = outIdx.flatMap((idx) => Array.from({ length: d }, (_, i) => [...idx, i]));
  for (const idx of outIdx) {
    keys.push(idx.join(','));
    groups.set(idx.join(','), []);
  }
  for (let f2 = 0; f2 < X.length; f2++) {
    const idx: number[] = [];
    let r = f2;
    for (let d = x.rank - 1; d >= 0; d--) {
      idx.unshift(r % x.shape[d]!);
      r = Math.floor(r / x.shape[d]!);
    }
    groups.get(idx.filter((_, i) => !axes.includes(i)).join(','))!.push(X[f2]!);
  }
  return keys.map((k) => f(groups.get(k)!));
}

const arbCase = fc
  .tuple(fc.array(fc.integer({ min: 1, max: 4 }), { maxLength: 4 }), fc.nat(), fc.boolean(), fc.boolean())
  .chain(([shape, seed, keepdims, ties]) =>
    fc.tuple(
      fc.constant(seededTensor(shape, seed, ties ? { min: -2, max: 2, integers: true } : {})),
      fc.subarray([...shape.keys()]),
      fc.constant(keepdims),
    ),
  );

describe('reductions', () => {
  test.prop([arbCase], { numRuns: 150 })('sum and max match the naive grouping over any axes, keepdims or not', ([x, axes, keepdims]) => {
    const s = sum(x, { axes, keepdims });
    const m = max(x, { axes, keepdims });
    const shape = keepdims ? x.shape.map((d, i) => (axes.includes(i) ? 1 : d)) : x.shape.filter((_, i) => !axes.includes(i));
    expect(s.shape).toEqual(shape);
    expect(m.shape).toEqual(shape);
    const want = naiveReduce(x, axes, (v) => v.reduce((a, b) => a + b, 0));
    s.toArray().forEach((v, i) => expect(Math.abs(v - want[i]!)).toBeLessThan(1e-5 * (1 + x.size)));
    expect([...m.toArray()]).toEqual(naiveReduce(x, axes, (v) => Math.max(...v)));
    expect([...min(x, { axes, keepdims }).toArray()]).toEqual(naiveReduce(x, axes, (v) => Math.min(...v)));
  });

  test.prop([arbCase], { numRuns: 100 })('argmax returns the FIRST index of the maximum', ([x]) => {
    if (x.rank === 0) return;
    const axis = x.rank - 1;
    const got = argmax(x, axis);
    expect(got.dtype).toBe('int32');
    const want = naiveReduce(x, [axis], (v) => v.indexOf(Math.max(...v)));
    expect([...got.toArray()]).toEqual(want);
    expect([...argmin(x, axis).toArray()]).toEqual(naiveReduce(x, [axis], (v) => v.indexOf(Math.min(...v))));
  });

  it('argmax ties, negative axes and all-equal rows', () => {
    expect(argmax(tensor([[1, 3, 3], [2, 2, 2], [-1, -5, -1]])).toList()).toEqual([1, 0, 0]);
    expect(argmax(tensor([[1, 3], [3, 1], [3, 3]]), 0).toList()).toEqual([1, 0]);
    expect(argmax(tensor([-Infinity, -Infinity])).toList()).toEqual(0);
    expect(argmin(tensor([4, 1, 1])).toList()).toEqual(1);
  });

  it('int32 min, argmin and argmax are exact at -2^31 and 2^31 - 1 (no negation overflow, no float32 rounding)', () => {
    const i32 = (v: number[]) => tensor(Int32Array.from(v));
    expect(min(i32([5, -(2 ** 31), 2 ** 31 - 1])).toList()).toEqual(-(2 ** 31));
    expect(min(i32([2 ** 31 - 1, 2 ** 31 - 2])).toList()).toEqual(2 ** 31 - 2);
    expect(argmin(i32([5, -(2 ** 31), 2 ** 31 - 1])).toList()).toEqual(1);
    expect(argmin(i32([2 ** 31 - 1, 2 ** 31 - 2])).toList()).toEqual(1);
    // 2^31 − 2 and 2^31 − 1 are one float32; argmax must still tell them apart
    expect(argmax(i32([2 ** 31 - 2, 2 ** 31 - 1, 5])).toList()).toEqual(1);
    expect(max(i32([-(2 ** 31), -(2 ** 31) + 1])).toList()).toEqual(-(2 ** 31) + 1);
  });

  it('argmax and argmin give the first NaN, as NumPy does (never the out-of-range index n)', () => {
    expect(argmax(tensor([1, NaN, 3, NaN])).toList()).toEqual(1);
    expect(argmin(tensor([1, NaN, -3])).toList()).toEqual(1);
  });

  it('mean and population variance; sum over nothing, max of NaN', () => {
    const x = tensor([[1, 2, 3], [4, 5, 6]]);
    expect(mean(x).item()).toBeCloseTo(3.5, 6);
    expect(mean(x, { axes: 0 }).toList()).toEqual([2.5, 3.5, 4.5]);
    expect(variance(tensor([1, 2, 3, 4])).item()).toBeCloseTo(1.25, 6);
    expect(sum(tensor([], [0])).item()).toBe(0);
    expect(Number.isNaN(max(tensor([1, NaN, 3])).item())).toBe(true);
    expect(sum(tensor([1, 2], undefined, { dtype: 'int32' })).dtype).toBe('int32');
  });

  it('errors name the op, the axis and the shape', () => {
    expect(() => sum(seededTensor([2, 3], 1), { axes: 2 })).toThrow(/sum: axes 2 is out of range for a tensor of rank 2 \(valid: -2..1\)/);
    expect(() => sum(seededTensor([2, 3], 1), { axes: [0, -2] })).toThrow(/sum: axes \[0,-2\] repeat an axis/);
    expect(() => max(seededTensor([0, 3], 1), { axes: 0 })).toThrow(/max: cannot reduce the empty axis 0 of \[0, 3\]/);
    expect(() => argmax(seededTensor([2, 3], 1), 5)).toThrow(/argmax: .*5 is out of range for a tensor of rank 2/);
  });
});
