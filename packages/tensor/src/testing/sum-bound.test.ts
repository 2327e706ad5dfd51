import { describe, expect, it } from 'vitest';
import { expectWithinSumBound } from './sum-bound.js';

describe('expectWithinSumBound', () => {
  it('passes a float32 sum whose large terms cancel, where a fixed tolerance fails', () => {
    // 1e4 + 0.653 − 1e4 in float32 loses the small term's low bits: |diff| ≈ 2e-4 on a result of 0.653
    const got = Math.fround(Math.fround(1e4 + 0.653) - 1e4);
    expect(Math.abs(got - 0.653)).toBeGreaterThan(1e-5);
    expectWithinSumBound([got], [0.653], [2e4 + 0.653], 3);
  });
  it('fails past the bound and names the element, the values and Σ|terms|', () => {
    expect(() => expectWithinSumBound([1, 2.01], [1, 2], [3, 3], 2, 'dot')).toThrow(
      /dot: 1 of 2 elements of shape \[2\] differ by more than \(2 \+ 1\)·\(2⁻²⁴·Σ\|terms\| \+ 2⁻¹⁴⁹\); first at flat index 1: actual 2\.01 vs expected 2 .*Σ\|terms\| 3\)/,
    );
    expect(() => expectWithinSumBound([1, 2], [1], [1, 1], 1)).toThrow(/shapes differ: actual \[2\], expected \[1\], absSum \[2\]/);
    expect(() => expectWithinSumBound([1], [1], [1], -1)).toThrow(/terms must be a non-negative integer, got -1/);
  });
  it('allows the absolute error of results in the subnormal range', () => {
    expectWithinSumBound([5.5351289340830274e-43], [5.521115949439779e-43], [5.5351289340830274e-43], 4);
    expect(() => expectWithinSumBound([5.6e-43], [5.5e-43], [5.5e-43], 4)).toThrow(/1 of 1 elements/);
  });
  it('compares NaN and infinities only for equality', () => {
    expectWithinSumBound([Infinity], [Infinity], [Infinity], 1);
    expect(() => expectWithinSumBound([NaN], [1], [1], 1)).toThrow(/1 of 1 elements/);
  });
});
