import { describe, expect, it } from 'vitest';
import { tensor } from '../index.js';
import { allClose, expectAllClose, expectTreeAllClose, toNumeric, treeAllClose } from './index.js';

describe('allClose', () => {
  it('accepts values within atol + rtol·|expected|', () => {
    const r = allClose(tensor([1, 2, 3]), [1 + 1e-6, 2, 3 - 2e-5], { rtol: 1e-5, atol: 1e-6 });
    expect(r.ok).toBe(true);
    expect(r.mismatches).toBe(0);
    expect(r.maxAbs).toBeCloseTo(2e-5, 9);
    expect(r.worstIndex).toEqual([2]);
  });

  it('reports the worst element by multi-index, with both values', () => {
    const a = tensor([[1, 2], [3, 4]]);
    const r = allClose(a, [[1, 2], [3.5, 4.01]]);
    expect(r.ok).toBe(false);
    expect(r.mismatches).toBe(2);
    expect(r.worstIndex).toEqual([1, 0]);
    expect(r.maxAbs).toBeCloseTo(0.5, 6);
    expect(r.maxRel).toBeCloseTo(0.5 / 3.5, 6);
    expect(r.message).toMatch(/2 of 4 elements of shape \[2, 2\] differ beyond atol=1e-6, rtol=1e-5; worst at \[1, 0\]: actual 3 vs expected 3.5/);
  });

  it('uses the expected value for the relative part (NumPy rule)', () => {
    expect(allClose([1], [1.1], { rtol: 0.095, atol: 0 }).ok).toBe(true); // 0.1 ≤ 0.095·1.1
    expect(allClose([1.1], [1], { rtol: 0.095, atol: 0 }).ok).toBe(false); // 0.1 > 0.095·1
  });

  it('never broadcasts: different shapes fail with both shapes in the message', () => {
    const r = allClose(tensor([1, 2, 3]), tensor([[1, 2, 3]]));
    expect(r.ok).toBe(false);
    expect(r.message).toMatch(/shapes differ: actual is \[3\], expected is \[1, 3\]/);
    expect(allClose(tensor(5), 5).ok).toBe(true);
  });

  it('handles NaN and infinities', () => {
    expect(allClose([NaN, Infinity], [NaN, Infinity]).ok).toBe(true);
    expect(allClose([NaN], [NaN], { equalNan: false }).ok).toBe(false);
    expect(allClose([NaN], [1]).ok).toBe(false);
    expect(allClose([Infinity], [-Infinity]).ok).toBe(false);
    expect(allClose([1e30], [Infinity]).ok).toBe(false);
  });

  it('reads typed arrays, nested arrays and empty tensors', () => {
    expect(toNumeric([[1, 2], [3, 4]])).toEqual({ shape: [2, 2], data: [1, 2, 3, 4] });
    expect(toNumeric(new Float32Array([1, 2])).shape).toEqual([2]);
    expect(allClose(tensor([], [0, 3]), tensor([], [0, 3])).ok).toBe(true);
    expect(() => allClose([[1, 2], [3]], [[1, 2], [3, 4]])).toThrow(/ragged/);
  });
});

describe('expectAllClose', () => {
  it('throws with the label, the message and differing dtypes', () => {
    expect(() => expectAllClose(tensor([1], [1], { dtype: 'int32' }), tensor([2]), { label: 'conv2d' })).toThrow(
      /^conv2d: allClose: 1 of 1 elements .* \(dtypes int32 vs float32\)$/,
    );
    expect(() => expectAllClose([1, 2], [1, 2])).not.toThrow();
  });
});

describe('treeAllClose', () => {
  it('compares leaf by leaf and names the failing leaf path', () => {
    const a = { w: tensor([1, 2]), layers: [{ b: tensor([0]) }] };
    expect(treeAllClose(a, { w: tensor([1, 2]), layers: [{ b: 0 }] }, { atol: 0 }).ok).toBe(false); // [1] vs []: shapes
    expect(treeAllClose(a, { w: new Float32Array([1, 2]), layers: [{ b: tensor([0]) }] }).ok).toBe(true);
    const r = treeAllClose(a, { w: tensor([1, 2]), layers: [{ b: tensor([1]) }] });
    expect(r.ok).toBe(false);
    expect(r.message).toMatch(/^treeAllClose: leaf layers\[0\]\.b: allClose: 1 of 1/);
    expect(treeAllClose(a, { w: tensor([1, 2]) }).message).toMatch(/structures differ/);
    expect(() => expectTreeAllClose(a, { w: tensor([1, 3]), layers: [{ b: tensor([0]) }] }, { label: 'sgd' })).toThrow(/^sgd: treeAllClose: leaf w:/);
  });
});
