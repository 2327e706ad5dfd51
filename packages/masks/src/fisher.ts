import { grad, vjp } from '@ssam/autograd';
import { ArgumentError, ShapeError, gather, isTensor, random, sum, tensor, tree, type Key, type Tensor, type Tree } from '@ssam/tensor';
import { floatData } from './internal/flat.js';
import { batchedSquares } from './fisher-batched.js';
import { checkChoice, checkInt, checkOptions, tensorLeaves } from './internal/validate.js';

// SSAM-F (Mi et al., NeurIPS 2022): the diagonal empirical Fisher F = Σ_i (∇_w ℓ_i(w))² over
// numSamples training examples with their TRUE labels, each example's own gradient squared
// before summing (a sum of squares, so per-example gradients cannot be pooled first).

/**
 * Losses of a batch, one per example: `(params, batch) → Tensor [B]` (a size-1 tensor when B = 1).
 * Example i's loss must depend on example i only, so apply the model in EVAL mode: BatchNorm
 * normalises with its running statistics. The closure carries the model state and returns no new
 * state, so a Fisher computation cannot change it.
 */
export type PerExampleLoss = (params: Tree, batch: Tree) => Tensor;

export interface FisherOptions {
  /** How many examples to use (default: all). */
  readonly numSamples?: number;
  /** Draw the numSamples examples at random without replacement with this key (default: the first ones). */
  readonly key?: Key;
  /**
   * With `method: 'per-example'`: examples per forward pass (default 1). 1: one forward and one backward per example, the
   * cheapest in arithmetic (≈ 3F per example). c > 1: one forward per chunk of c examples, then one
   * pullback per example with a one-hot cotangent; each pullback runs the backward of the whole
   * chunk, so it costs ≈ (1 + 2c)F per example and only pays off when per-call overhead, not
   * arithmetic, dominates (tiny models). Both give the same Fisher. With `method: 'batched'` (the
   * default): examples per batched pass (default: all numSamples at once; lower it to bound memory).
   */
  readonly chunkSize?: number;
  /**
   * 'batched' (default): one recorded forward of a whole chunk,
   * one backward of Σ_i ℓ_i, and closed-form per-example gradients where parameters meet the data
   * (dense matmul dy_iᵀx_i, conv2d filter via one grouped back-filter, bias adds, scale muls);
   * leaves reached through any other op fall back to the per-example passes. 'per-example': the
   * passes above. Both give the same Fisher (to float32 rounding); batched costs about a third of a
   * SAM step for 128 samples on ResNet-20 (docs/benchmarks.md).
   */
  readonly method?: 'per-example' | 'batched';
}

/**
 * The diagonal empirical Fisher Σ_i (∇ℓ_i)², a pytree shaped like `params` (float32).
 *
 * `examples` is a pytree of tensors sharing a leading example axis (e.g. `{ x: [N, C, H, W],
 * y: [N] }` with the true labels); augmentation, if wanted, is applied by the caller beforehand.
 *
 * Normalisation statistics: the per-example passes use whatever `perExampleLoss` applies; use the
 * model's eval mode (BatchNorm running statistics). Then ℓ_i is a function of example i alone, its
 * gradient is the per-example gradient, the result does not depend on `chunkSize`, and nothing is
 * written to the model state. (The reference code runs batch-size-1 TRAINING passes, which
 * normalise each example by its own statistics and overwrite the running statistics: a defect.)
 * @example
 * const fisher = fisherScores((p, b) => perExampleCrossEntropy(p, b), params, { x, y }, { numSamples: 128, key });
 * const mask = topKMask(fisher, { sparsity: 0.5 });
 */
