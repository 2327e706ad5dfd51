// One row per reduction, movement and linear-algebra primitive, on random small shapes.
import fc from 'fast-check';
import { describe } from 'vitest';
import {
  broadcastTo, concat, gather, matmul, max, pad, reshape, scatterAdd, slice, sum, tensor, transpose, type SliceSpec, type Tensor,
} from '@ssam/tensor';
import { arbShape, arbTensorOf, row, rowC, runRows } from './arb.test-util.js';

const arbAxes = (rank: number) => fc.subarray([...Array(rank).keys()]);
const reduceCase = (d: 'any' | 'distinct') =>
  arbShape(3, 4, 1).chain((s) => fc.record({ x: arbTensorOf(s, d), c: fc.record({ axes: arbAxes(s.length), keepdims: fc.boolean() }) }));

const arbSlice = arbShape(3, 5, 1).chain((s) =>
  fc.record({
    x: arbTensorOf(s, 'any'),
    c: fc.tuple(
      ...s.map((d) =>
        fc.oneof(
          fc.constant(undefined),
          fc.integer({ min: -d, max: d - 1 }),
          fc.record({ start: fc.integer({ min: -d - 1, max: d }), stop: fc.integer({ min: -d - 1, max: d + 1 }), step: fc.integer({ min: -3, max: 3 }).filter((k) => k !== 0) }),
        ),
      ),
    ),
  }),
);

const arbMatmul = fc
  .record({ m: fc.integer({ min: 1, max: 4 }), k: fc.integer({ min: 1, max: 4 }), n: fc.integer({ min: 1, max: 4 }), ta: fc.boolean(), tb: fc.boolean(), batch: fc.constantFrom<number[][]>([[], []], [[2], [2]], [[2], []], [[], [3]], [[1, 2], [3, 1]]) })
  .chain(({ m, k, n, ta, tb, batch: [ba, bb] }) =>
    fc.record({
      x: fc.tuple(arbTensorOf([...ba!, ...(ta ? [k, m] : [m, k])], 'any'), arbTensorOf([...bb!, ...(tb ? [n, k] : [k, n])], 'any')),
      c: fc.constant({ transposeA: ta, transposeB: tb }),
    }),
  );

describe('VJP rules: reductions, movement, linear algebra', () => {
  runRows([
    rowC('sum (random axes, keepdims)', reduceCase('any'), (x, c) => sum(x, c)),
    rowC('max (random axes, keepdims; distinct values)', reduceCase('distinct'), (x, c) => max(x, c)),
    row('reshape', arbShape(3, 4, 1).chain((s) => arbTensorOf(s)), (x: Tensor) => reshape(x, [...x.shape].reverse())),
    rowC(
      'broadcastTo',
      arbShape(3, 3).chain((s) => fc.record({ x: arbTensorOf(s.map((d, i) => (i % 2 ? 1 : d))), c: fc.constant([2, ...s]) })),
      (x, target) => broadcastTo(x, target),
    ),
    rowC(
      'transpose (random permutation)',
      arbShape(4, 3, 1).chain((s) => fc.record({ x: arbTensorOf(s), c: fc.shuffledSubarray([...s.keys()], { minLength: s.length, maxLength: s.length }) })),
      (x, perm) => transpose(x, perm),
    ),
    rowC('slice (start/stop/negative and strided steps, indices)', arbSlice, (x, specs) => slice(x, specs as (SliceSpec | number | undefined)[]), { runs: 40 }),
    rowC(
      'pad (random pads and value)',
      arbShape(3, 3, 1).chain((s) =>
        fc.record({ x: arbTensorOf(s), c: fc.record({ pads: fc.tuple(...s.map(() => fc.tuple(fc.integer({ min: 0, max: 2 }), fc.integer({ min: 0, max: 2 })))), value: fc.double({ min: -1, max: 1, noNaN: true }) }) }),
      ),
      (x, { pads, value }) => pad(x, pads as [number, number][], value),
    ),
    rowC(
      'concat (2–3 inputs, random axis)',
      arbShape(3, 3, 1).chain((s) =>
        fc.integer({ min: 0, max: s.length - 1 }).chain((axis) =>
          fc.record({
            x: fc.array(fc.integer({ min: 1, max: 3 }).chain((d) => arbTensorOf(s.map((v, i) => (i === axis ? d : v)))), { minLength: 2, maxLength: 3 }),
            c: fc.constant(axis),
          }),
        ),
      ),
      (xs, axis) => concat(xs, axis),
    ),
    rowC(
      'gather (repeated indices)',
      arbShape(3, 3, 1).chain((s) =>
        fc.integer({ min: 0, max: s.length - 1 }).chain((axis) =>
          fc.record({ x: arbTensorOf(s), c: fc.record({ idx: fc.array(fc.integer({ min: 0, max: s[axis]! - 1 }), { minLength: 1, maxLength: 5 }), axis: fc.constant(axis) }) }),
        ),
      ),
      (x, { idx, axis }) => gather(x, tensor(idx, [idx.length], { dtype: 'int32' }), axis),
    ),
    rowC(
      'scatterAdd (repeated indices)',
      fc.record({ pre: fc.integer({ min: 1, max: 3 }), k: fc.integer({ min: 1, max: 4 }), post: fc.integer({ min: 1, max: 3 }), size: fc.integer({ min: 1, max: 4 }) }).chain(({ pre, k, post, size }) =>
        fc.record({ x: arbTensorOf([pre, k, post]), c: fc.record({ idx: fc.array(fc.integer({ min: 0, max: size - 1 }), { minLength: k, maxLength: k }), size: fc.constant(size) }) }),
      ),
      (u, { idx, size }) => scatterAdd(u, tensor(idx, [idx.length], { dtype: 'int32' }), 1, size),
    ),
    rowC('matmul (transposes, broadcast batch dimensions)', arbMatmul, ([a, b], opts) => matmul(a, b, opts)),
  ]);
});
