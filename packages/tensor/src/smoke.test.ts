import { describe, expect, it } from 'vitest';
import { tensor, add, matmul, sum, transpose, slice, softmax, argmax, logSumExp, tree, reshape } from './index.js';

describe('smoke', () => {
  it('works', () => {
    const a = tensor([[1, 2, 3], [4, 5, 6]]);
    expect(add(a, tensor([10, 20, 30])).toList()).toEqual([[11, 22, 33], [14, 25, 36]]);
    expect(matmul(a, a, { transposeB: true }).toList()).toEqual([[14, 32], [32, 77]]);
    expect(sum(a, { axes: 0 }).toList()).toEqual([5, 7, 9]);
    expect(sum(a, { axes: 1, keepdims: true }).toList()).toEqual([[6], [15]]);
    expect(transpose(a).toList()).toEqual([[1, 4], [2, 5], [3, 6]]);
    expect(slice(a, [undefined, { step: -1 }]).toList()).toEqual([[3, 2, 1], [6, 5, 4]]);
    expect(argmax(a, 1).toList()).toEqual([2, 2]);
    expect(logSumExp(tensor([1e4, 1e4])).item()).toBeCloseTo(1e4 + Math.log(2), 0);
    expect(sum(softmax(a)).item()).toBeCloseTo(2, 5);
    expect(tree.norm({ a: tensor([3]), b: [tensor([4])] }).item()).toBeCloseTo(5);
    expect(() => matmul(tensor([[1, 2]]), tensor([[1, 2]]))).toThrow(/did you mean b transposed/);
    expect(reshape(a, [3, -1]).shape).toEqual([3, 2]);
  });
});
