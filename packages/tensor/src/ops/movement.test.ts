import { fc, test } from '@fast-check/vitest';
import { describe, expect, it } from 'vitest';
import {
  cast, concat, expandDims, flatten, gather, pad, reshape, scatterAdd, slice, squeeze, stack, tensor, transpose, type SliceSpec, type Tensor,
} from '../index.js';
import { seededTensor } from '../testing/conformance.js';

const arbShape = fc.array(fc.integer({ min: 0, max: 4 }), { maxLength: 4 });
const arbTensor = fc.tuple(arbShape, fc.nat()).map(([s, seed]) => seededTensor(s, seed));
const arbNonEmpty = fc.tuple(fc.array(fc.integer({ min: 1, max: 4 }), { minLength: 1, maxLength: 4 }), fc.nat()).map(([s, seed]) => seededTensor(s, seed));
const bits = (t: Tensor) => [...t.toArray()];
const strides = (shape: readonly number[]) => shape.map((_, i) => shape.slice(i + 1).reduce((a, b) => a * b, 1));

/** Every multi-index of `shape` in row-major order. */
function indices(shape: readonly number[]): number[][] {
  let out: number[][] = [[]];
  for (const d of shape) out = out.flatMap((idx) => Array.from({ length: d }, (_, i) => [...idx, i]));
  return out;
}

/** CPython's slice.indices(d), written independently of the op. */
function pyRange(d: number, s: SliceSpec): number[] {
  const step = s.step ?? 1;
  const [lower, upper] = step > 0 ? [0, d] : [-1, d - 1];
  const fix = (v: number | undefined, dflt: number) => {
    if (v === undefined) return dflt;
    const w = v < 0 ? v + d : v;
    return w < lower ? lower : w > upper ? upper : w;
  };
  const start = fix(s.start, step > 0 ? lower : upper);
  const stop = fix(s.stop, step > 0 ? upper : lower);
  const out: number[] = [];
  for (let i = start; step > 0 ? i < stop : i > stop; i += step) out.push(i);
  return out;
}

describe('reshape and transpose', () => {
  test.prop([arbTensor], { numRuns: 100 })('reshape round trips and keeps row-major order', (x) => {
    const flat = reshape(x, [x.size]);
    expect(bits(flat)).toEqual(bits(x));
    expect(reshape(flat, x.shape).shape).toEqual(x.shape);
    expect(bits(reshape(flat, x.shape))).toEqual(bits(x));
    if (x.size > 0 && x.rank > 0) expect(reshape(x, [-1, ...x.shape.slice(1)]).shape).toEqual(x.shape);
  });

  test.prop([arbTensor.chain((x) => fc.tuple(fc.constant(x), fc.shuffledSubarray([...x.shape.keys()], { minLength: x.rank, maxLength: x.rank })))], {
    numRuns: 150,
  })('transpose by perm then by the inverse perm is the identity, and moves elements as the index map says', ([x, perm]) => {
    const inv = perm.map((_, i) => perm.indexOf(i));
    const y = transpose(x, perm);
    expect(y.shape).toEqual(perm.map((p) => x.shape[p]));
    expect(transpose(y, inv).shape).toEqual(x.shape);
    expect(bits(transpose(y, inv))).toEqual(bits(x));
    // y[i] = x[j] with j[perm[k]] = i[k]
    const X = x.toArray(), Y = y.toArray(), st = strides(x.shape);
    indices(y.shape).forEach((i, flat) => {
      const src = i.reduce((acc, v, k) => acc + v * st[perm[k]!]!, 0);
      expect(Y[flat]).toBe(X[src]);
    });
  });

  it('flatten, expandDims, squeeze and the default reversed transpose', () => {
    const x = seededTensor([2, 1, 3], 1);
    expect(flatten(x).shape).toEqual([2, 3]);
    expect(expandDims(x, -1).shape).toEqual([2, 1, 3, 1]);
    expect(squeeze(x).shape).toEqual([2, 3]);
    expect(transpose(x).shape).toEqual([3, 1, 2]);
  });
});

