import { toBatch, type Augmentation, type Dataset } from '@ssam/data';
import { softmaxCrossEntropy, type Layer } from '@ssam/models';
import { makeTrainStep, type GradientTransformation } from '@ssam/optim';
import { random, type Key, type Tensor, type Tree } from '@ssam/tensor';

/** Everything one training step reads and writes: a pure value, checkpointed as it is. */
export interface TrainState {
  readonly params: Tree;
  readonly modelState: Tree;
  readonly optState: Tree<unknown>;
}

export interface StepMetrics {
  readonly loss: number;
  readonly acc: number;
  /** ‖ε‖ of the SAM ascent (0 for SGD and steps without one). */
  readonly epsNorm: number;
  /** Fraction of entries the perturbation touches (1 for SAM, NaN for SGD: no perturbation at all). */
  readonly maskDensity: number;
}

export type StepResult = { readonly ok: true; readonly state: TrainState; readonly metrics: StepMetrics } | { readonly ok: false; readonly what: string };

export interface StepOptions {
  readonly model: Layer;
  readonly optimizer: GradientTransformation<any>;
  /** False for plain SGD: its mask density is reported as "none" rather than 0. */
  readonly perturbs: boolean;
  readonly labelSmoothing: number;
  /** Where SSAM-F draws its Fisher examples from (un-augmented, normalised like the test set). */
  readonly fisherPool: Dataset;
  readonly fisherTransform: Augmentation | undefined;
  /** Examples per forward pass of the Fisher computation (same result, different speed). */
  readonly fisherChunk: number;
  /** Each pass as one compiled plan (`--compile`); bit-identical to eager. */
  readonly compile: boolean;
}

/**
 * One step of @ssam/optim's `makeTrainStep` (pass 1, the mask refresh, pass 2 when the optimizer
 * asks, the update; the model state of the clean pass is kept), with SSAM-F's Fisher examples drawn
 * from the whole training set by the step's key. A step the train step skips (a non-finite loss or
 * gradient in either pass) comes back as `ok: false`: the caller stops the run.
 *
 * `key` is this step's key; the caller derives it from the run key and the global step, so a
 * resumed run sees the same keys.
 */
export function makeStep(o: StepOptions): (s: TrainState, batch: { x: Tensor; y: Tensor }, key: Key) => StepResult {
  const pool = o.fisherPool;
  const step = makeTrainStep({
    model: o.model as never,
    loss: (logits, y) => softmaxCrossEntropy(logits, y, { labelSmoothing: o.labelSmoothing }),
    optimizer: o.optimizer,
    compile: o.compile,
    fisher: {
      sample: (key, n) => {
        const idx = (random.permutation(key, pool.length).toArray() as Int32Array).subarray(0, Math.min(n, pool.length));
        const host = pool.hostBatch(idx);
        return toBatch(o.fisherTransform ? o.fisherTransform.host(host, undefined) : host);
      },
      perExampleLoss: (logits, y) => softmaxCrossEntropy(logits, y, { labelSmoothing: o.labelSmoothing, reduction: 'none' }),
      chunkSize: o.fisherChunk,
    },
  });
  return (s, batch, key) => {
    const r = step(s.params, s.modelState, s.optState, batch, key);
    const m = r.metrics;
    if (m.skipped) {
      // The step names its own reason (makeTrainStep's skipReason), so an 'update' skip is not
      // blamed on the perturbed pass.
      const what = m.skipReason === 'loss' ? `the training loss is ${m.loss}`
        : m.skipReason === 'gradient' ? `the gradient norm is ${m.gradNorm}`
        : m.skipReason === 'perturbed' ? `the loss at the perturbed point is ${m.perturbedLoss} (or its gradient is not finite)`
        : `the optimizer's update is not finite (e.g. a NaN learning-rate schedule)`;
      return { ok: false, what };
    }
    return {
      ok: true,
      state: { params: r.params, modelState: r.modelState as Tree, optState: r.optState },
      metrics: { loss: m.loss, acc: m.accuracy, epsNorm: m.epsNorm, maskDensity: o.perturbs ? m.maskDensity : Number.NaN },
    };
  };
}
