import { argmax, equal, logSoftmax, mul, neg, oneHot, sum, type Tensor } from '@ssam/tensor';

/** Per-example softmax cross-entropy `[N]` from logits `[N, C]` and int32 labels `[N]` (stable). */
export function perExampleCrossEntropy(logits: Tensor, labels: Tensor): Tensor {
  return neg(sum(mul(logSoftmax(logits, -1), oneHot(labels, logits.shape[1]!)), { axes: -1 }));
}

/** Number of rows whose argmax equals the label. */
export function correctCount(logits: Tensor, labels: Tensor): number {
  if (logits.rank !== 2 || labels.rank !== 1) return Number.NaN;
  return sum(equal(argmax(logits, 1), labels)).item();
}