describe('slice', () => {
  const arbSpec = (d: number) =>
    fc.oneof(
      fc.constant(undefined),
      // an integer index keeps the axis with size 1 (only for non-empty axes)
      d > 0 ? fc.integer({ min: -d, max: d - 1 }) : fc.constant(undefined),
      fc.record({
        start: fc.option(fc.integer({ min: -d - 2, max: d + 2 }), { nil: undefined }),
        stop: fc.option(fc.integer({ min: -d - 2, max: d + 2 }), { nil: undefined }),
        step: fc.option(fc.integer({ min: -4, max: 4 }).filter((s) => s !== 0), { nil: undefined }),
      }),
    );
  const arbCase = arbTensor.chain((x) => fc.tuple(fc.constant(x), fc.tuple(...x.shape.map(arbSpec))));

  test.prop([arbCase], { numRuns: 200 })('matches a naive index computation, including negative steps', ([x, specs]) => {
    const ranges = x.shape.map((d, i) => {
      const s = specs[i];
      return typeof s === 'number' ? [s < 0 ? s + d : s] : pyRange(d, s ?? {});
    });
    const y = slice(x, specs);
    expect(y.shape).toEqual(ranges.map((r) => r.length));
    const X = x.toArray(), st = strides(x.shape);
    const want = indices(ranges.map((r) => r.length)).map((i) => X[i.reduce((acc, v, k) => acc + ranges[k]![v]! * st[k]!, 0)]);
    expect(bits(y)).toEqual(want);
  });

  it('errors name the op, the axis and the shape', () => {
    const x = seededTensor([3, 4], 1);
    expect(() => slice(x, [{ step: 0 }])).toThrow(/slice: step must be a non-zero integer on axis 0, got 0/);
    expect(() => slice(x, [undefined, 4])).toThrow(/slice: index 4 is out of range for axis 1 of size 4 in x \[3, 4\]/);
    expect(() => slice(x, [1, 1, 1])).toThrow(/slice: 3 slice specs for x of rank 2 \[3, 4\]/);
  });
});

describe('pad and concat', () => {
  const arbPads = (x: Tensor) => fc.tuple(...x.shape.map(() => fc.tuple(fc.nat(2), fc.nat(2))));

  test.prop([arbTensor.chain((x) => fc.tuple(fc.constant(x), arbPads(x), fc.integer({ min: -3, max: 3 })))], { numRuns: 100 })(
    'pad puts x at offset `before` in a tensor filled with the value',
    ([x, pads, value]) => {
      const y = pad(x, pads, value);
      const shape = x.shape.map((d, i) => d + pads[i]![0] + pads[i]![1]);
      expect(y.shape).toEqual(shape);
      const X = x.toArray(), st = strides(x.shape);
      const want = indices(shape).map((i) => {
        const j = i.map((v, k) => v - pads[k]![0]);
        return j.every((v, k) => v >= 0 && v < x.shape[k]!) ? X[j.reduce((a, v, k) => a + v * st[k]!, 0)] : value;
      });
      expect(bits(y)).toEqual(want);
      // slicing the padding off gives x back
      expect(bits(slice(y, pads.map(([b], i) => ({ start: b, stop: b + x.shape[i]! }))))).toEqual(bits(x));
    },
  );

  test.prop([arbNonEmpty.chain((x) => fc.tuple(fc.constant(x), fc.nat(x.rank - 1), fc.array(fc.nat(3), { minLength: 1, maxLength: 3 })))], {
    numRuns: 100,
  })('concat then slicing each part out gives the parts back', ([x, axis, sizes]) => {
    const parts = sizes.map((n, i) => seededTensor(x.shape.map((d, k) => (k === axis ? n : d)), i + 7));
    const y = concat(parts, axis);
    let at = 0;
    for (const p of parts) {
      const spec = x.shape.map((_, k) => (k === axis ? { start: at, stop: at + p.shape[axis]! } : undefined));
      expect(bits(slice(y, spec))).toEqual(bits(p));
      at += p.shape[axis]!;
    }
    expect(y.shape[axis]).toBe(at);
  });

  it('stack adds an axis; errors name the mismatch', () => {
    expect(stack([tensor([1, 2]), tensor([3, 4])], 1).toList()).toEqual([[1, 3], [2, 4]]);
    expect(() => concat([seededTensor([2, 3], 1), seededTensor([3, 3], 1)], 1)).toThrow(/concat: tensor 1 \[3, 3\] does not match tensor 0 \[2, 3\] outside axis 1/);
    expect(() => pad(seededTensor([2], 1), [[-1, 0]])).toThrow(/pad: pads must be non-negative integers/);
  });
});

