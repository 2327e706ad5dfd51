import { describe, expect, it } from 'vitest';
import { fc, test } from '@fast-check/vitest';
import {
  add, conv2d, matmul, maxPool2d, mean, mul, ones, random, referenceBackend, relu, reshape, square, sub, tanh, tensor, transpose,
  withBackend, type Tensor,
} from '@ssam/tensor';
import { expectAllClose } from '@ssam/tensor/testing';
import { stopGradient, valueAndGrad } from '@ssam/autograd';
import { nmMask } from '@ssam/masks';
import { maskedConvApply, maskedDenseApply } from './implicit.js';
import { implicitOverride, implicitValueAndGrad } from './override.js';

const normal = (seed: number, shape: number[]) => random.normal(random.key(seed), shape);
const nm = (seed: number, shape: number[], n: number, m: number, axis: 'in' | 'out' = 'in') =>
  nmMask({ s: normal(seed, shape) }, { n, m, axis }).s as Tensor;
const ref = <T>(f: () => T): T => withBackend(referenceBackend, f);

// An unchanged model: plain dense and conv layers written with @ssam/tensor ops.
type L = { w: Tensor; b: Tensor };
type Cnn = { c1: L; c2: L; fc: L };
const dense = (p: L, x: Tensor) => add(matmul(x, p.w, { transposeB: true }), p.b);
const conv = (p: L, x: Tensor) => add(conv2d(x, p.w, { padding: 1 }), reshape(p.b, [1, p.w.shape[0]!, 1, 1]));
const x = normal(1, [3, 2, 8, 8]);
const cnn: Cnn = {
  c1: { w: mul(normal(2, [8, 2, 3, 3]), 0.4), b: normal(3, [8]) },
  c2: { w: mul(normal(4, [8, 8, 3, 3]), 0.2), b: normal(5, [8]) },
  fc: { w: mul(normal(6, [4, 128]), 0.1), b: normal(7, [4]) },
};
const target = normal(8, [3, 4]);
type Layer = (p: L, x: Tensor) => Tensor;
const cnnLoss = (c2: Layer = conv, fc: Layer = dense) => (p: Cnn) => {
  const h1 = maxPool2d(relu(conv(p.c1, x)), { kernel: 2 });
  const h2 = relu(c2(p.c2, h1));
  return mean(square(sub(fc(p.fc, reshape(h2, [3, 128])), target)));
};
const maskFor = (c2: Tensor, fc: Tensor) => ({ c1: { w: ones([8, 2, 3, 3]), b: ones([8]) }, c2: { w: c2, b: ones([8]) }, fc: { w: fc, b: ones([4]) } });

/**
 * The implicit form written by hand, for any 0/1 mask: y = a·(W⊙M)ᵀ + sg(a)·(W⊙(1−M))ᵀ has the
 * forward of y = a·Wᵀ, the dense weight gradient δaᵀ and the input gradient δ(W⊙M).
 */
const split = (m: Tensor, layer: Layer): Layer => (p, a) => {
  const kept = layer({ w: mul(p.w, m), b: p.b }, a);
  const rest = layer({ w: mul(p.w, sub(1, m)), b: mul(p.b, 0) }, stopGradient(a));
  return add(kept, rest);
};

