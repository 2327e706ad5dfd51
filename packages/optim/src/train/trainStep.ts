import { valueAndGrad, type VjpOverride } from '@ssam/autograd';
import { fisherScores } from '@ssam/masks';
import { implicitOverride } from '@ssam/sparse';
import { ArgumentError, isTensor, random, type Key, type Tensor, type Tree } from '@ssam/tensor';
import { applyUpdates } from '../combine.js';
import { globalNorm, squaredNorm } from '../internal/norm.js';
import { checkOneOf, checkPositiveInt, checkSameLayout } from '../internal/validate.js';
import type { SamStats } from '../sam/core.js';
import type { GradientTransformation, OptState, Params, Updates } from '../types.js';
import { allFinite } from './finite.js';
import { correctCount, perExampleCrossEntropy } from './loss.js';
import { splitBatch, weightedMean, type Batch } from './microbatch.js';

/** The part of an @ssam/models layer a train step needs: `apply(params, state, x, { train, key })`. */
export interface Model {
  apply(params: Params, state: Tree, x: Tensor, ctx: { readonly train: boolean; readonly key?: Key }): readonly [unknown, Tree];
}

/** `S` is the optimizer's state type; the step's `optState` argument and result keep it. */
export interface TrainStepOptions<S = OptState> {
  readonly model: Model;
  /** Mean loss of a batch from logits and labels, e.g. `softmaxCrossEntropy`. */
  readonly loss: (logits: Tensor, labels: Tensor) => Tensor;
  readonly optimizer: GradientTransformation<S>;
  /**
   * Which model state (BatchNorm statistics) survives a SAM step. 'clean' (default): pass 1's;
   * pass 2 starts from the input state and its update is dropped. 'perturbed': pass 2's, started
   * from the input state. 'both': pass 2 starts from pass 1's state and its update is kept, so the
   * statistics move twice per step (the SSAM reference code).
   */
  readonly modelStatePolicy?: 'clean' | 'perturbed' | 'both';
  /** Gradient accumulation: split each batch into k micro-batches; the gradient is their example-weighted MEAN. */
  readonly microBatches?: number;
  /** How SSAM-F gets its Fisher examples (the model runs in eval mode; model state is never changed). */
  readonly fisher?: {
    /** Draws `numSamples` training examples with true labels; default: a random subset of the current batch. */
    readonly sample?: (key: Key, numSamples: number) => Batch;
    /** Per-example losses [N] from logits and labels; default per-example softmax cross-entropy. */
    readonly perExampleLoss?: (logits: Tensor, labels: Tensor) => Tensor;
    /** Examples per forward pass of the Fisher computation (see @ssam/masks fisherScores). */
    readonly chunkSize?: number;
  };
}

/**
 * Why a step was a no-op (params, model state and optimizer state returned unchanged): which
 * quantity was not finite. `'loss'` and `'gradient'` are pass 1's, `'perturbed'` is pass 2's loss
 * or gradient at w + ε, `'update'` is the optimizer's final update (e.g. an overflow in Adam's
 * moments, or a custom transform dividing by zero).
 */
export type SkipReason = 'loss' | 'gradient' | 'perturbed' | 'update';

/** What one step reports. Numbers (and the skip reason), ready to log. */
export interface TrainMetrics {
  /** Pass-1 (clean) mean loss. */
  readonly loss: number;
  /** Pass-1 accuracy on the batch (train mode). */
  readonly accuracy: number;
  /** ‖g‖ of pass 1. */
  readonly gradNorm: number;
  /** ‖ε‖ of the ascent (0 without one). */
  readonly epsNorm: number;
  /** Fraction of entries perturbed (1 for SAM, 0 for a base optimizer). */
  readonly maskDensity: number;
  /** How many times pass 2 ran: 1 on a SAM step, 0 otherwise. */
  readonly gradFnCalls: number;
  /** Mean loss at the perturbed point (NaN when pass 2 did not run). */
  readonly perturbedLoss: number;
  /** 1 when a non-finite loss, gradient or update made the step a no-op, else 0. */
  readonly skipped: number;
  /** Which one was not finite when `skipped` is 1; null otherwise. */
  readonly skipReason: SkipReason | null;
  /**
   * Implicit form only: how many input gradients of pass 1 went through the compressed N:M
   * kernels (`sparse`) and through a dense W ⊙ M (`masked`, masks that are not N:M); 0 otherwise.
   */
  readonly implicitProducts: { readonly sparse: number; readonly masked: number };
}

