// One row per elementwise primitive (and the comparisons and select), checked by finite differences
// on random small shapes with broadcasting: first order, forward mode and second order.
import fc from 'fast-check';
import { describe } from 'vitest';
import {
  abs, add, addcmul, div, exp, greater, log, maximum, minimum, mul, neg, pow, sign, sqrt, sub, where, cast, type Tensor,
} from '@ssam/tensor';
import { arbPair, arbTensor, arbBroadcastShapes, arbTensorOf, row, runRows } from './arb.test-util.js';

type P = [Tensor, Tensor];

describe('VJP rules: elementwise primitives', () => {
  runRows([
    row('neg', arbTensor('any'), neg),
    row('abs (away from 0)', arbTensor('away'), abs),
    row('exp', arbTensor('any'), exp),
    row('log (positive)', arbTensor('pos'), log),
    row('sqrt (positive)', arbTensor('pos'), sqrt),
    row('sign (zero derivative away from 0)', arbTensor('away'), sign),
    row('add (broadcast)', arbPair('any', 'any'), ([a, b]: P) => add(a, b)),
    row('sub (broadcast)', arbPair('any', 'any'), ([a, b]: P) => sub(a, b)),
    row('mul (broadcast)', arbPair('any', 'any'), ([a, b]: P) => mul(a, b)),
    row(
      'addcmul (3-way broadcast)',
      arbBroadcastShapes().chain(([sa, sb]) => fc.tuple(arbTensorOf(sb, 'any'), arbTensorOf(sa, 'any'), arbTensorOf(sb, 'any'))),
      ([x, a, b]: [Tensor, Tensor, Tensor]) => addcmul(x, a, b, -0.7),
    ),
    row('div (broadcast, positive divisor)', arbPair('any', 'pos'), ([a, b]: P) => div(a, b)),
    row('pow (positive base, broadcast)', arbPair('pos', 'any'), ([a, b]: P) => pow(a, b)),
    // x³ has f''' = 6, so central differences are off by h² · t³ ≈ 1e-4 near x = 0.
    row('pow (constant integer exponent, any base)', arbTensor('any'), (a: Tensor) => pow(a, 3), { tol: { atol: 1e-3 } }),
    row('maximum (broadcast, no ties)', arbPair('grid', 'gridOdd'), ([a, b]: P) => maximum(a, b)),
    row('minimum (broadcast, no ties)', arbPair('grid', 'gridOdd'), ([a, b]: P) => minimum(a, b)),
    row('compare (zero derivative)', arbPair('grid', 'gridOdd'), ([a, b]: P) => add(greater(a, b), a)),
    row(
      'where (mask computed from the input, broadcast)',
      arbBroadcastShapes().chain(([sa, sb]) => fc.tuple(arbTensorOf(sa, 'away'), arbTensorOf(sb, 'any'), arbTensorOf(sb, 'any'))),
      ([c, a, b]: [Tensor, Tensor, Tensor]) => where(greater(c, 0), mul(a, c), b),
    ),
    row(
      'where (a live float condition gets a zero cotangent)',
      arbPair('away', 'any'),
      ([c, b]: P) => where(c, mul(c, c), b),
    ),
    row('cast float → int → float (zero derivative, values away from integers)', arbTensor('gridOdd'), (x: Tensor) => mul(x, cast(cast(mul(x, 3), 'int32'), 'float32'))),
  ]);
});
