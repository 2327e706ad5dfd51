import { toBatch, type Augmentation, type Dataset } from '@ssam/data';
import { accuracy, softmaxCrossEntropy, type Layer } from '@ssam/models';
import type { Tensor } from '@ssam/tensor';
import type { TrainState } from './step.js';

/** Evaluation in eval mode over a whole data set: mean loss and accuracy. */
export function evaluate(model: Layer, s: TrainState, ds: Dataset, transform: Augmentation | undefined, batchSize = 1000): { loss: number; acc: number } {
  let lossSum = 0;
  let correct = 0;
  for (let start = 0; start < ds.length; start += batchSize) {
    const idx = Int32Array.from({ length: Math.min(batchSize, ds.length - start) }, (_, i) => start + i);
    const host = ds.hostBatch(idx);
    const b = toBatch(transform ? transform.host(host, undefined) : host);
    const [logits] = model.apply(s.params, s.modelState, b.x, { train: false });
    const l = softmaxCrossEntropy(logits as Tensor, b.y, { reduction: 'sum' }).item();
    lossSum += l;
    correct += Math.round(accuracy(logits as Tensor, b.y) * idx.length);
  }
  return { loss: lossSum / ds.length, acc: correct / ds.length };
}

