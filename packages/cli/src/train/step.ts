import { valueAndGrad } from '@ssam/autograd';
import { toBatch, type Augmentation, type Dataset } from '@ssam/data';
import { fisherScores } from '@ssam/masks';
import { accuracy, softmaxCrossEntropy, type Layer } from '@ssam/models';
import { applyUpdates, type FisherSampler, type GradientTransformation } from '@ssam/optim';
import { isTensor, random, type Key, type Tensor, type Tree } from '@ssam/tensor';

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
  /** Fraction of entries the perturbation touches (1 for SAM, NaN for SGD). */
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
}

const scalarOf = (t: unknown): number => (isTensor(t) ? t.item() : Number.NaN);

/**
 * One step: pass 1 (loss, gradients and the new model state at w), then the optimizer, which for
 * the SAM family calls pass 2 through `gradFn` (gradients at w + ε on the same batch; the model
 * state of pass 2 is dropped) and for SSAM-F draws Fisher examples through `fisher`. A non-finite
 * loss returns `ok: false` and touches nothing.
 *
 * `key` is this step's key (dropout, Fisher sample); the caller derives it from the run key and
 * the global step, so a resumed run sees the same keys.
 */
export function makeStep(o: StepOptions): (s: TrainState, batch: { x: Tensor; y: Tensor }, key: Key) => StepResult {
  const lossFn = (x: Tensor, y: Tensor, modelState: Tree, key: Key) => (p: Tree) => {
    const [logits, state] = o.model.apply(p, modelState, x, { train: true, key });
    return [softmaxCrossEntropy(logits as Tensor, y, { labelSmoothing: o.labelSmoothing }), { logits: logits as Tensor, state }] as const;
  };
  const perExample = (modelState: Tree) => (p: Tree, b: Tree): Tensor => {
    const { x, y } = b as { x: Tensor; y: Tensor };
    const [logits] = o.model.apply(p, modelState, x, { train: false });
    return softmaxCrossEntropy(logits as Tensor, y, { labelSmoothing: o.labelSmoothing, reduction: 'none' });
  };
  return (s, { x, y }, key) => {
    const [kPass, kFisher] = random.split(key, 2) as [Key, Key];
    const f = lossFn(x, y, s.modelState, kPass);
    const [[loss, aux], grads] = valueAndGrad(f, { hasAux: true })(s.params);
    const lossValue = loss.item();
    if (!Number.isFinite(lossValue)) return { ok: false, what: `the training loss is ${lossValue}` };
    const gradFn = (w: Tree) => valueAndGrad(f, { hasAux: true })(w)[1];
    const fisher: FisherSampler = (p, n) => {
      const pool = o.fisherPool;
      const idx = (random.permutation(kFisher, pool.length).toArray() as Int32Array).subarray(0, Math.min(n, pool.length));
      const host = pool.hostBatch(idx);
      const b = toBatch(o.fisherTransform ? o.fisherTransform.host(host, undefined) : host);
      return fisherScores(perExample(s.modelState), p, { x: b.x, y: b.y }, { numSamples: idx.length, chunkSize: o.fisherChunk });
    };
    const [updates, optState] = o.optimizer.update(grads, s.optState, s.params, { gradFn, fisher });
    const params = applyUpdates(s.params, updates);
    const stats = (optState as { stats?: { epsNorm?: Tensor; maskDensity?: Tensor } }).stats;
    return {
      ok: true,
      state: { params, modelState: aux.state, optState },
      metrics: { loss: lossValue, acc: accuracy(aux.logits, y), epsNorm: stats ? scalarOf(stats.epsNorm) : 0, maskDensity: o.perturbs && stats ? scalarOf(stats.maskDensity) : Number.NaN },
    };
  };
}
