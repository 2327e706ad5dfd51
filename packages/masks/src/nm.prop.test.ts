import { describe, expect, it } from 'vitest';
import { fc, test } from '@fast-check/vitest';
import { tensor, type Tensor } from '@ssam/tensor';
import { nmMask } from './nm.js';
import { countOnes } from './mask.js';
import { arbScore, arbTensorOf, referenceTopK } from '../test/arb.js';

type Nested = number | Nested[];
const at = (t: Nested, idx: readonly number[]): number => idx.reduce<Nested>((a, i) => (a as Nested[])[i]!, t) as number;

/** Every multi-index of `shape` with axis `ax` fixed to 0, in row-major order. */
function* starts(shape: readonly number[], ax: number): Generator<number[]> {
  const idx = shape.map(() => 0);
  const total = shape.reduce((a, b, i) => (i === ax ? a : a * b), 1);
  for (let c = 0; c < total; c++) {
    yield [...idx];
    for (let d = shape.length - 1; d >= 0; d--) {
      if (d === ax) continue;
      if (++idx[d]! < shape[d]!) break;
      idx[d] = 0;
    }
  }
}

/** Checks the N:M law group by group, reading entries by explicit multi-index (no strides). */
function expectNMLaw(scores: Tensor, mask: Tensor, n: number, m: number, ax: number): void {
  const s = scores.toList() as Nested;
  const k = mask.toList() as Nested;
  for (const base of starts(scores.shape, ax)) {
    for (let g = 0; g < scores.shape[ax]! / m; g++) {
      const idx = (j: number) => base.map((v, d) => (d === ax ? g * m + j : v));
      const vals = Array.from({ length: m }, (_, j) => at(s, idx(j)));
      const kept = Array.from({ length: m }, (_, j) => at(k, idx(j)));
      expect(kept.reduce((a, b) => a + b, 0)).toBe(n);
      const want = referenceTopK(vals, n);
      kept.forEach((v, j) => expect(v).toBe(want.has(j) ? 1 : 0));
    }
  }
}

const arbNM = fc.integer({ min: 1, max: 4 }).chain((m) => fc.tuple(fc.constant(m), fc.integer({ min: 0, max: m })));
const dim = fc.integer({ min: 1, max: 3 });

const arbCase = (rank: 2 | 4) =>
  fc.tuple(arbNM, fc.constantFrom('in' as const, 'out' as const), fc.integer({ min: 1, max: 3 }), fc.array(dim, { minLength: rank - 1, maxLength: rank - 1 })).chain(([[m, n], axis, groups, rest]) => {
    const ax = axis === 'out' ? 0 : 1;
    const shape = [...rest];
    shape.splice(ax, 0, m * groups);
    return fc.record({ m: fc.constant(m), n: fc.constant(n), axis: fc.constant(axis), ax: fc.constant(ax), scores: arbTensorOf(shape) });
  });

describe('nmMask', () => {
  test.prop([arbCase(2)], { numRuns: 120 })('dense [out, in]: n kept per group of m along the axis, the top-n of the group', ({ m, n, axis, ax, scores }) => {
    const mask = nmMask({ w: scores }, { n, m, axis }) as { w: Tensor };
    expectNMLaw(scores, mask.w, n, m, ax);
    expect(countOnes(mask)).toBe((scores.size / m) * n);
  });

  test.prop([arbCase(4)], { numRuns: 120 })('conv [cOut, cIn, kH, kW]: n kept per group of m along the axis, the top-n of the group', ({ m, n, axis, ax, scores }) => {
    const mask = nmMask({ w: scores }, { n, m, axis }) as { w: Tensor };
    expectNMLaw(scores, mask.w, n, m, ax);
  });

  test.prop([fc.integer({ min: 1, max: 6 }).chain((len) => arbTensorOf([len * 2], arbScore))], { numRuns: 40 })('1-D tensors: kept by default, excluded or grouped on request', (v) => {
    expect(Array.from((nmMask([v], { n: 1, m: 2 }) as Tensor[])[0]!.toArray()).every((x) => x === 1)).toBe(true);
    expect(countOnes(nmMask([v], { n: 1, m: 2, vectors: 'exclude' }))).toBe(0);
    expectNMLaw(v, (nmMask([v], { n: 1, m: 2, vectors: 'nm' }) as Tensor[])[0]!, 1, 2, 0);
  });

  it("keeps the top-n of each cIn group of a conv weight (the reference's reshape-without-transpose scrambles it)", () => {
    // w[0, i, 0, k]: along cIn the group at k = 0 is [4, 3, 2, 1] and at k = 1 is [1, 2, 3, 4].
    const w = tensor([[[[4, 1]], [[3, 2]], [[2, 3]], [[1, 4]]]]);
    const ours = (nmMask({ w }, { n: 2, m: 4, axis: 'in' }) as { w: Tensor }).w;
    expect(ours.toList()).toEqual([[[[1, 0]], [[1, 0]], [[0, 1]], [[0, 1]]]]);
    // The reference: permute to [cOut, kH, kW, cIn], keep the top-2 of each row of 4, then reshape
    // straight back to [cOut, cIn, kH, kW] without the inverse permutation.
    const v = w.toArray();
    const permuted = [0, 1].map((k) => [0, 1, 2, 3].map((i) => v[i * 2 + k]!));
    const rows = permuted.map((row) => {
      const keep = referenceTopK(row, 2);
      return row.map((_, j) => (keep.has(j) ? 1 : 0));
    });
    const scrambled = tensor(rows.flat(), [1, 4, 1, 2]);
    expect(scrambled.toList()).not.toEqual(ours.toList());
    expect(() => expectNMLaw(w, scrambled, 2, 4, 1)).toThrow();
  });

  it('raises a clear error when the dimension is not divisible by m, and validates n, m, axis', () => {
    const w = tensor(new Float32Array(2 * 6 * 3 * 3), [2, 6, 3, 3]);
    expect(() => nmMask({ conv: w }, { n: 2, m: 4 })).toThrow(/nmMask: 'conv' has shape \[2, 6, 3, 3\]: its axis 'in' \(dim 1\) of 6 is not divisible by m = 4\. Choose m dividing 6/);
    expect(() => nmMask({ conv: w }, { n: 2, m: 4, axis: 'out' })).toThrow(/axis 'out' \(dim 0\) of 2 is not divisible by m = 4/);
    expect(() => nmMask({ conv: w }, { n: 3, m: 2 })).toThrow(/nmMask: n must be ≤ m/);
    expect(() => nmMask({ conv: w }, { n: 1, m: 0 })).toThrow(/nmMask: m must be an integer ≥ 1; got 0/);
    expect(() => nmMask({ conv: w }, { n: 1, m: 2, axis: 'rows' as never })).toThrow(/axis must be one of 'in', 'out'/);
    expect(countOnes(nmMask({ conv: w }, { n: 2, m: 4, exclude: () => true }))).toBe(0);
  });
});
