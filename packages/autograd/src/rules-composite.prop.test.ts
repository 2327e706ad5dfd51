// Composites need no rules of their own; these rows check that differentiating through their
// primitives gives the right derivatives (and exercise the driver's broadcast reduction).
import fc from 'fast-check';
import { describe } from 'vitest';
import {
  argmax, cast, clip, expandDims, flatten, gelu, leakyRelu, logSoftmax, logSumExp, matmul, mean, min, mul, neg, norm, oneHot, relu,
  sigmoid, softmax, square, squeeze, stack, sum, tanh, tensor, variance, vdot, type Tensor,
} from '@ssam/tensor';
import { arbShape, arbTensor, arbTensorOf, row, rowC, runRows } from './arb.test-util.js';

const withAxis = (d: 'any' | 'distinct' = 'any') =>
  arbShape(3, 4, 1).chain((s) => fc.record({ x: arbTensorOf(s, d), c: fc.integer({ min: -s.length, max: s.length - 1 }) }));

describe('VJP through composites', () => {
  runRows([
    row('square', arbTensor('any'), square),
    row('relu (away from 0)', arbTensor('away'), relu),
    row('leakyRelu (away from 0)', arbTensor('away'), (x: Tensor) => leakyRelu(x, 0.1)),
    row('sigmoid', arbTensor('any'), sigmoid),
    row('tanh', arbTensor('any'), tanh),
    row('gelu', arbTensor('any'), gelu),
    rowC('logSumExp (axis)', withAxis(), (x, axis) => logSumExp(x, { axes: axis })),
    rowC('logSoftmax (axis)', withAxis(), (x, axis) => logSoftmax(x, axis)),
    rowC('softmax (axis)', withAxis(), (x, axis) => softmax(x, axis)),
    row('clip (away from the bounds)', arbTensor('gridOdd'), (x: Tensor) => clip(x, -1, 1)),
    row('norm (away from 0)', arbTensor('away'), (x: Tensor) => norm(x)),
    rowC('mean (axis)', withAxis(), (x, axis) => mean(x, { axes: axis })),
    rowC('variance (axis, keepdims)', withAxis(), (x, axis) => variance(x, { axes: axis, keepdims: true })),
    rowC('min (distinct values)', withAxis('distinct'), (x, axis) => min(x, { axes: axis })),
    row('stack, expandDims, squeeze, flatten', arbShape(2, 3, 1).chain((s) => fc.tuple(arbTensorOf(s), arbTensorOf(s))), ([a, b]: [Tensor, Tensor]) =>
      flatten(squeeze(expandDims(stack([a, neg(b), mul(a, b)], 1), 0), 0), 0)),
    row('vdot', arbShape(2, 4, 1).chain((s) => fc.tuple(arbTensorOf(s), arbTensorOf(s))), ([a, b]: [Tensor, Tensor]) => vdot(a, b)),
    row(
      'matmul with rank-1 operands (vector·matrix, matrix·vector, vector·vector)',
      fc.tuple(fc.integer({ min: 1, max: 4 }), fc.integer({ min: 1, max: 4 })).chain(([m, k]) => fc.tuple(arbTensorOf([k]), arbTensorOf([k, m]), arbTensorOf([m]))),
      ([v, a, u]: [Tensor, Tensor, Tensor]) => [matmul(v, a), matmul(a, u), matmul(v, v)],
    ),
    rowC(
      'softmax cross-entropy with one-hot labels',
      fc.tuple(fc.integer({ min: 1, max: 4 }), fc.integer({ min: 2, max: 5 })).chain(([b, c]) =>
        fc.record({ x: arbTensorOf([b, c]), c: fc.array(fc.integer({ min: 0, max: c - 1 }), { minLength: b, maxLength: b }).map((l) => tensor(l, [b], { dtype: 'int32' })) }),
      ),
      (logits, labels) => neg(mean(sum(mul(oneHot(labels, logits.shape[1]!), logSoftmax(logits)), { axes: -1 }))),
    ),
    row('argmax (an integer path: zero derivative)', arbShape(2, 4, 1).chain((s) => arbTensorOf(s, 'distinct')), (x: Tensor) => mul(x, sum(cast(argmax(x), 'float32')))),
    row(
      'integer leaves in x get zero cotangents',
      fc.tuple(arbTensorOf([3]), fc.array(fc.integer({ min: -3, max: 3 }), { minLength: 3, maxLength: 3 })).map(([a, i]) => ({ a, i: tensor(i, [3], { dtype: 'int32' }) })),
      ({ a, i }: { a: Tensor; i: Tensor }) => mul(a, cast(i, 'float32')),
    ),
  ]);
});
