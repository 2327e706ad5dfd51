import { ArgumentError, DTypeError, ShapeError, add, logSoftmax, mean, mul, neg, oneHot, sum, type Tensor } from '@ssam/tensor';
import { dataOf } from '@ssam/tensor/trace';
import { fmt } from './internal/check.js';

export interface CrossEntropyOptions {
  /** ε in [0, 1): how much target mass moves off the true class (default 0). */
  readonly labelSmoothing?: number;
  /**
   * How ε is spread (default 'uniform'):
   * - 'uniform': PyTorch `CrossEntropyLoss(label_smoothing=ε)`, target (1 − ε)·onehot + ε/C;
   * - 'kl': the `smooth_crossentropy` of the PyTorch SAM examples (davda54/sam), target 1 − ε on
   *   the true class and ε/(C − 1) on each other class, loss KL(target ‖ softmax) — the cross
   *   entropy minus the target's entropy, so a perfect prediction scores 0.
   */
  readonly smoothing?: 'uniform' | 'kl';
  /** 'mean' over the batch (default), 'sum', or 'none' for per-example losses [N]. */
  readonly reduction?: 'mean' | 'sum' | 'none';
}

const xlogx = (x: number): number => (x > 0 ? x * Math.log(x) : 0);

/**
 * Softmax cross-entropy from logits and integer labels, via logSoftmax (stable for large logits):
 * ℓᵢ = −Σ_c tᵢ꜀ · log softmax(zᵢ)꜀ with t the (possibly smoothed) one-hot target.
 * @param logits [N, C] float32
 * @param labels [N] int32 in [0, C)
 * @returns a rank-0 tensor (mean or sum) or [N] with `reduction: 'none'`
 * @example softmaxCrossEntropy(logits, labels, { labelSmoothing: 0.1, smoothing: 'kl' })
 */
export function softmaxCrossEntropy(logits: Tensor, labels: Tensor, opts: CrossEntropyOptions = {}): Tensor {
  const eps = opts.labelSmoothing ?? 0;
  const form = opts.smoothing ?? 'uniform';
  const reduction = opts.reduction ?? 'mean';
  if (logits.rank !== 2) throw new ShapeError('softmaxCrossEntropy', `logits must be [N, C], got ${fmt(logits.shape)}; flatten extra axes first`);
  if (labels.dtype !== 'int32') throw new DTypeError('softmaxCrossEntropy', `labels must be int32 class indices, got ${labels.dtype}; cast(labels, 'int32')`);
  if (labels.rank !== 1 || labels.shape[0] !== logits.shape[0])
    throw new ShapeError('softmaxCrossEntropy', `labels ${fmt(labels.shape)} must be [N] for logits ${fmt(logits.shape)}`);
  if (!(eps >= 0 && eps < 1)) throw new ArgumentError('softmaxCrossEntropy', `labelSmoothing must be in [0, 1), got ${eps}`);
  if (form !== 'uniform' && form !== 'kl') throw new ArgumentError('softmaxCrossEntropy', `smoothing must be 'uniform' or 'kl', got ${JSON.stringify(form)}`);
  if (!['mean', 'sum', 'none'].includes(reduction)) throw new ArgumentError('softmaxCrossEntropy', `reduction must be 'mean', 'sum' or 'none', got ${JSON.stringify(reduction)}`);
  const c = logits.shape[1]!;
  // NOTE: dataOf, not toArray: a value check is not a host read of the result, so a compiled step
  // may contain it; it runs on the labels of the tracing call only (the plan does not re-run it).
  const data = dataOf(labels);
  for (let i = 0; i < data.length; i++)
    if (data[i]! < 0 || data[i]! >= c) throw new ArgumentError('softmaxCrossEntropy', `label ${data[i]} at position ${i} is outside [0, ${c})`);
  if (form === 'kl' && eps > 0 && c < 2) throw new ArgumentError('softmaxCrossEntropy', `the 'kl' smoothing needs at least 2 classes, got ${c}`);

  const logp = logSoftmax(logits, -1);
  const hot = oneHot(labels, c);
  let perExample: Tensor;
  if (eps === 0) perExample = neg(sum(mul(logp, hot), { axes: -1 }));
  else {
    // target = onHot·(on − off) + off, so −Σ t·logp = −(on − off)·logp[y] − off·Σ logp.
    const off = form === 'uniform' ? eps / c : eps / (c - 1);
    const on = form === 'uniform' ? 1 - eps + eps / c : 1 - eps;
    const picked = sum(mul(logp, hot), { axes: -1 });
    const all = sum(logp, { axes: -1 });
    perExample = neg(add(mul(picked, on - off), mul(all, off)));
    // NOTE: KL adds Σ t·log t (a constant, with 0·log 0 = 0), as torch.nn.functional.kl_div does.
    if (form === 'kl') perExample = add(perExample, xlogx(on) + (c - 1) * xlogx(off));
  }
  if (reduction === 'none') return perExample;
  return reduction === 'sum' ? sum(perExample) : mean(perExample);
}
