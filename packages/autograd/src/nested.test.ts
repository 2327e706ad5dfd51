import { fc, it as fcIt } from '@fast-check/vitest';
import { describe, expect, it } from 'vitest';
import { add, exp, matmul, mean, mul, scalar, sigmoid, square, sum, tanh, tensor, tree, type Tensor, type Tree } from '@ssam/tensor';
import { grad, hvp, jvp, vjp } from './index.js';

const item = (t: unknown) => (t as Tensor).item();
const vals = (n: number) => fc.array(fc.double({ min: -1.5, max: 1.5, noNaN: true }), { minLength: n, maxLength: n });

describe('nested differentiation', () => {
  it('d/dx [x · d/dy (x·y²)]|y=c = 4xc (the inner derivative closes over x)', () => {
    const c = scalar(3);
    const f = (x: Tensor) => mul(x, grad((y: Tensor) => mul(x, mul(y, y)))(c)); // = x · 2xc = 2x²c
    expect(item(grad(f)(scalar(5)))).toBeCloseTo(4 * 5 * 3, 4);
  });

  it('does not confuse perturbations: d/dx [x · d/dy (x + y)] = 1', () => {
    const f = (x: Tensor) => mul(x, grad((y: Tensor) => add(x, y))(scalar(2)));
    expect(item(grad(f)(scalar(1)))).toBe(1);
    // Siskind & Pearlmutter's example with the inner derivative taken at the outer point:
    // d/dx [x · d/dy (x · y)|y=x] = d/dx x² = 2x.
    const g = (x: Tensor) => mul(x, grad((y: Tensor) => mul(x, y))(x));
    expect(item(grad(g)(scalar(3)))).toBe(6);
  });

  it('takes third and fourth derivatives', () => {
    const cube = (x: Tensor) => mul(mul(x, x), x);
    const d = (f: (x: Tensor) => Tensor) => grad(f) as (x: Tensor) => Tensor;
    expect(item(d(d(d(cube)))(scalar(2)))).toBe(6);
    expect(item(d(d(d(d(cube))))(scalar(2)))).toBe(0);
    expect(item(d(d(exp))(scalar(0.5)))).toBeCloseTo(Math.exp(0.5), 5);
  });

  it('hvp of a function that itself takes a gradient (third derivatives): g = ½‖∇f‖², f = Σ x³/3', () => {
    const f = (x: Tensor) => mul(sum(mul(mul(x, x), x)), 1 / 3); // ∇f = x²
    const g = (x: Tensor) => mul(sum(square(grad(f)(x))), 0.5); // ½ Σ x⁴, H = diag(6x²)
    expect(hvp(g, tensor([1, -2, 0.5]), tensor([1, 1, 2])).toArray()).toEqual(Float32Array.from([6, 24, 3]));
  });

  it('hvp of a quadratic ½ xᵀAx is ½(A + Aᵀ)v exactly', () => {
    const A = tensor([[1, 2], [0, 3]]);
    const f = (x: Tensor) => mul(matmul(x, matmul(A, x)), 0.5);
    expect(hvp(f, tensor([0.3, -0.7]), tensor([1, 2])).toList()).toEqual([3, 7]);
  });

  const net = (p: { w: Tensor; b: Tensor }) => mean(square(tanh(add(matmul(tensor([[0.5, -1, 2], [1, 0.3, -0.2]]), p.w), p.b))));
  const arbParams = fc.tuple(vals(6), vals(2), vals(6), vals(2), vals(6), vals(2)).map(([w, b, v, vb, u, ub]) => ({
    x: { w: tensor(w, [3, 2]), b: tensor(b) },
    v: { w: tensor(v, [3, 2]), b: tensor(vb) },
    u: { w: tensor(u, [3, 2]), b: tensor(ub) },
  }));
  type Pt = { w: Tensor; b: Tensor };
  const dot = (a: Pt, b: Pt) => tree.vdot(a as unknown as Tree, b as unknown as Tree).item();

  fcIt.prop([arbParams], { numRuns: 15 })('hvp matches central differences of grad', ({ x, v }) => {
    const h = 5e-3;
    const gp = grad(net)(tree.add(x as unknown as Tree, tree.scale(h, v as unknown as Tree)) as unknown as Pt);
    const gm = grad(net)(tree.sub(x as unknown as Tree, tree.scale(h, v as unknown as Tree)) as unknown as Pt);
    const fd = tree.scale(1 / (2 * h), tree.sub(gp as unknown as Tree, gm as unknown as Tree)) as unknown as Pt;
    const hv = hvp(net, x, v);
    for (const k of ['w', 'b'] as const)
      hv[k].toArray().forEach((a, i) => {
        const b = fd[k].toArray()[i]!;
        expect(Math.abs(a - b)).toBeLessThan(5e-3 * (1 + Math.abs(b)));
      });
  });

  fcIt.prop([arbParams], { numRuns: 15 })('the Hessian is symmetric: ⟨u, H v⟩ = ⟨v, H u⟩', ({ x, u, v }) => {
    const a = dot(u, hvp(net, x, v)), b = dot(v, hvp(net, x, u));
    expect(Math.abs(a - b)).toBeLessThan(1e-5 * (1 + Math.abs(a)));
  });

  fcIt.prop([arbParams], { numRuns: 15 })('jvp and vjp are transposes: ⟨u, J t⟩ = ⟨Jᵀ u, t⟩', ({ x, u, v: t }) => {
    const f = (p: Pt) => ({ w: sigmoid(mul(p.w, p.w)), b: exp(p.b) });
    const [, jt] = jvp(f, x, t);
    const [, pb] = vjp(f, x);
    const a = dot(u, jt), b = dot(pb(u), t);
    expect(Math.abs(a - b)).toBeLessThan(1e-5 * (1 + Math.abs(a)));
  });

  it('nests forward over reverse and reverse over forward', () => {
    const f = (x: Tensor) => sum(mul(mul(x, x), x)); // ∇f = 3x², H = diag(6x)
    const x = tensor([1, 2]), v = tensor([1, 1]);
    expect(jvp(grad(f), x, v)[1].toList()).toEqual([6, 12]);
    expect(grad((z: Tensor) => sum(jvp(f, z, v)[1]))(x).toList()).toEqual([6, 12]);
  });
});
