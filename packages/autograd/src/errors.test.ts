import { describe, expect, it } from 'vitest';
import { exp, mul, sum, tensor, zeros, type Tensor } from '@ssam/tensor';
import { customVjp, grad, hvp, jvp, valueAndGrad, vjp } from './index.js';

describe('errors that say how to fix the call', () => {
  it('rejects a non-scalar loss', () => {
    expect(() => valueAndGrad((x: Tensor) => mul(x, 2))(zeros([32, 10]))).toThrow(
      'valueAndGrad needs a scalar loss; got shape [32, 10]. Reduce it with mean() or sum().',
    );
    expect(() => grad((x: Tensor) => x)(zeros([3]))).toThrow('grad needs a scalar loss; got shape [3]. Reduce it with mean() or sum().');
  });

  it('rejects a loss that is not a tensor, and a malformed hasAux result', () => {
    expect(() => valueAndGrad((x: Tensor) => [sum(x), 1] as unknown as Tensor)(zeros([2]))).toThrow(/use \{ hasAux: true \} and return \[loss, aux\]/);
    expect(() => valueAndGrad((x: Tensor) => sum(x) as unknown as [Tensor, number], { hasAux: true })(zeros([2]))).toThrow(/must return a pair \[loss, aux\]/);
  });

  it('names non-tensor leaves of x by path', () => {
    const params = { layers: [{ w: tensor([1]), b: 0.5 }] };
    expect(() => grad((p: typeof params) => sum(p.layers[0]!.w))(params)).toThrow(
      'grad: x.layers[0].b is the number 0.5, not a Tensor; differentiate a pytree of tensors only and let f close over everything else',
    );
  });

  it('names the leaf whose cotangent has the wrong shape', () => {
    const [, pb] = vjp((x: Tensor) => ({ logits: mul(x, 2), aux: exp(x) }), zeros([2, 3]));
    expect(() => pb({ logits: zeros([3]), aux: zeros([2, 3]) })).toThrow(
      'vjp: the cotangent ct.logits has shape [3], but the output it pairs with has shape [2, 3]; pass a cotangent of the output\'s shape',
    );
    expect(() => pb({ logits: zeros([2, 3]) } as never)).toThrow(/the output has leaves \[y.aux, y.logits\], the cotangent has \[ct.logits\]/);
  });

  it('checks tangents and vectors against x', () => {
    expect(() => jvp((x: { a: Tensor }) => x.a, { a: zeros([2]) }, { a: zeros([3]) })).toThrow('jvp: t.a has shape [3], but x.a has shape [2]');
    expect(() => hvp((x: Tensor) => sum(x), zeros([2]), [zeros([2])] as never)).toThrow(/v must have the structure of x/);
  });

  it('checks what a custom backward returns', () => {
    const f = customVjp((x: Tensor) => mul(x, 2), (x: Tensor) => [mul(x, 2), null] as const, () => zeros([5]));
    expect(() => grad((x: Tensor) => sum(f(x)))(zeros([2]))).toThrow('customVjp: bwd returned shape [5] for x, which has shape [2]');
  });
});
