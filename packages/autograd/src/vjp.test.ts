import { fc, it as fcIt } from '@fast-check/vitest';
import { describe, expect, it } from 'vitest';
import { add, cast, exp, max, maximum, mean, minimum, mul, relu, scalar, sum, tensor, tree, type Tensor, type Tree } from '@ssam/tensor';
import { activeTracers } from '@ssam/tensor/trace';
import { grad, stopGradient, valueAndGrad, vjp } from './index.js';

const list = (t: unknown) => (t as Tensor).toList();

describe('vjp', () => {
  it('returns gradients with the structure of x (objects by key, arrays, null, integer leaves)', () => {
    const x = { b: [tensor([1, 2]), null, { c: tensor(3) }] as [Tensor, null, { c: Tensor }], a: tensor([[1], [2]]), i: tensor([1, 2], undefined, { dtype: 'int32' }) };
    const f = (p: typeof x) => add(sum(mul(p.a, p.b[0]!)), sum(mul(p.b[2]!.c, cast(p.i, 'float32'))));
    const g = grad(f)(x);
    expect(tree.structureEqual(g as Tree<unknown>, x as Tree<unknown>)).toBe(true);
    expect(g.b[1]).toBeNull();
    expect(list(g.a)).toEqual([[3], [3]]);
    expect(list(g.b[0])).toEqual([3, 3]);
    expect(list(g.b[2]!.c)).toEqual(3);
    expect(g.i.dtype).toBe('int32');
    expect(list(g.i)).toEqual([0, 0]);
  });

  it('gives zero cotangents through stopGradient, at every order', () => {
    expect(list(grad((x: Tensor) => sum(mul(x, stopGradient(x))))(tensor([3, 4])))).toEqual([3, 4]);
    const g2 = grad((x: Tensor) => sum(grad((y: Tensor) => sum(mul(mul(y, y), stopGradient(y))))(x)))(tensor([2]));
    expect(list(g2)).toEqual([4]); // d/dy (y² s) = 2ys, then d/dx 2x·s = 2s = 4
    const [tr] = stopGradient([{ t: tensor(1) }, 5]);
    expect((tr as { t: Tensor }).t.item()).toBe(1);
  });

  it('handles outputs that are the input itself, constants, and repeated outputs', () => {
    const [y, pb] = vjp((x: Tensor) => [x, x, scalar(1)], tensor([1, 2]));
    expect(list(y[0])).toEqual([1, 2]);
    expect(list(pb([tensor([1, 1]), tensor([2, 3]), scalar(5)]))).toEqual([3, 4]);
    const [, pb2] = vjp((_: Tensor) => scalar(1), tensor([1, 2]));
    expect(list(pb2(scalar(1)))).toEqual([0, 0]);
  });

  it('has a reusable pullback', () => {
    const [, pb] = vjp((x: Tensor) => exp(x), tensor([0, 1]));
    const a = pb(tensor([1, 1])), b = pb(tensor([1, 1]));
    expect(list(a)).toEqual(list(b));
  });

  it('at ties: max shares evenly (as JAX), maximum gives the second operand all (relu\'(0) = 0, as PyTorch)', () => {
    expect(list(grad((x: Tensor) => max(x))(tensor([1, 3, 3])))).toEqual([0, 0.5, 0.5]);
    expect(list(grad((x: Tensor) => sum(relu(x)))(tensor([-1, 0, 2])))).toEqual([0, 0, 1]);
    expect(list(grad((x: Tensor) => sum(maximum(x, x)))(tensor([-1, 0, 2])))).toEqual([1, 1, 1]);
    expect(list(grad((x: Tensor) => sum(minimum(x, x)))(tensor([-1, 0, 2])))).toEqual([1, 1, 1]);
  });

  it('leaves no tracer behind, also when f throws', () => {
    vjp((x: Tensor) => exp(x), tensor([1]));
    expect(() => vjp(() => { throw new Error('boom'); }, tensor([1]))).toThrow('boom');
    expect(activeTracers()).toHaveLength(0);
  });

  fcIt.prop([fc.array(fc.double({ min: -2, max: 2, noNaN: true }), { minLength: 1, maxLength: 6 }), fc.double({ min: -2, max: 2, noNaN: true }), fc.double({ min: -2, max: 2, noNaN: true })], { numRuns: 30 })(
    'the pullback is linear: pb(a·u + b·v) = a·pb(u) + b·pb(v)',
    (xs, a, b) => {
      const x = tensor(xs);
      const [, pb] = vjp((z: Tensor) => ({ p: exp(mul(z, z)), q: sum(mul(z, 3)) }), x);
      const u = { p: tensor(xs.map((v) => v + 1)), q: scalar(2) }, v = { p: tensor(xs.map((w) => w * w)), q: scalar(-1) };
      const lhs = pb(tree.add(tree.scale(a, u as Tree), tree.scale(b, v as Tree)) as typeof u);
      const rhs = add(mul(pb(u), a), mul(pb(v), b));
      lhs.toArray().forEach((l, i) => expect(l).toBeCloseTo(rhs.toArray()[i]!, 3));
    },
  );

  fcIt.prop([fc.array(fc.double({ min: -2, max: 2, noNaN: true }), { minLength: 1, maxLength: 6 })], { numRuns: 30 })('grad of a sum of two functions is the sum of their grads', (xs) => {
    const f = (x: Tensor) => sum(exp(x)), g = (x: Tensor) => mean(mul(mul(x, x), x));
    const x = tensor(xs);
    const lhs = grad((z: Tensor) => add(f(z), g(z)))(x);
    const rhs = add(grad(f)(x), grad(g)(x));
    lhs.toArray().forEach((l, i) => expect(l).toBeCloseTo(rhs.toArray()[i]!, 4));
  });
});

describe('valueAndGrad', () => {
  it('returns the value and, with hasAux, the aux untouched', () => {
    const [[loss, aux], g] = valueAndGrad((x: Tensor) => [sum(mul(x, x)), { n: 3, y: exp(x) }] as const, { hasAux: true })(tensor([1, 2]));
    expect(loss.item()).toBe(5);
    expect(aux.n).toBe(3);
    expect(list(g)).toEqual([2, 4]);
    const [gg, aux2] = grad((x: Tensor) => [sum(x), 'tag'] as const, { hasAux: true })(tensor([1]));
    expect(list(gg)).toEqual([1]);
    expect(aux2).toBe('tag');
  });
});
