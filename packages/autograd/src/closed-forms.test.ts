import { fc, it as fcIt } from '@fast-check/vitest';
import { describe, expect } from 'vitest';
import {
  add, greater, logSoftmax, matmul, mean, mul, neg, oneHot, relu, softmax, sub, sum, tensor, transpose, type Tensor,
} from '@ssam/tensor';
import { valueAndGrad } from './index.js';

const close = (a: Tensor, b: Tensor, tol = 1e-5) => {
  expect(a.shape).toEqual(b.shape);
  const x = a.toArray(), y = b.toArray();
  x.forEach((v, i) => expect(Math.abs(v - y[i]!)).toBeLessThan(tol * (1 + Math.abs(y[i]!))));
};
// fast-check favours special values (0, ±2); keep away from 0 so that relu never sees an exact tie.
const matrix = (r: number, c: number) => fc.array(fc.double({ min: -2, max: 2, noNaN: true }).filter((v) => Math.abs(v) > 1e-3), { minLength: r * c, maxLength: r * c }).map((v) => tensor(v, [r, c]));
const labels = (b: number, c: number) => fc.array(fc.integer({ min: 0, max: c - 1 }), { minLength: b, maxLength: b }).map((l) => tensor(l, [b], { dtype: 'int32' }));

const crossEntropy = (logits: Tensor, y: Tensor) => neg(mean(sum(mul(oneHot(y, logits.shape[1]!), logSoftmax(logits)), { axes: 1 })));

describe('closed forms', () => {
  fcIt.prop([fc.integer({ min: 1, max: 5 }), fc.integer({ min: 2, max: 6 }), fc.nat()], { numRuns: 25 })(
    'softmax cross-entropy: ∂L/∂logits = (softmax − onehot) / batch',
    (b, c, seed) => {
      const logits = fc.sample(matrix(b, c), { seed, numRuns: 1 })[0]!;
      const y = fc.sample(labels(b, c), { seed, numRuns: 1 })[0]!;
      const [, g] = valueAndGrad((z: Tensor) => crossEntropy(z, y))(logits);
      close(g, mul(sub(softmax(logits), oneHot(y, c)), 1 / b));
    },
  );

  fcIt.prop([fc.nat()], { numRuns: 15 })('a 2-layer MLP matches hand-derived backprop', (seed) => {
    const [B, D, H, C] = [4, 5, 6, 3];
    const [x, w1, w2] = [matrix(B, D), matrix(D, H), matrix(H, C)].map((a) => fc.sample(a, { seed, numRuns: 1 })[0]!) as [Tensor, Tensor, Tensor];
    const b1 = tensor(Array.from({ length: H }, (_, i) => 0.1 * i - 0.2)), b2 = tensor([0.1, -0.1, 0.05]);
    const y = fc.sample(labels(B, C), { seed, numRuns: 1 })[0]!;
    const params = { w1, b1, w2, b2 };
    const loss = (p: typeof params) => crossEntropy(add(matmul(relu(add(matmul(x, p.w1), p.b1)), p.w2), p.b2), y);
    const [value, g] = valueAndGrad(loss)(params);

    // Backprop by hand.
    const z1 = add(matmul(x, w1), b1), h = relu(z1), z2 = add(matmul(h, w2), b2);
    const dz2 = mul(sub(softmax(z2), oneHot(y, C)), 1 / B);
    const dw2 = matmul(transpose(h), dz2), db2 = sum(dz2, { axes: 0 });
    const dz1 = mul(matmul(dz2, transpose(w2)), greater(z1, 0));
    const dw1 = matmul(transpose(x), dz1), db1 = sum(dz1, { axes: 0 });

    expect(value.item()).toBeCloseTo(crossEntropy(z2, y).item(), 6);
    close(g.w1, dw1);
    close(g.b1, db1);
    close(g.w2, dw2);
    close(g.b2, db2);
  });
});
