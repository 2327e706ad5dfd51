import { add, compile, logSoftmax, matmul, mean, mul, relu, sum, tensor, withBackend, type Tensor } from '@ssam/tensor';
import { createWasmBackend } from '@ssam/tensor/wasm';
import { seededTensor } from '@ssam/tensor/testing';
import { afterAll, describe, expect, it } from 'vitest';
import { stopGradient } from './custom.js';
import { valueAndGrad } from './grad.js';

// compile(valueAndGrad(loss)) is one plan for forward and backward: the backward rules are tensor
// ops, so the compile observer records them while autograd's tape runs. The plan must compute the
// eager bits, with the gradient of every parameter.
const one = createWasmBackend({ threads: 1 });
const two = createWasmBackend({ threads: 2, minParallelWork: 1 });
afterAll(() => [one, two].forEach((b) => b.dispose()));

interface Mlp { w1: Tensor; b1: Tensor; w2: Tensor; b2: Tensor }
const bits = (t: Tensor) => Array.from(new Uint32Array(t.toArray().buffer));

function loss(p: Mlp, x: Tensor, labels: Tensor): Tensor {
  const h = relu(add(matmul(x, p.w1), p.b1));
  const logits = add(matmul(h, p.w2), p.b2);
  // a stopGradient term: a node of the plan (its forward value counts) that autograd does not differentiate
  const reg = mul(sum(mul(stopGradient(p.w2), p.w2)), 1e-3);
  return add(mul(mean(sum(mul(logSoftmax(logits, 1), labels), { axis: 1 })), -1), reg);
}

describe('compile(valueAndGrad)', () => {
  const params: Mlp = { w1: seededTensor([24, 32], 1), b1: seededTensor([32], 2), w2: seededTensor([32, 10], 3), b2: seededTensor([10], 4) };
  const labels = tensor(Array.from({ length: 16 * 10 }, (_, i) => (i % 10 === (Math.floor(i / 10) * 3) % 10 ? 1 : 0)), [16, 10]);

  it('an MLP loss and its gradients equal eager bit for bit, on a cached plan, on 2 threads', () => {
    const step = (p: Mlp, x: Tensor) => valueAndGrad((q: Mlp) => loss(q, x, labels))(p);
    const compiled = compile(step);
    for (let call = 0; call < 2; call++) {
      const x = seededTensor([16, 24], 10 + call);
      const [l0, g0] = withBackend(one, () => step(params, x));
      const [l1, g1] = withBackend(two, () => compiled(params, x));
      expect(bits(l1)).toEqual(bits(l0));
      for (const k of ['w1', 'b1', 'w2', 'b2'] as const) expect(bits(g1[k])).toEqual(bits(g0[k]));
    }
    expect(compiled.stats()).toEqual({ traces: 1, hits: 1, eager: 0 });
  });

  it('valueAndGrad(compile(f)) differentiates through: the compiled function runs eagerly under a tape', () => {
    const f = compile((p: Mlp) => loss(p, seededTensor([16, 24], 12), labels));
    const [l0, g0] = withBackend(one, () => valueAndGrad((p: Mlp) => loss(p, seededTensor([16, 24], 12), labels))(params));
    const [l1, g1] = withBackend(one, () => valueAndGrad(f)(params));
    expect(bits(l1)).toEqual(bits(l0));
    expect(bits(g1.w1)).toEqual(bits(g0.w1));
    expect(f.stats().eager).toBe(1);
  });
});
