// The MLP of the benchmark and its loss, written once for both the autograd and the by-hand runs.
import {
  add, greater, logSoftmax, matmul, mean, mul, neg, oneHot, relu, softmax, sub, sum, tensor, zeros, type Tensor,
} from '@ssam/tensor';

export interface Mlp {
  readonly w1: Tensor; readonly b1: Tensor;
  readonly w2: Tensor; readonly b2: Tensor;
  readonly w3: Tensor; readonly b3: Tensor;
}

/** Deterministic host values (no PRNG dependency), scaled like a He initialisation. */
function fill(shape: number[], scale: number, salt: number): Tensor {
  const n = shape.reduce((a, b) => a * b, 1);
  return tensor(Float32Array.from({ length: n }, (_, i) => Math.sin(i * 12.9898 + salt * 78.233) * scale), shape);
}

export function initMlp(sizes: readonly [number, number, number, number]): Mlp {
  const [d, h1, h2, c] = sizes;
  return {
    w1: fill([d, h1], Math.sqrt(6 / d), 1), b1: zeros([h1]),
    w2: fill([h1, h2], Math.sqrt(6 / h1), 2), b2: zeros([h2]),
    w3: fill([h2, c], Math.sqrt(6 / h2), 3), b3: zeros([c]),
  };
}

export function batch(n: number, d: number, c: number): [Tensor, Tensor] {
  const x = fill([n, d], 1, 4);
  const y = tensor(Array.from({ length: n }, (_, i) => (i * 7) % c), [n], { dtype: 'int32' });
  return [x, y];
}

export const crossEntropy = (logits: Tensor, y: Tensor): Tensor =>
  neg(mean(sum(mul(oneHot(y, logits.shape[1]!), logSoftmax(logits)), { axes: 1 })));

export const mlpLoss = (x: Tensor, y: Tensor) => (p: Mlp): Tensor => {
  const h1 = relu(add(matmul(x, p.w1), p.b1));
  const h2 = relu(add(matmul(h1, p.w2), p.b2));
  return crossEntropy(add(matmul(h2, p.w3), p.b3), y);
};

/**
 * The same forward pass and its backward pass called by hand, in order: the closed-form
 * cross-entropy gradient (softmax − onehot) / B, then the transposed matmuls, bias sums and relu
 * masks. No input gradient for x (autograd skips it too, x is not differentiated).
 */
export function handValueAndGrad(x: Tensor, y: Tensor, p: Mlp): [Tensor, Mlp] {
  const z1 = add(matmul(x, p.w1), p.b1), h1 = relu(z1);
  const z2 = add(matmul(h1, p.w2), p.b2), h2 = relu(z2);
  const z3 = add(matmul(h2, p.w3), p.b3);
  const loss = crossEntropy(z3, y);
  const dz3 = mul(sub(softmax(z3), oneHot(y, z3.shape[1]!)), 1 / x.shape[0]!);
  const w3 = matmul(h2, dz3, { transposeA: true }), b3 = sum(dz3, { axes: 0 });
  const dz2 = mul(matmul(dz3, p.w3, { transposeB: true }), greater(z2, 0));
  const w2 = matmul(h1, dz2, { transposeA: true }), b2 = sum(dz2, { axes: 0 });
  const dz1 = mul(matmul(dz2, p.w2, { transposeB: true }), greater(z1, 0));
  const w1 = matmul(x, dz1, { transposeA: true }), b1 = sum(dz1, { axes: 0 });
  return [loss, { w1, b1, w2, b2, w3, b3 }];
}

/** p − lr · g, leaf by leaf. */
export const sgd = (p: Mlp, g: Mlp, lr: number): Mlp => ({
  w1: sub(p.w1, mul(g.w1, lr)), b1: sub(p.b1, mul(g.b1, lr)),
  w2: sub(p.w2, mul(g.w2, lr)), b2: sub(p.b2, mul(g.b2, lr)),
  w3: sub(p.w3, mul(g.w3, lr)), b3: sub(p.b3, mul(g.b3, lr)),
});
