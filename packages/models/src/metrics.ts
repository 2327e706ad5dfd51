import { ArgumentError, DTypeError, ShapeError, type Tensor } from '@ssam/tensor';
import { fmt } from './internal/check.js';

function check(op: string, logits: Tensor, labels: Tensor, k: number): void {
  if (logits.rank !== 2) throw new ShapeError(op, `logits must be [N, C], got ${fmt(logits.shape)}`);
  if (labels.dtype !== 'int32') throw new DTypeError(op, `labels must be int32, got ${labels.dtype}`);
  if (labels.rank !== 1 || labels.shape[0] !== logits.shape[0]) throw new ShapeError(op, `labels ${fmt(labels.shape)} must be [N] for logits ${fmt(logits.shape)}`);
  if (!Number.isInteger(k) || k < 1 || k > logits.shape[1]!) throw new ArgumentError(op, `k must be an integer in [1, ${logits.shape[1]}], got ${k}`);
}

/**
 * Number of examples whose label is among the k highest logits. Ties rank the lower class index
 * first (as argmax picks the first maximum), so k = 1 agrees with argmax.
 * @param logits [N, C]
 * @param labels [N] int32
 */
export function topKCorrect(logits: Tensor, labels: Tensor, k: number): number {
  check('topKCorrect', logits, labels, k);
  const [n, c] = logits.shape as [number, number];
  const z = logits.toArray(), y = labels.toArray();
  let correct = 0;
  for (let i = 0; i < n; i++) {
    const row = i * c, t = y[i]!, zt = z[row + t]!;
    if (t < 0 || t >= c) throw new ArgumentError('topKCorrect', `label ${t} at position ${i} is outside [0, ${c})`);
    let rank = 0;
    for (let j = 0; j < c && rank < k; j++) {
      const zj = z[row + j]!;
      if (zj > zt || (zj === zt && j < t) || Number.isNaN(zt)) rank++;
    }
    if (rank < k) correct++;
  }
  return correct;
}

/**
 * Fraction of examples whose label is among the k highest logits (top-k accuracy), in [0, 1].
 * @example topKAccuracy(logits, labels, 5)
 */
export function topKAccuracy(logits: Tensor, labels: Tensor, k: number): number {
  const n = logits.shape[0] ?? 0;
  const correct = topKCorrect(logits, labels, k);
  return n === 0 ? 0 : correct / n;
}

/**
 * Fraction of examples with argmax(logits) = label, in [0, 1].
 * @param logits [N, C]
 * @param labels [N] int32
 */
export function accuracy(logits: Tensor, labels: Tensor): number {
  return topKAccuracy(logits, labels, 1);
}