export interface TrainStepResult<S = OptState> {
  readonly params: Params;
  readonly modelState: Tree;
  /** The optimizer's state, with the type of its `init` (so `optState = r.optState` type-checks). */
  readonly optState: S;
  readonly metrics: TrainMetrics;
}

export type TrainStep<S = OptState> = (params: Params, modelState: Tree, optState: S, batch: Batch, key: Key) => TrainStepResult<S>;

/** The SAM-family statistics inside an optimizer state (searched through chains), if any. */
export function samStats(state: OptState): SamStats | undefined {
  if (state === null || typeof state !== 'object' || isTensor(state)) return undefined;
  const o = state as Record<string, unknown>;
  const s = o.stats as Partial<SamStats> | undefined;
  if (s && isTensor(s.epsNorm) && isTensor(s.maskDensity) && isTensor(s.gradFnCalls)) return s as SamStats;
  for (const v of Array.isArray(state) ? state : Object.values(o)) {
    const found = samStats(v as OptState);
    if (found) return found;
  }
  return undefined;
}

/**
 * Builds a pure training step `(params, modelState, optState, batch, key) → { params, modelState,
 * optState, metrics }` that wires pass 1 (loss, g, clean model state), the mask refresh (SSAM-F's
 * Fisher sampler), pass 2 (`gradFn`, only when the optimizer asks) and the update. For the
 * implicit form (`optimizer.implicit`) the mask is refreshed first and pass 1 back-propagates
 * input gradients through W ⊙ M (@ssam/sparse `implicitOverride`); ‖g‖ is then ‖g̃‖. Plain
 * optimizers run one pass. A non-finite loss or gradient in either pass, or a non-finite update,
 * returns the inputs unchanged with `metrics.skipped = 1` and `metrics.skipReason` saying which.
 * An update whose tree, shapes or dtypes differ from the params is a bug, not bad data: it throws.
 * @example
 * const step = makeTrainStep({ model, loss: softmaxCrossEntropy, optimizer: sam({ rho: 0.05, base: sgd({ lr: 0.1 }) }) });
 * ({ params, modelState, optState, metrics } = step(params, modelState, optState, { x, y }, key));
 */
