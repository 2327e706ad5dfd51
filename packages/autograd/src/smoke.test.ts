import { describe, expect, it } from 'vitest';
import { tensor, mul, sum, add, exp, matmul, relu, mean, scalar } from '@ssam/tensor';
import { grad, valueAndGrad, vjp, jvp, hvp, stopGradient } from './index.js';

describe('smoke', () => {
  it('works', () => {
    expect((grad((x: any) => sum(mul(x, x)))(tensor([1, 2])) as any).toList()).toEqual([2, 4]);
    const [v, g] = valueAndGrad((p: any) => mean(relu(matmul(p.x, p.w))))({ x: tensor([[1, 2]]), w: tensor([[1], [-1]]) });
    console.log(v.item(), (g as any).w.toList(), (g as any).x.toList());
    const [y, t] = jvp((x: any) => mul(x, x), tensor([3]), tensor([1]));
    expect((t as any).toList()).toEqual([6]);
    expect((hvp((x: any) => sum(mul(mul(x, x), x)), tensor([2]), tensor([1])) as any).toList()).toEqual([12]);
    const c = scalar(3);
    const f = (x: any) => mul(x, grad((yy: any) => mul(x, yy))(c));
    expect((grad(f)(scalar(5)) as any).item()).toBe(10);
    const g2 = (x: any) => mul(x, grad((yy: any) => add(x, yy))(c));
    expect((grad(g2)(scalar(5)) as any).item()).toBe(1);
    expect((grad((x: any) => sum(mul(x, stopGradient(x))))(tensor([3])) as any).toList()).toEqual([3]);
  });
});
