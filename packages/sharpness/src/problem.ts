import { hvp, valueAndGrad } from '@ssam/autograd';
import { accuracy, softmaxCrossEntropy, type Layer, type Params, type State } from '@ssam/models';
import { mul, tree, type Key, type Tensor, type Tree } from '@ssam/tensor';
import { ArgumentError, ShapeError } from './errors.js';
import { paramSpace, type ParamSpace } from './space.js';

/** A labelled batch: inputs and int32 class indices (the shape @ssam/data's `toBatch` gives). */
export interface Batch {
  readonly x: Tensor;
  readonly y: Tensor;
}

/** A scalar loss from a model's output and the labels (mean over the batch). */
export type LossFn = (logits: Tensor, labels: Tensor) => Tensor;

/**
 * What every measure in this package reads: a model at a point. Nothing is mutated and nothing
 * is kept. The model runs in eval mode (`train: false`): BatchNorm uses `modelState`'s running
 * statistics and dropout is off, so the loss is a deterministic function of the params (PyHessian
 * and Li et al. 2018 both measure the model in eval mode).
 */
export interface Problem {
  readonly model: Layer;
  readonly params: Params;
  readonly modelState: State;
  /** The batches the loss averages over, weighted by their sizes (a fixed data subset). */
  readonly batches: readonly Batch[];
  /** Default: softmax cross-entropy. */
  readonly loss?: LossFn;
}

/** Progress of a long measure: `done` of `total` units of `phase` (HVPs, grid points, ...). */
export interface Progress {
  readonly phase: string;
  readonly done: number;
  readonly total: number;
}
export type OnProgress = (p: Progress) => void;

/** Options every measure takes. */
export interface MeasureOptions {
  readonly onProgress?: OnProgress;
}

/** Measures that draw random vectors take an explicit key: the same key gives the same numbers. */
export interface KeyedOptions extends MeasureOptions {
  readonly key: Key;
}

export function checkProblem(op: string, p: Problem): void {
  if (!p || typeof p.model?.apply !== 'function') throw new ArgumentError(op, 'problem.model must be a layer ({ init, apply })');
  if (!Array.isArray(p.batches) || p.batches.length === 0) throw new ArgumentError(op, 'problem.batches must hold at least one { x, y } batch');
  p.batches.forEach((b, i) => {
    if (!b?.x || !b?.y) throw new ArgumentError(op, `problem.batches[${i}] must be { x, y } tensors`);
    if (b.x.shape[0] !== b.y.shape[0]) throw new ShapeError(op, `problem.batches[${i}]: x has ${b.x.shape[0]} examples but y has ${b.y.shape[0]}`);
  });
}

/** Each batch's loss as a function of the params, scaled by its share of the examples. */
function weightedLosses(p: Problem): ((params: Params) => Tensor)[] {
  const loss = p.loss ?? ((z: Tensor, y: Tensor) => softmaxCrossEntropy(z, y));
  const total = p.batches.reduce((a, b) => a + b.x.shape[0]!, 0);
  return p.batches.map((b) => {
    const w = b.x.shape[0]! / total;
    return (params: Params) => mul(loss(p.model.apply(params, p.modelState, b.x, { train: false })[0] as Tensor, b.y), w);
  });
}

/** The loss (example-weighted mean over the batches) and accuracy of the model at `params`. */
export function evaluate(p: Problem, params: Params = p.params): { loss: number; accuracy: number } {
  const loss = p.loss ?? ((z: Tensor, y: Tensor) => softmaxCrossEntropy(z, y));
  let l = 0, a = 0, n = 0;
  for (const b of p.batches) {
    const logits = p.model.apply(params, p.modelState, b.x, { train: false })[0] as Tensor;
    const k = b.x.shape[0]!;
    l += loss(logits, b.y).item() * k;
    a += logits.rank === 2 && b.y.dtype === 'int32' ? accuracy(logits, b.y) * k : NaN;
    n += k;
  }
  return { loss: l / n, accuracy: a / n };
}

/** The loss at `params` and its gradient (a tree shaped like the params). */
export function lossAndGrad(p: Problem, params: Params = p.params): [number, Tree] {
  let total = 0;
  let g: Tree | undefined;
  for (const f of weightedLosses(p)) {
    const [v, gi] = valueAndGrad(f)(params);
    total += v.item();
    g = g === undefined ? (gi as Tree) : tree.add(g, gi as Tree);
  }
  return [total, g!];
}

/** A symmetric linear map on float64 vectors: a Hessian, or any matrix a test builds. */
export interface LinearOperator {
  readonly dim: number;
  apply(v: Float64Array): Float64Array;
}

/**
 * The loss Hessian at `problem.params` as a linear operator on the flat parameter vector. One
 * `apply` is one exact Hessian-vector product per batch (@ssam/autograd's `hvp`, reverse over
 * reverse), summed with the batches' weights: H = Σ_b (n_b / N) ∇²L_b.
 * @example const { op, space } = hessianOperator(problem); op.apply(space.toFlat(v))
 */
export function hessianOperator(problem: Problem): { op: LinearOperator; space: ParamSpace } {
  checkProblem('hessianOperator', problem);
  const space = paramSpace(problem.params);
  const fs = weightedLosses(problem);
  const op: LinearOperator = {
    dim: space.dim,
    apply(v) {
      const vt = space.toTree(v);
      const out = new Float64Array(space.dim);
      for (const f of fs) {
        const hv = space.toFlat(hvp(f, problem.params, vt) as Tree);
        for (let i = 0; i < out.length; i++) out[i]! += hv[i]!;
      }
      return out;
    },
  };
  return { op, space };
}