describe('gather and scatterAdd', () => {
  const arbGather = arbNonEmpty.chain((x) =>
    fc.tuple(
      fc.constant(x),
      fc.nat(x.rank - 1).chain((axis) =>
        fc.tuple(fc.constant(axis), fc.array(fc.nat(x.shape[axis]! - 1), { maxLength: 6 }), fc.boolean(), fc.nat()),
      ),
    ),
  );

  test.prop([arbGather], { numRuns: 150 })('scatterAdd is the adjoint of gather: ⟨gather(x, i), y⟩ = ⟨x, scatterAdd(y, i)⟩', ([x, [axis, idx, twoD, seed]]) => {
    const ishape = twoD && idx.length % 2 === 0 ? [2, idx.length / 2] : [idx.length];
    const i = tensor(idx, ishape, { dtype: 'int32' });
    const g = gather(x, i, axis);
    expect(g.shape).toEqual([...x.shape.slice(0, axis), ...ishape, ...x.shape.slice(axis + 1)]);
    const y = seededTensor(g.shape, seed);
    const s = scatterAdd(y, i, axis, x.shape[axis]!);
    expect(s.shape).toEqual(x.shape);
    const ip = (a: Tensor, b: Tensor) => { const B = b.toArray(); return Array.from(a.toArray()).reduce((acc, v, k) => acc + v * B[k]!, 0); };
    expect(Math.abs(ip(g, y) - ip(x, s))).toBeLessThan(1e-5 * (1 + g.size));
  });

  test.prop([arbGather], { numRuns: 100 })('gather picks x at the index along the axis', ([x, [axis, idx]]) => {
    const g = gather(x, tensor(idx, [idx.length], { dtype: 'int32' }), axis);
    const X = x.toArray(), st = strides(x.shape);
    const want = indices(g.shape).map((j) => X[j.reduce((a, v, k) => a + (k === axis ? idx[v]! : v) * st[k]!, 0)]);
    expect(bits(g)).toEqual(want);
  });

  it('errors name the op, the bad index and the dtype', () => {
    const x = seededTensor([3, 2], 1);
    expect(() => gather(x, tensor([0, 3], undefined, { dtype: 'int32' }))).toThrow(/gather: index 3 at position 1 is out of range \[0, 3\)/);
    expect(() => gather(x, tensor([0]))).toThrow(/gather: indices must be int32, got float32; cast\(indices, 'int32'\)/);
    expect(() => scatterAdd(seededTensor([2, 2], 1), tensor([0, 1, 1], undefined, { dtype: 'int32' }), 0, 3)).toThrow(
      /scatterAdd: updates \[2, 2\] at axis 0 should hold the indices shape \[3\]/,
    );
  });
});

describe('cast', () => {
  it('truncates toward zero and round trips integers', () => {
    expect(cast(tensor([-2.7, -0.5, 0.5, 2.9]), 'int32').toList()).toEqual([-2, 0, 0, 2]);
    const i = tensor([-7, 0, 123456], undefined, { dtype: 'int32' });
    expect(cast(cast(i, 'float32'), 'int32').toList()).toEqual([-7, 0, 123456]);
    expect(() => cast(i, 'float64' as never)).toThrow(/cast: dtype must be 'float32' or 'int32', got float64/);
  });
});
