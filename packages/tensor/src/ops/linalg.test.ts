import { fc, test } from '@fast-check/vitest';
import { describe, expect, it } from 'vitest';
import { matmul, tensor, vdot, type Tensor } from '../index.js';
import { seededTensor } from '../testing/conformance.js';

/** The definition: C[i, j] = Σ_p A[i, p] · B[p, j] in float64, on [m, k] and [k, n] offsets. */
function naive(A: ArrayLike<number>, aOff: number, ta: boolean, B: ArrayLike<number>, bOff: number, tb: boolean, m: number, k: number, n: number): number[] {
  const out: number[] = [];
  for (let i = 0; i < m; i++)
    for (let j = 0; j < n; j++) {
      let s = 0;
      for (let p = 0; p < k; p++) s += A[aOff + (ta ? p * m + i : i * k + p)]! * B[bOff + (tb ? j * k + p : p * n + j)]!;
      out.push(s);
    }
  return out;
}

const near = (got: Tensor, want: readonly number[], k: number) => {
  const g = got.toArray();
  expect(g.length).toBe(want.length);
  for (let i = 0; i < g.length; i++) expect(Math.abs(g[i]! - want[i]!)).toBeLessThan(1e-6 * (1 + k));
};

const dim = fc.integer({ min: 1, max: 6 });

describe('matmul', () => {
  test.prop([dim, dim, dim, fc.boolean(), fc.boolean(), fc.nat()], { numRuns: 100 })(
    'matches the naive triple loop, either operand transposed',
    (m, k, n, ta, tb, seed) => {
      const a = seededTensor(ta ? [k, m] : [m, k], seed);
      const b = seededTensor(tb ? [n, k] : [k, n], seed + 1);
      const c = matmul(a, b, { transposeA: ta, transposeB: tb });
      expect(c.shape).toEqual([m, n]);
      near(c, naive(a.toArray(), 0, ta, b.toArray(), 0, tb, m, k, n), k);
    },
  );

  // Batch shapes that broadcast: each axis is d, or 1 on one side, or missing on the shorter side.
  const arbBatch = fc.array(fc.tuple(fc.integer({ min: 1, max: 3 }), fc.constantFrom('both', 'a1', 'b1')), { maxLength: 3 }).chain((axes) =>
    fc.tuple(fc.constant(axes), fc.nat(axes.length), fc.boolean()).map(([ax, drop, dropA]) => {
      const a = ax.map(([d, w]) => (w === 'a1' ? 1 : d));
      const b = ax.map(([d, w]) => (w === 'b1' ? 1 : d));
      const [fa, fb] = dropA ? [a.slice(drop), b] : [a, b.slice(drop)];
      const at = (s: number[], i: number) => s[s.length - ax.length + i] ?? 1;
      return { a: fa, b: fb, out: ax.map((_, i) => Math.max(at(fa, i), at(fb, i))) };
    }),
  );

  test.prop([arbBatch, dim, dim, dim, fc.boolean(), fc.boolean(), fc.nat()], { numRuns: 100 })(
    'batched with broadcast batch dimensions equals the loop over batches',
    (batch, m, k, n, ta, tb, seed) => {
      const a = seededTensor([...batch.a, ...(ta ? [k, m] : [m, k])], seed);
      const b = seededTensor([...batch.b, ...(tb ? [n, k] : [k, n])], seed + 1);
      const c = matmul(a, b, { transposeA: ta, transposeB: tb });
      expect(c.shape).toEqual([...batch.out, m, n]);
      // Walk the output batch; map each index to the operands' (broadcast) batch indices.
      const want: number[] = [];
      const nb = batch.out.reduce((x, y) => x * y, 1);
      const flatIndex = (shape: readonly number[], idx: readonly number[]) =>
        shape.reduce((acc, d, i) => acc * d + (d === 1 ? 0 : idx[idx.length - shape.length + i]!), 0);
      for (let bi = 0; bi < nb; bi++) {
        const idx: number[] = [];
        let r = bi;
        for (let d = batch.out.length - 1; d >= 0; d--) {
          idx.unshift(r % batch.out[d]!);
          r = Math.floor(r / batch.out[d]!);
        }
        want.push(...naive(a.toArray(), flatIndex(batch.a, idx) * m * k, ta, b.toArray(), flatIndex(batch.b, idx) * k * n, tb, m, k, n));
      }
      near(c, want, k);
    },
  );

  test.prop([dim, dim, dim, dim, fc.nat()], { numRuns: 100 })('is associative within tolerance: (AB)C ≈ A(BC)', (m, k, l, n, seed) => {
    const a = seededTensor([m, k], seed), b = seededTensor([k, l], seed + 1), c = seededTensor([l, n], seed + 2);
    const left = matmul(matmul(a, b), c).toArray();
    const right = matmul(a, matmul(b, c)).toArray();
    for (let i = 0; i < left.length; i++) expect(Math.abs(left[i]! - right[i]!)).toBeLessThan(1e-5 * (1 + k * l));
  });

  it('follows NumPy rank-1 rules', () => {
    const v = tensor([1, 2, 3]);
    const M = tensor([[1, 0], [0, 1], [1, 1]]);
    expect(matmul(v, M).toList()).toEqual([4, 5]);
    expect(matmul(tensor([[1, 2, 3]]), v).toList()).toEqual([14]);
    expect(matmul(v, v).shape).toEqual([]);
    expect(matmul(v, v).item()).toBe(14);
    expect(matmul(tensor([[1, 2], [3, 4]]), M, { transposeB: true }).toList()).toEqual([[1, 2, 3], [3, 4, 7]]);
    expect(vdot(tensor([[1, 2], [3, 4]]), tensor([[1, 1], [1, 1]])).item()).toBe(10);
  });

  it('multiplies empty inner and batch dimensions', () => {
    expect(matmul(seededTensor([3, 0], 1), seededTensor([0, 2], 1)).toList()).toEqual([[0, 0], [0, 0], [0, 0]]);
    expect(matmul(seededTensor([0, 2, 3], 1), seededTensor([3, 4], 1)).shape).toEqual([0, 2, 4]);
  });

  it('errors name the op, both shapes and suggest the fix', () => {
    expect(() => matmul(seededTensor([32, 784], 1), seededTensor([128, 784], 1))).toThrow(
      /matmul: inner dimensions differ: a is \[32, 784\], b is \[128, 784\] \(784 vs 128\); did you mean b transposed \(transposeB: true\)\?/,
    );
    expect(() => matmul(seededTensor([5, 3], 1), seededTensor([5, 2], 1))).toThrow(/did you mean a transposed/);
    expect(() => matmul(seededTensor([2, 3, 4], 1), seededTensor([3, 4, 5], 1))).toThrow(/matmul: shapes \[2\] and \[3\] do not broadcast/);
    expect(() => matmul(tensor(2), tensor([1]))).toThrow(/matmul: operands must have rank >= 1, got a \[\] and b \[1\]; use mul for scalars/);
    expect(() => matmul(seededTensor([2, 2], 1, { dtype: 'int32' }), seededTensor([2, 2], 1))).toThrow(/matmul: operands must be float32, got a int32/);
    expect(() => vdot(tensor([1, 2]), tensor([1, 2, 3]))).toThrow(/vdot: a \[2\] and b \[3\] differ in size/);
  });
});
