import { customVjp } from '@ssam/autograd';
import { add, addcmul, div, mean, mul, sqrt, sub, sum, type Tensor } from '@ssam/tensor';

/**
 * Batch normalisation with batch statistics, as one differentiable unit:
 *   μ = mean(x), d = x − μ, v = mean(d²), k = γ/√(v + ε), y = β + d·k
 * (μ, v, γ, β on [1, C, 1, …]; the means run over every axis but the channel). μ and v are outputs
 * too, for the running statistics.
 *
 * The backward is the closed form instead of the reverse of those ops. With A = Σ g and
 * B = Σ g·d per channel (g the cotangent of y, gμ and gv those of μ and v, n values per channel):
 *   ∂β = A,  ∂γ = B/√(v + ε),  ∂x = g·k + d·2(gv − ½·k·B/(v + ε))/n + (gμ − k·A)/n
 * using Σ d = 0. That is three full-size passes (g·d, then two fused addcmul) and two reductions,
 * where differentiating the forward op by op takes nine full-size ops (two broadcasts of a
 * per-channel cotangent, d·d's two products and four accumulations). The backward is written in
 * @ssam/tensor ops, so derivatives of derivatives still work.
 */
export interface BatchStats {
  readonly y: Tensor;
  readonly mu: Tensor;
  readonly v: Tensor;
}

interface Inputs {
  readonly x: Tensor;
  readonly scale: Tensor;
  readonly shift: Tensor;
}

export function batchNormTrain(x: Tensor, scale: Tensor, shift: Tensor, axes: readonly number[], eps: number): BatchStats {
  const n = x.size / x.shape[1]!;
  const forward = ({ x, scale, shift }: Inputs) => {
    const mu = mean(x, { axes, keepdims: true });
    const d = sub(x, mu);
    const v = mean(mul(d, d), { axes, keepdims: true });
    const r = sqrt(add(v, eps));
    // k = γ/r exactly as the op-by-op layer formed it (the same output bits); s = 1/r for the backward
    const k = div(scale, r), s = div(1, r);
    return { out: { y: addcmul(shift, d, k), mu, v }, res: { d, s, k } };
  };
  const op = customVjp(
    (a: Inputs): BatchStats => forward(a).out,
    (a: Inputs) => {
      const { out, res } = forward(a);
      return [out, res] as const;
    },
    ({ d, s, k }, ct: BatchStats): Inputs => {
      const g = ct.y;
      const A = sum(g, { axes, keepdims: true });
      const B = sum(mul(g, d), { axes, keepdims: true });
      // ∂v collects v's own cotangent and the one through k = γ·(v + ε)^(−1/2)
      const gv = addcmul(ct.v, mul(k, mul(s, s)), B, -0.5);
      const c0 = div(sub(ct.mu, mul(k, A)), n);
      const dx = addcmul(addcmul(c0, g, k), d, mul(gv, 2 / n));
      return { x: dx, scale: mul(B, s), shift: A };
    },
  );
  return op({ x, scale, shift });
}
