import { describe, expect, it } from 'vitest';
import { add, matmul, mul, random, relu, sub, sum, tensor, type Tensor } from '@ssam/tensor';
import { expectAllClose } from '@ssam/tensor/testing';
import { grad, stopGradient, valueAndGrad, vjp, vjpRules, type VjpOverride } from './index.js';

const k = (s: number) => random.key(s);
type P = { a: Tensor; b: Tensor };
const x = random.normal(k(1), [5, 4]);
const params: P = { a: random.normal(k(2), [3, 4]), b: random.normal(k(3), [2, 3]) };
const mask = tensor([1, 0, 1, 0, 0, 1, 0, 1, 1, 1, 0, 0], [3, 4]);
// two dense layers y = relu(x aᵀ) bᵀ
const loss = (p: P) => sum(mul(matmul(relu(matmul(x, p.a, { transposeB: true })), p.b, { transposeB: true }), tensor([1, -2])));

/** Input gradient of any matmul whose weight operand is leaf 0 (`a`) through a ⊙ mask. */
const masked: VjpOverride = (g, node, needs) => {
  if (node.prim !== 'matmul' || node.leafIndex(node.inputs[1]!) !== 0) return undefined;
  const [, gw] = vjpRules.matmul(g, node as never, [false, needs[1]!]);
  const [gx] = vjpRules.matmul(g, { ...node, inputs: [node.inputs[0]!, mul(node.inputs[1]!, mask)] } as never, [needs[0]!, false]);
  return [gx!, gw!];
};

describe('valueAndGrad / vjp with an override', () => {
  it('an override that always declines changes nothing, bit for bit', () => {
    const [l0, g0] = valueAndGrad(loss)(params);
    const [l1, g1] = valueAndGrad(loss, { override: () => undefined })(params);
    expect(l1.toArray()).toEqual(l0.toArray());
    expect(g1.a.toArray()).toEqual(g0.a.toArray());
    expect(g1.b.toArray()).toEqual(g0.b.toArray());
  });

  it('leafIndex numbers the leaves in tree order, only for the tensors f received', () => {
    const seen = new Map<string, number | undefined>();
    grad(loss, {
      override: (_g, node) => {
        if (node.prim === 'matmul') for (const t of node.inputs) seen.set(t.shape.join('x'), node.leafIndex(t));
        return undefined;
      },
    })(params);
    expect(seen.get('3x4')).toBe(0);
    expect(seen.get('2x3')).toBe(1);
    expect(seen.get('5x4')).toBeUndefined(); // x: a closure constant
    expect(seen.get('5x3')).toBeUndefined(); // an intermediate
    let count = -1;
    grad(loss, { override: (_g, node) => void (count = node.leafCount) })(params);
    expect(count).toBe(2);
  });

  it('a masked input gradient on the top layer: its own weight gradient stays exact, the layer below changes', () => {
    // mask b [2, 3] (leaf 1): the input gradient of the top layer goes through b ⊙ mb
    const mb = tensor([1, 0, 1, 0, 1, 0], [2, 3]);
    const onB: VjpOverride = (g, node, needs) => {
      if (node.prim !== 'matmul' || node.leafIndex(node.inputs[1]!) !== 1) return undefined;
      const [, gw] = vjpRules.matmul(g, node as never, [false, needs[1]!]);
      const [gx] = vjpRules.matmul(g, { ...node, inputs: [node.inputs[0]!, mul(node.inputs[1]!, mb)] } as never, [needs[0]!, false]);
      return [gx, gw];
    };
    const g0 = grad(loss)(params);
    const g1 = grad(loss, { override: onB })(params);
    expect(g1.b.toArray()).toEqual(g0.b.toArray());
    expect(g1.a.toArray()).not.toEqual(g0.a.toArray());
    // and a's gradient is the one of the model whose top weight is b ⊙ mb, in the backward only
    const split = (p: P) => {
      const h = relu(matmul(x, p.a, { transposeB: true }));
      const top = add(matmul(h, mul(p.b, mb), { transposeB: true }), matmul(stopGradient(h), mul(p.b, sub(1, mb)), { transposeB: true }));
      return sum(mul(top, tensor([1, -2])));
    };
    expectAllClose(g1.a, grad(split)(params).a, { rtol: 1e-5, atol: 1e-6 });
  });

  it('the masked input gradient flows below: it equals the gradient computed with a ⊙ m in the backward only', () => {
    // differentiate w.r.t. an input leaf placed below the masked layer
    const f = (q: { h: Tensor; a: Tensor }) => sum(mul(matmul(q.h, q.a, { transposeB: true }), tensor([1, 2, 3])));
    const q = { a: params.a, h: random.normal(k(5), [5, 4]) };
    const onA: VjpOverride = (g, node, needs) => (node.prim === 'matmul' && node.leafIndex(node.inputs[1]!) === 0 ? masked(g, { ...node, leafIndex: () => 0 }, needs) : undefined);
    const gq = grad(f, { override: onA })(q);
    const expected = grad((h: Tensor) => sum(mul(matmul(h, mul(q.a, mask), { transposeB: true }), tensor([1, 2, 3]))))(q.h);
    expectAllClose(gq.h, expected, { rtol: 1e-6, atol: 1e-6 });
    expect(gq.a.toArray()).toEqual(grad(f)(q).a.toArray());
  });

  it('vjp takes the same option', () => {
    const [, pb] = vjp((p: P) => matmul(x, p.a, { transposeB: true }), params, { override: () => undefined });
    expect(pb(random.normal(k(9), [5, 3])).a.shape).toEqual([3, 4]);
  });

  it('refuses a non-function and a wrong number of cotangents, naming the primitive', () => {
    expect(() => valueAndGrad(loss, { override: 3 as never })).toThrow(/valueAndGrad: override must be a function/);
    expect(() => grad(loss, { override: (_g, n) => (n.prim === 'matmul' ? [null] : undefined) })(params)).toThrow(/for 'matmul' it returned 1 cotangents; return one per input \(2\)/);
    const wrong: VjpOverride = (_g, n, needs) => (n.prim === 'matmul' && needs[1] ? [null, tensor([1, 2, 3, 4, 5, 6, 7], [7])] : undefined);
    expect(() => grad(loss, { override: wrong })(params)).toThrow(/VjpOverride for 'matmul': the cotangent of input 1 has shape \[7\], but the input has shape \[2, 3\]/);
  });
});