describe('implicitOverride: an unchanged model with input gradients through W ⊙ M', () => {
  it('an all-ones mask gives exactly the dense value and gradients', () => {
    const mask = maskFor(ones([8, 8, 3, 3]), ones([4, 128]));
    const [l0, g0] = valueAndGrad(cnnLoss())(cnn);
    const [l1, g1] = implicitValueAndGrad(cnnLoss(), mask, { pattern: { n: 2, m: 4 } })(cnn);
    expect(l1.toArray()).toEqual(l0.toArray());
    for (const k of ['c1', 'c2', 'fc'] as const) {
      expect(g1[k].w.toArray()).toEqual(g0[k].w.toArray());
      expect(g1[k].b.toArray()).toEqual(g0[k].b.toArray());
    }
  });

  it('2:4 masks: the same numbers as the masked layers of maskedConvApply / maskedDenseApply, through the sparse kernels', () => {
    for (const kernel of ['ts', 'wasm'] as const) {
      const [m2, mf] = [nm(10, [8, 8, 3, 3], 2, 4), nm(11, [4, 128], 2, 4)];
      const o = { n: 2, m: 4, axis: 'in' as const, kernel };
      const imp = implicitOverride(maskFor(m2, mf), { pattern: o, kernel });
      const [l1, g1] = valueAndGrad(cnnLoss(), { override: imp.override })(cnn);
      imp.check();
      expect(imp.counts).toEqual({ sparse: 2, masked: 0 }); // conv2's and fc's input gradients
      const [l0, g0] = valueAndGrad(cnnLoss((p, a) => maskedConvApply(p, a, m2, o, { padding: 1 }), (p, a) => maskedDenseApply(p, a, mf, o)))(cnn);
      expect(l1.toArray()).toEqual(l0.toArray());
      for (const k of ['c1', 'c2', 'fc'] as const) expectAllClose(g1[k].w, g0[k].w, { rtol: 1e-6, atol: 1e-6 });
    }
  });

  it('grouped convolutions run on the compressed kernels: the gradients of the hand-written implicit form', () => {
    // conv2 with groups 2: filter [8, 4, 3, 3], output channels 0–3 read input channels 0–3, 4–7 read 4–7
    const grouped: Layer = (p, a) => add(conv2d(a, p.w, { padding: 1, groups: 2 }), reshape(p.b, [1, 8, 1, 1]));
    const params = { ...cnn, c2: { w: mul(normal(40, [8, 4, 3, 3]), 0.3), b: cnn.c2.b } };
    for (const [n, m] of [[2, 4], [1, 2]] as const)
      for (const kernel of ['ts', 'wasm'] as const) {
        const m2 = nm(41, [8, 4, 3, 3], n, m), mf = ones([4, 128]);
        const imp = implicitOverride(maskFor(m2, mf), { pattern: { n, m, axis: 'in' }, kernel });
        const [l1, g1] = valueAndGrad(cnnLoss(grouped), { override: imp.override })(params);
        imp.check();
        expect(imp.counts).toEqual({ sparse: 1, masked: 0 });
        const [l0, g0] = valueAndGrad(cnnLoss(split(m2, grouped)))(params);
        expectAllClose(l1, l0, { rtol: 1e-6, atol: 1e-6 });
        for (const k of ['c1', 'c2', 'fc'] as const) expectAllClose(g1[k].w, g0[k].w, { rtol: 1e-5, atol: 1e-6 });
        // and the masked path does change conv1's gradient (it lies below the masked layer)
        const [, gd] = valueAndGrad(cnnLoss(grouped))(params);
        expect(g1.c1.w.toArray()).not.toEqual(gd.c1.w.toArray());
      }
  });

  it('layers above the first masked layer get exactly the dense gradients; the layer below does not', () => {
    const mask = maskFor(nm(12, [8, 8, 3, 3], 2, 4), ones([4, 128]));
    const [, g0] = valueAndGrad(cnnLoss())(cnn);
    const [, g1] = implicitValueAndGrad(cnnLoss(), mask, { pattern: { n: 2, m: 4 } })(cnn);
    expect(g1.fc.w.toArray()).toEqual(g0.fc.w.toArray());
    expect(g1.c2.w.toArray()).toEqual(g0.c2.w.toArray()); // the masked layer's own weight gradient is dense
    expect(g1.c2.b.toArray()).toEqual(g0.c2.b.toArray());
    expect(g1.c1.w.toArray()).not.toEqual(g0.c1.w.toArray());
  });

  test.prop([fc.integer({ min: 0, max: 10_000 }), fc.constantFrom<[number, number]>([2, 4], [1, 2]), fc.constantFrom('in' as const, 'out' as const), fc.boolean()], { numRuns: 12 })(
    'any 0/1 mask (N:M or not) equals the hand-written split form',
    (seed, [n, m], axis, structured) =>
      ref(() => {
        const m2 = structured ? nm(seed, [8, 8, 3, 3], n, m, axis) : random.bernoulli(random.key(seed), 0.5, [8, 8, 3, 3]);
        const mf = structured ? nm(seed + 1, [4, 128], n, m, axis) : random.bernoulli(random.key(seed + 1), 0.5, [4, 128]);
        const [l1, g1] = implicitValueAndGrad(cnnLoss(), maskFor(m2, mf), { pattern: { n, m, axis }, kernel: 'ts' })(cnn);
        const [l0, g0] = valueAndGrad(cnnLoss(split(m2, conv), split(mf, dense)))(cnn);
        expectAllClose(l1, l0, { rtol: 1e-5, atol: 1e-6 });
        for (const k of ['c1', 'c2', 'fc'] as const) {
          expectAllClose(g1[k].w, g0[k].w, { rtol: 1e-4, atol: 1e-5 });
          expectAllClose(g1[k].b, g0[k].b, { rtol: 1e-4, atol: 1e-5 });
        }
      }),
  );

  it('an all-zero mask stops every input gradient below that layer', () => {
    const mask = maskFor(ones([8, 8, 3, 3]), tensor(new Float32Array(512), [4, 128]));
    const [, g] = implicitValueAndGrad(cnnLoss(), mask)(cnn);
    expect(Math.max(...Array.from(g.c2.w.toArray(), Math.abs))).toBe(0);
    expect(Math.max(...Array.from(g.fc.w.toArray(), Math.abs))).toBeGreaterThan(0);
  });

  it('masks on vectors (biases) change nothing: an unstructured mask that cuts biases runs and equals the weights-only mask', () => {
    const m2 = random.bernoulli(random.key(30), 0.5, [8, 8, 3, 3]);
    const cut = { ...maskFor(m2, ones([4, 128])), c2: { w: m2, b: tensor([1, 0, 1, 0, 0, 0, 1, 1]) } };
    const [, g1] = implicitValueAndGrad(cnnLoss(), cut, { kernel: 'ts' })(cnn);
    const [, g0] = implicitValueAndGrad(cnnLoss(), maskFor(m2, ones([4, 128])), { kernel: 'ts' })(cnn);
    expect(g1.c1.w.toArray()).toEqual(g0.c1.w.toArray());
  });

  it('refuses a mask with another number of leaves than the params', () => {
    const imp = implicitOverride({ c2: maskFor(nm(31, [8, 8, 3, 3], 2, 4), ones([4, 128])).c2 });
    expect(() => valueAndGrad(cnnLoss(), { override: imp.override })(cnn)).toThrow(/implicitOverride: the mask has 2 leaves but the differentiated argument has 6/);
  });

  it('refuses a model that uses a masked weight only through another op, and a mask of another structure', () => {
    const mlp = { w: normal(20, [4, 8]), v: normal(21, [4, 3]) };
    const h = normal(22, [5, 8]);
    const f = (p: typeof mlp) => mean(square(matmul(tanh(matmul(h, transpose(p.w, [1, 0]))), p.v)));
    const mask = { w: nm(23, [4, 8], 2, 4), v: ones([4, 3]) };
    expect(() => implicitValueAndGrad(f, mask)(mlp)).toThrow(/masked parameter leaves 'w' \[4, 8\] took part in the backward pass but never as the weight of a matmul or conv2d/);
    expect(() => implicitValueAndGrad(f, { w: mask.w })(mlp)).toThrow(/implicitValueAndGrad: mask must have the structure/);
    expect(() => implicitValueAndGrad(f, { w: mul(mask.w, 2), v: mask.v })(mlp)).toThrow(/mask leaves must be 0\/1; found 2/);
  });
});