export function fisherScores(perExampleLoss: PerExampleLoss, params: Tree, examples: Tree, opts: FisherOptions = {}): Tree {
  const op = 'fisherScores';
  const o = checkOptions(op, opts);
  if (typeof perExampleLoss !== 'function') throw new ArgumentError(op, 'perExampleLoss must be a function (params, batch) => per-example losses [B]');
  const pLeaves = tensorLeaves(op, params, 'params');
  const xs = tensorLeaves(op, examples, 'examples');
  if (xs.length === 0) throw new ArgumentError(op, 'examples must hold at least one tensor with a leading example axis');
  const total = xs[0]!.rank === 0 ? 0 : xs[0]!.shape[0]!;
  xs.forEach((x) => {
    if (x.rank === 0 || x.shape[0] !== total)
      throw new ShapeError(op, `every examples leaf needs the same leading example axis; got shapes ${xs.map((l) => `[${l.shape.join(', ')}]`).join(', ')}`);
  });
  const numSamples = checkInt(op, o.numSamples ?? total, 'numSamples', 1, `examples holds ${total}`);
  if (numSamples > total) throw new ArgumentError(op, `numSamples = ${numSamples} but examples holds only ${total}; pass more examples or fewer samples`);
  const method = checkChoice(op, o.method ?? 'batched', 'method', ['per-example', 'batched'] as const);
  const chunk = checkInt(op, o.chunkSize ?? (method === 'batched' ? numSamples : 1), 'chunkSize', 1);
  const order = o.key === undefined ? Int32Array.from({ length: numSamples }, (_, i) => i) : (random.permutation(opts.key!, total).toArray() as Int32Array).subarray(0, numSamples);

  const acc = pLeaves.map((p) => new Float64Array(p.size));
  const addSquares = (g: Tree, only?: ReadonlySet<number>): void => {
    tree.leaves(g).forEach((l, j) => {
      if (only !== undefined && !only.has(j)) return;
      const d = floatData(l);
      const a = acc[j]!;
      for (let i = 0; i < d.length; i++) a[i]! += d[i]! * d[i]!;
    });
  };
  const lossesOf = (p: Tree, batch: Tree, b: number): Tensor => {
    const y = perExampleLoss(p, batch);
    if (!isTensor(y) || y.size !== b || (b > 1 && (y.rank !== 1 || y.shape[0] !== b)))
      throw new ShapeError(op, `perExampleLoss must return one loss per example, a tensor [${b}]; got ${isTensor(y) ? `shape [${y.shape.join(', ')}]` : typeof y}. Return only the losses (no model state: Fisher passes never update it)`);
    return y;
  };
  for (let start = 0; start < numSamples; start += chunk) {
    const idx = order.subarray(start, Math.min(numSamples, start + chunk));
    const b = idx.length;
    const idxT = tensor(idx, [b], { dtype: 'int32' });
    const batch = tree.map((x: Tensor) => gather(x, idxT, 0), examples);
    if (method === 'batched') {
      const { sums, fallback } = batchedSquares((bt, nb) => lossesOf(params, bt, nb), pLeaves, batch, b);
      sums.forEach((s, j) => {
        if (s === null) return;
        const d = floatData(s), a = acc[j]!;
        for (let i = 0; i < d.length; i++) a[i]! += d[i]!;
      });
      if (fallback.size === 0) continue;
      for (let i = 0; i < b; i++) {
        const one = tree.map((x: Tensor) => gather(x, tensor([i], [1], { dtype: 'int32' }), 0), batch);
        addSquares(grad((p: Tree) => sum(lossesOf(p, one, 1)))(params), fallback);
      }
      continue;
    }
    if (b === 1) {
      addSquares(grad((p: Tree) => sum(lossesOf(p, batch, 1)))(params));
      continue;
    }
    const [, pullback] = vjp((p: Tree) => lossesOf(p, batch, b), params);
    for (let i = 0; i < b; i++) {
      const ct = new Float32Array(b);
      ct[i] = 1;
      addSquares(pullback(tensor(ct, [b])) as Tree);
    }
  }
  const leaves = pLeaves.map((p, j) => tensor(Float32Array.from(acc[j]!), p.shape));
  return tree.unflatten(tree.flatten(params)[1], leaves);
}
