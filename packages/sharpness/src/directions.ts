import { mul, random, reshape, sub, tensor, tree, zerosLike, type Key, type Tensor, type Tree } from '@ssam/tensor';
import type { Params } from '@ssam/models';
import { ArgumentError, ShapeError } from './errors.js';

export interface DirectionOptions {
  /**
   * Rescale each filter of the direction to the norm of the same filter of the weights (default
   * true): Li et al. 2018's filter normalisation, which removes the scale invariance of ReLU
   * networks so that landscapes of different networks can be compared.
   */
  readonly filterNormalize?: boolean;
  /**
   * Leaves of rank ≤ 1 (biases, BatchNorm γ and β): 'exclude' (default) sets the direction to 0
   * there, Li et al.'s `ignore='biasbn'`; 'include' copies the weights, their other option.
   */
  readonly biasBn?: 'exclude' | 'include';
}

/**
 * A filter of a weight is one output unit: a slice along axis 0 (`[out, in]` dense weights and
 * `[out, in, kh, kw]` conv filters). `d` rescaled so that ‖d_i‖ = ‖w_i‖ for every filter i
 * (a zero filter of d stays zero).
 */
export function normalizeFilters(d: Tensor, w: Tensor): Tensor {
  if (d.shape.length !== w.shape.length || d.shape.some((s, i) => s !== w.shape[i]))
    throw new ShapeError('normalizeFilters', `direction [${d.shape.join(', ')}] and weight [${w.shape.join(', ')}] must have the same shape`);
  if (w.rank < 2) throw new ShapeError('normalizeFilters', `needs a weight of rank ≥ 2 ([out, ...]), got [${w.shape.join(', ')}]`);
  const out = w.shape[0]!, per = w.size / out;
  const dn = norm2Rows(reshape(d, [out, per])), wn = norm2Rows(reshape(w, [out, per]));
  const scale = new Float32Array(out);
  for (let i = 0; i < out; i++) scale[i] = dn[i]! > 0 ? wn[i]! / dn[i]! : 0;
  return reshape(mul(reshape(d, [out, per]), tensor(scale, [out, 1])), [...w.shape]);
}

// Row norms accumulated in float64: a float32 sum over a 4,608-entry conv filter is accurate
// enough, but the filter-norm property is tested to 1e-6 and this keeps it well inside.
function norm2Rows(t: Tensor): Float64Array {
  const [r, c] = t.shape as [number, number];
  const a = t.toArray();
  const out = new Float64Array(r);
  for (let i = 0; i < r; i++) {
    let s = 0;
    for (let j = 0; j < c; j++) s += a[i * c + j]! ** 2;
    out[i] = Math.sqrt(s);
  }
  return out;
}

/** Applies the options to a raw direction `d` shaped like `params`. */
function shape(params: Params, d: Tree, o: DirectionOptions): Tree {
  const fn = o.filterNormalize ?? true;
  const biasBn = o.biasBn ?? 'exclude';
  if (biasBn !== 'exclude' && biasBn !== 'include') throw new ArgumentError('randomDirection', `biasBn must be 'exclude' or 'include', got ${JSON.stringify(biasBn)}`);
  return tree.map((di: Tensor, wi: Tensor) => {
    if (wi.rank <= 1) return biasBn === 'exclude' ? zerosLike(wi) : wi;
    return fn ? normalizeFilters(di, wi) : di;
  }, d, params) as Tree;
}

/**
 * A random direction in parameter space for a loss landscape (Li et al. 2018): Gaussian entries
 * from `key`, filter-normalised to the weights, zero on biases and BatchNorm by default.
 * @example const d = randomDirection(params, random.key(4));
 */
export function randomDirection(params: Params, key: Key, opts: DirectionOptions = {}): Tree {
  const leaves = tree.leaves(params);
  const keys = random.split(key, Math.max(1, leaves.length)) as Key[];
  let i = 0;
  const raw = tree.map((w: Tensor) => random.normal(keys[i++]!, [...w.shape]), params) as Tree;
  return shape(params, raw, opts);
}

/**
 * The direction from `from` to `to` (to − from, unnormalised): along it, α = 0 is `from` and α = 1
 * is `to`, the 1-D interpolation between two checkpoints (Goodfellow et al. 2015).
 */
export function directionBetween(from: Params, to: Params): Tree {
  if (!tree.structureEqual(from, to)) throw new ShapeError('directionBetween', 'the two parameter trees have different structures; they must come from the same model');
  return tree.map((a: Tensor, b: Tensor) => {
    if (a.shape.join() !== b.shape.join()) throw new ShapeError('directionBetween', `leaf shapes differ: [${a.shape.join(', ')}] and [${b.shape.join(', ')}]`);
    return sub(b, a);
  }, from, to) as Tree;
}

/** ‖d‖ over all leaves (a number), for reports. */
export const directionNorm = (d: Tree): number => tree.norm(d).item();