export function makeTrainStep<S>(options: TrainStepOptions<S>): TrainStep<S> {
  const op = 'makeTrainStep';
  const { model, loss, optimizer } = options;
  if (!model || typeof model.apply !== 'function') throw new ArgumentError(op, 'model must have apply(params, state, x, { train, key }), e.g. an @ssam/models layer');
  if (typeof loss !== 'function') throw new ArgumentError(op, 'loss must be a function (logits, labels) => scalar, e.g. softmaxCrossEntropy');
  if (!optimizer || typeof optimizer.update !== 'function') throw new ArgumentError(op, 'optimizer must be a GradientTransformation, e.g. sgd({ lr: 0.1 })');
  const policy = checkOneOf(op, 'modelStatePolicy', options.modelStatePolicy ?? 'clean', ['clean', 'perturbed', 'both'] as const);
  const k = checkPositiveInt(op, 'microBatches', options.microBatches ?? 1);
  const perExample = options.fisher?.perExampleLoss ?? perExampleCrossEntropy;
  const fisherChunk = options.fisher?.chunkSize;

  const logitsOf = (out: unknown): Tensor => {
    if (!isTensor(out)) throw new ArgumentError(op, 'model.apply must return [logits, state] with a logits tensor [N, C]');
    return out;
  };

  /** One full pass over the batch (all micro-batches): mean loss, mean gradient, final model state. */
  const pass = (params: Params, state: Tree, chunks: Batch[], key: Key, override?: VjpOverride) => {
    const n = chunks.reduce((acc, c) => acc + c.x.shape[0]!, 0);
    const weights = chunks.map((c) => c.x.shape[0]! / n);
    const grads: Updates[] = [];
    let st = state;
    let total = 0;
    let correct = 0;
    chunks.forEach((c, i) => {
      const ctx = { train: true, key: chunks.length === 1 ? key : random.foldIn(key, i) };
      const [[l, aux], g] = valueAndGrad(
        (p: Params) => {
          const [out, next] = model.apply(p, st, c.x, ctx);
          const logits = logitsOf(out);
          return [loss(logits, c.y), { logits, next }] as const;
        },
        override ? { hasAux: true, override } : { hasAux: true },
      )(params);
      grads.push(g);
      st = aux.next;
      total += weights[i]! * l.item();
      correct += correctCount(aux.logits, c.y);
    });
    return { loss: total, grads: weightedMean(grads, weights), state: st, accuracy: correct / n };
  };

  return (params, modelState, optState, batch, key) => {
    if (!batch || !isTensor(batch.x) || !isTensor(batch.y)) throw new ArgumentError(op, 'batch must be { x, y } tensors with the batch axis first');
    const chunks = splitBatch(batch, k);
    const [kModel, kFisher] = random.split(key, 2) as [Key, Key];
    const fisher = (p: Params, numSamples: number): Updates => {
      const sample = options.fisher?.sample;
      const examples = sample ? sample(kFisher, numSamples) : batch;
      const available = examples.x.shape[0]!;
      const perEx = (pp: Tree, b: Tree) => {
        const bb = b as unknown as Batch;
        return perExample(logitsOf(model.apply(pp as Params, modelState, bb.x, { train: false })[0]), bb.y);
      };
      return fisherScores(perEx, p, examples as unknown as Tree, {
        numSamples: Math.min(numSamples, available),
        ...(sample ? {} : { key: kFisher }),
        ...(fisherChunk ? { chunkSize: fisherChunk } : {}),
      });
    };
    // The implicit SAM form: refresh the mask first, then pass 1 sends input gradients through W ⊙ M.
    let state0 = optState;
    let implicit: ReturnType<typeof implicitOverride> | undefined;
    if (optimizer.implicit) {
      const prep = optimizer.implicit.prepare(optState, params, { fisher });
      state0 = prep.state;
      if (prep.mask) implicit = implicitOverride(prep.mask.mask, prep.mask.pattern ? { pattern: prep.mask.pattern } : {});
    }
    const p1 = pass(params, modelState, chunks, kModel, implicit?.override);
    implicit?.check();
    const products = () => (implicit ? { ...implicit.counts } : { sparse: 0, masked: 0 });
    const gradNorm = globalNorm(p1.grads);
    const skip = (reason: SkipReason, calls: number, perturbedLoss: number): TrainStepResult<S> => ({
      params,
      modelState,
      optState,
      metrics: { loss: p1.loss, accuracy: p1.accuracy, gradNorm, epsNorm: 0, maskDensity: 0, gradFnCalls: calls, perturbedLoss, skipped: 1, skipReason: reason, implicitProducts: products() },
    });
    if (!Number.isFinite(p1.loss)) return skip('loss', 0, Number.NaN);
    if (!Number.isFinite(gradNorm)) return skip('gradient', 0, Number.NaN);

    let calls = 0;
    let bad = false;
    let p2State: Tree = p1.state;
    let perturbedLoss = Number.NaN;
    const gradFn = (perturbed: Params): Updates => {
      calls++;
      const r = pass(perturbed, policy === 'both' ? p1.state : modelState, chunks, kModel);
      p2State = r.state;
      perturbedLoss = r.loss;
      if (!Number.isFinite(r.loss) || !Number.isFinite(squaredNorm(r.grads))) bad = true;
      return r.grads;
    };
    const [updates, nextOpt] = optimizer.update(p1.grads, state0, params, {
      gradFn,
      fisher,
      gradNorm: { of: p1.grads, value: gradNorm },
      ...(optimizer.implicit ? { prepared: true } : {}),
    });
    if (bad) return skip('perturbed', calls, perturbedLoss);
    checkSameLayout(op, "the optimizer's updates", updates, 'params', params);
    if (!allFinite(updates)) return skip('update', calls, perturbedLoss);
    const stats = samStats(nextOpt);
    return {
      params: applyUpdates(params, updates),
      modelState: calls > 0 && policy !== 'clean' ? p2State : p1.state,
      optState: nextOpt,
      metrics: {
        loss: p1.loss,
        accuracy: p1.accuracy,
        gradNorm,
        epsNorm: stats ? stats.epsNorm.item() : 0,
        maskDensity: stats ? stats.maskDensity.item() : 0,
        gradFnCalls: calls,
        perturbedLoss,
        skipped: 0,
        skipReason: null,
        implicitProducts: products(),
      },
    };
  };
}
