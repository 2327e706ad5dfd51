import { describe, expect, it } from 'vitest';
import { exp, matmul, mul, sum, tensor, type Tensor } from '@ssam/tensor';
import { customVjp, grad, hvp, jvp, vjp } from './index.js';

describe('customVjp', () => {
  // The implicit SSAM use: forward exact, but the input gradient flows through W ⊙ M.
  const mask = tensor([[1, 0], [0, 1], [1, 1]]);
  const maskedLinear = customVjp(
    ([x, w]: [Tensor, Tensor]) => matmul(x, w),
    ([x, w]: [Tensor, Tensor]) => [matmul(x, w), { x, w }] as const,
    ({ x, w }, ct: Tensor) => [matmul(ct, mul(w, mask), { transposeB: true }), matmul(x, ct, { transposeA: true })] as [Tensor, Tensor],
  );
  const x = tensor([[1, 2, 3]]), w = tensor([[1, 2], [3, 4], [5, 6]]);

  it('runs the exact forward and the user backward', () => {
    const [y, pb] = vjp(maskedLinear, [x, w] as [Tensor, Tensor]);
    expect(y.toList()).toEqual([[22, 28]]);
    const [gx, gw] = pb(tensor([[1, 1]]));
    expect(gx.toList()).toEqual([[1, 4, 11]]); // rows of W ⊙ M summed
    expect(gw.toList()).toEqual([[1, 1], [2, 2], [3, 3]]);
  });

  it('runs f, not fwd, when nothing is differentiated', () => {
    let fwdCalls = 0;
    const g = customVjp((a: Tensor) => exp(a), (a: Tensor) => (fwdCalls++, [exp(a), a] as const), (_a, ct: Tensor) => ct);
    expect(g(tensor([0])).toList()).toEqual([1]);
    expect(fwdCalls).toBe(0);
    grad((a: Tensor) => sum(g(a)))(tensor([0]));
    expect(fwdCalls).toBe(1);
  });

  it('is differentiable again through its residuals (hvp, jvp)', () => {
    // exp with its own rule: bwd uses the residual y = exp(a), so d²/da² needs y's dependence on a.
    const myExp = customVjp((a: Tensor) => exp(a), (a: Tensor) => { const y = exp(a); return [y, y] as const; }, (y, ct: Tensor) => mul(ct, y));
    const a = tensor([0, 1]);
    hvp((z: Tensor) => sum(myExp(z)), a, tensor([1, 2])).toArray().forEach((v, i) => expect(v).toBeCloseTo([1, 2 * Math.E][i]!, 5));
    jvp(myExp, a, tensor([1, 1]))[1].toArray().forEach((v, i) => expect(v).toBeCloseTo(Math.exp(i), 5));
  });

  it('lets a custom backward choose a different (e.g. straight-through) gradient', () => {
    const roundSte = customVjp((a: Tensor) => a, (a: Tensor) => [a, null] as const, (_r, ct: Tensor) => mul(ct, 1));
    expect(grad((a: Tensor) => sum(mul(roundSte(a), a)))(tensor([3])).toList()).toEqual([6]);
  });

  it('refuses fwd reading a differentiated value from a closure', () => {
    const run = (p: { a: Tensor; b: Tensor }) => {
      const scaled = customVjp((z: Tensor) => mul(z, p.b), (z: Tensor) => [mul(z, p.b), null] as const, (_r, ct: Tensor) => mul(ct, p.b));
      return sum(scaled(p.a));
    };
    expect(() => grad(run)({ a: tensor([1]), b: tensor([2]) })).toThrow(/not in x \(probably captured by a closure/);
    // Closing over a value that is NOT differentiated in the same tape is fine.
    const b = tensor([2]);
    const scaled = customVjp((z: Tensor) => mul(z, b), (z: Tensor) => [mul(z, b), null] as const, (_r, ct: Tensor) => mul(ct, b));
    expect(grad((a: Tensor) => sum(scaled(a)))(tensor([1])).toList()).toEqual([2]);
    // A custom function whose x is not differentiated still differentiates normally in a closed-over value.
    expect(grad((bb: Tensor) => sum(customVjp((z: Tensor) => mul(z, bb), (z: Tensor) => [mul(z, bb), null] as const, (_r, ct: Tensor) => ct)(tensor([5]))))(tensor([2])).toList()).toEqual([5]);
  });
});
