// RWP, random weight perturbation (Li, Tao, He, Huang, et al., "Efficient Generalization
// Improvement Guided by Random Weight Perturbation", arXiv 2211.11489, 2022), the filter-wise form:
//   ε_{l,j} ~ N(0, σ²·‖W_{l,j}‖²·I)   for filter j (row j along axis 0, PyTorch's [out, in, ...]) of
//                                      a leaf of rank ≥ 2; rank ≤ 1 leaves use the norm of the leaf,
//   g′ = ∇L(w + ε),  descend from w with g′ (the base optimizer).
// ε does not depend on g, so RWP is NOT ρ·g/‖g‖: only the descent laws of SAM apply. The paper's
// m-RWP (mixing g′ with g) is not implemented here. σ = 0 is the base optimizer.
import { ArgumentError, mul, random, tensor, tree, type Key, type Tensor } from '@ssam/tensor';
import { checkNonNegative } from '../internal/validate.js';
import { keyFromTensor, keyToTensor } from '../sam/refresh.js';
import type { SamState } from '../sam/core.js';
import { sam } from '../sam/sam.js';
import type { GradientTransformation, OptState } from '../types.js';

/** σ·‖W_j‖ per entry: filter-wise (rows along axis 0) for rank ≥ 2, leaf-wise for rank ≤ 1. */
export function filterScale(w: Tensor, sigma: number): Tensor {
  const v = w.toArray();
  const rows = w.shape.length >= 2 ? w.shape[0]! : 1;
  const cols = rows === 0 ? 0 : v.length / rows;
  const out = new Float32Array(v.length);
  for (let r = 0; r < rows; r++) {
    let s = 0;
    for (let c = 0; c < cols; c++) s += v[r * cols + c]! ** 2;
    out.fill(sigma * Math.sqrt(s), r * cols, (r + 1) * cols);
  }
  return tensor(out, w.shape);
}

/**
 * The RWP ascent stage: ignores g and returns filter-wise Gaussian noise ε (see above), a fresh
 * draw at every step from the key in its state.
 */
export function randomFilterNoise(o: { readonly sigma: number; readonly key?: Key }): GradientTransformation<{ readonly key: Tensor }> {
  const sigma = checkNonNegative('randomFilterNoise', 'sigma', o.sigma);
  return {
    init: () => ({ key: keyToTensor(o.key ?? random.key(0)) }),
    update(g, state, params) {
      if (params === undefined) throw new ArgumentError('randomFilterNoise', 'needs the params: the noise is scaled by the norm of each filter');
      const [next, k] = random.split(keyFromTensor(state.key), 2) as [Key, Key];
      const ws = tree.leaves(params) as Tensor[];
      const ks = ws.length > 0 ? random.split(k, ws.length) : [];
      const eps = ws.map((w, i) => (sigma === 0 ? tree.zerosLike(w) as Tensor : mul(random.normal(ks[i]!, w.shape), filterScale(w, sigma))));
      return [tree.unflatten(tree.flatten(g)[1], eps), { key: keyToTensor(next) }];
    },
  };
}

export interface RwpOptions {
  /** σ ≥ 0: the noise's standard deviation relative to each filter's norm (γ in the paper). */
  readonly sigma: number;
  /** The optimizer that takes the descent step with g′. */
  readonly base: GradientTransformation<any>;
  /** Seeds the noise (default random.key(0)). */
  readonly key?: Key;
}

/**
 * RWP: descend with the gradient at a random, filter-wise scaled perturbation of w.
 * = sam({ ascent: randomFilterNoise({ sigma, key }), base })
 * @example const opt = rwp({ sigma: 0.01, base: sgd({ lr: 0.1, momentum: 0.9 }) });
 */
export function rwp(o: RwpOptions): GradientTransformation<SamState<OptState, Record<string, never>>> {
  const sigma = checkNonNegative('rwp', 'sigma', o?.sigma);
  return sam({ ascent: randomFilterNoise({ sigma, ...(o.key ? { key: o.key } : {}) }), base: o.base });
}
