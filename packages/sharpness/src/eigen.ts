import { random, type Key } from '@ssam/tensor';
import { checkInt, checkPositive } from './errors.js';
import { operatorOf, type HessianSource } from './operator.js';
import type { KeyedOptions } from './problem.js';
import { axpy, dot, gaussianVector, normalised } from './space.js';

export interface TopEigenOptions extends KeyedOptions {
  /** How many eigenvalues (default 1). */
  readonly k?: number;
  /** Power iterations per eigenvalue at most (default 100, as PyHessian). */
  readonly maxIter?: number;
  /** Stop when |λ_t − λ_{t−1}| / (|λ_{t−1}| + 1e-6) < tol (default 1e-3, as PyHessian). */
  readonly tol?: number;
}

export interface TopEigenResult {
  /** The k eigenvalues of largest magnitude, in the order found (descending |λ| when the spectrum has gaps). */
  readonly eigenvalues: number[];
  /** Their unit eigenvectors, flat (see `paramSpace` to turn one back into a params tree). */
  readonly eigenvectors: Float64Array[];
  /** Power iterations (Hessian-vector products) each eigenvalue took. */
  readonly iterations: number[];
  /** True where the tolerance was met before maxIter. */
  readonly converged: boolean[];
}

/** v minus its components along the orthonormal `basis` (Gram–Schmidt, applied twice: "twice is enough"). */
export function deflate(v: Float64Array, basis: readonly Float64Array[]): Float64Array {
  const out = Float64Array.from(v);
  for (let pass = 0; pass < 2; pass++) for (const u of basis) axpy(out, -dot(out, u), u);
  return out;
}

/**
 * The top-k Hessian eigenvalues by power iteration with deflation, as PyHessian's `eigenvalues`
 * (Yao et al. 2020): for each i, start from a Gaussian vector, and repeat v ← H v / ‖H v‖ with v
 * kept orthogonal to the eigenvectors already found, until the Rayleigh quotient λ = vᵀHv settles.
 * NOTE: power iteration converges to the eigenvalue of largest MAGNITUDE; at a minimum the Hessian
 * is (nearly) positive semi-definite and that is λmax. Its error after t steps shrinks like
 * (λ_{i+1}/λ_i)^{2t}, so a small gap needs more iterations or a smaller `tol` than the defaults.
 * @example topEigenvalues(problem, { key: random.key(0), k: 3 }).eigenvalues
 */
export function topEigenvalues(src: HessianSource, opts: TopEigenOptions): TopEigenResult {
  const op = operatorOf('topEigenvalues', src);
  const k = checkInt('topEigenvalues', 'k', opts.k ?? 1, 1, op.dim);
  const maxIter = checkInt('topEigenvalues', 'maxIter', opts.maxIter ?? 100, 1);
  const tol = checkPositive('topEigenvalues', 'tol', opts.tol ?? 1e-3, true);
  const keys = random.split(opts.key, k) as Key[];
  const found: Float64Array[] = [], values: number[] = [], iterations: number[] = [], converged: boolean[] = [];
  for (let i = 0; i < k; i++) {
    let v = normalised(gaussianVector(keys[i]!, op.dim));
    let lambda: number | undefined;
    let t = 0, done = false;
    while (t < maxIter) {
      v = normalised(deflate(v, found));
      const hv = op.apply(v);
      t++;
      opts.onProgress?.({ phase: 'eigenvalues', done: i * maxIter + t, total: k * maxIter });
      const next = dot(hv, v);
      v = normalised(hv);
      if (lambda !== undefined && Math.abs(lambda - next) / (Math.abs(lambda) + 1e-6) < tol) {
        lambda = next;
        done = true;
        break;
      }
      lambda = next;
    }
    found.push(normalised(deflate(v, found)));
    values.push(lambda!);
    iterations.push(t);
    converged.push(done);
  }
  return { eigenvalues: values, eigenvectors: found, iterations, converged };
}
