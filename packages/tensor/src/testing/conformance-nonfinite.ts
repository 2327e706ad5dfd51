import { conv2d, conv2dBackFilter, conv2dBackInput, type Conv2dOptions } from '../ops/conv.js';
import { tensor } from '../ops/creation.js';
import { sum } from '../ops/reduce.js';
import type { PrimName } from '../primitives.js';
import type { Shape } from '../shape.js';
import type { Tensor } from '../tensor.js';

type Def = (prim: PrimName, label: string, ins: readonly (() => Tensor)[], run: (xs: readonly Tensor[]) => Tensor, tolScale: number, expected: readonly number[]) => void;
type Run = (xs: readonly Tensor[]) => Tensor;

const lit = (values: readonly number[], shape: Shape) => () => tensor([...values], shape);

/**
 * Non-finite propagation (IEEE). A kernel may not skip a zero operand: 0·NaN and 0·±∞ are NaN,
 * ∞ − ∞ is NaN. Each case pins the exact result, so the reference backend is checked too, not just
 * compared with itself. NOTE: no case puts a non-finite weight over padding, where backends differ
 * (the reference multiplies the padding's zeros, gpu.js skips padded taps).
 */
export function nonFiniteCases(def: Def, mm: (transposeA?: boolean, transposeB?: boolean) => Run): void {
  const N = NaN, INF = Infinity;
  def('matmul', 'non-finite: 0·NaN, 0·∞ and ∞ − ∞ are NaN',
    [lit([0, 1, 0, 0, 1, 2, 1, 1], [4, 2]), lit([N, 1, 2, INF], [2, 2])], mm(), 2,
    [N, INF, N, N, N, INF, N, INF]);
  def('matmul', 'non-finite: ∞ − ∞ in one dot product, −∞ behind a zero (a transposed)',
    [lit([1, 0, 1, 0], [2, 2]), lit([INF, -INF, -INF, 3], [2, 2])], mm(true), 2,
    [N, -INF, N, N]);
  def('matmul', 'non-finite: a row of zeros times NaN, batched [2, 1, 3] · [3, 1]',
    [lit([0, 0, 0, 0, 0, 1], [2, 1, 3]), lit([N, 1, 1], [3, 1])], mm(), 3,
    [N, N]);
  const nonFiniteConv: Conv2dOptions = { padding: 1 };
  def('conv2d', 'non-finite: a NaN pixel under zero weights, pad 1',
    [lit([1, 2, 3, 4, N, 6, 7, 8, 9], [1, 1, 3, 3]), lit([0, 0, 0, 0], [1, 1, 2, 2])], ([x, w]) => conv2d(x!, w!, nonFiniteConv), 4,
    [0, 0, 0, 0, 0, N, N, 0, 0, N, N, 0, 0, 0, 0, 0]);
  def('conv2d', 'non-finite: an ∞ weight over zero pixels',
    [lit([0, 0, 0, 0, 0, 0, 0, 0, 0], [1, 1, 3, 3]), lit([INF, 0, 0, 0], [1, 1, 2, 2])], ([x, w]) => conv2d(x!, w!), 4,
    [N, N, N, N]);
  def('conv2dBackInput', 'non-finite: a NaN gradient under zero weights',
    [lit([N, 0, 0, 0], [1, 1, 2, 2]), lit([0, 0, 0, 0], [1, 1, 2, 2])], ([dy, w]) => conv2dBackInput(dy!, w!, [1, 1, 3, 3]), 4,
    [N, N, 0, N, N, 0, 0, 0, 0]);
  def('conv2dBackFilter', 'non-finite: a NaN pixel under a zero gradient',
    [lit([N, 1, 1, 1, 1, 1, 1, 1, 1], [1, 1, 3, 3]), lit([0, 0, 0, 0], [1, 1, 2, 2])], ([x, dy]) => conv2dBackFilter(x!, dy!, [1, 1, 2, 2]), 4,
    [N, 0, 0, 0]);
  def('sum', 'non-finite: ∞ + (−∞) is NaN, NaN survives zeros',
    [lit([INF, -INF, 1, 0, N, 0], [2, 3])], ([x]) => sum(x!, { axes: 1 }), 3,
    [N, N]);
}
