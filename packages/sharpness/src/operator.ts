import { hessianOperator, type LinearOperator, type Problem } from './problem.js';
import { ArgumentError } from './errors.js';

/** A model problem or a ready operator: the estimators accept either. */
export type HessianSource = Problem | LinearOperator;

/** The operator of a source: a Problem becomes its loss Hessian (`hessianOperator`). */
export function operatorOf(op: string, src: HessianSource): LinearOperator {
  if (src && typeof (src as LinearOperator).apply === 'function' && Number.isInteger((src as LinearOperator).dim)) return src as LinearOperator;
  if (src && (src as Problem).model) return hessianOperator(src as Problem).op;
  throw new ArgumentError(op, 'expects a Problem ({ model, params, modelState, batches }) or a LinearOperator ({ dim, apply })');
}

/**
 * The dense matrix of an operator, built column by column from products with the unit vectors
 * (n products: for tiny networks and tests only). Row-major n×n.
 */
export function denseMatrix(op: LinearOperator): Float64Array {
  const n = op.dim;
  if (n > 4096) throw new ArgumentError('denseMatrix', `the operator has dimension ${n}; a dense matrix is for at most 4,096 (use the iterative estimators)`);
  const m = new Float64Array(n * n);
  const e = new Float64Array(n);
  for (let j = 0; j < n; j++) {
    e[j] = 1;
    const col = op.apply(e);
    for (let i = 0; i < n; i++) m[i * n + j] = col[i]!;
    e[j] = 0;
  }
  return m;
}

/** A symmetric matrix (row-major n×n) as an operator, in float64. */
export function matrixOperator(a: Float64Array, n: number): LinearOperator {
  if (a.length !== n * n) throw new ArgumentError('matrixOperator', `a must hold n·n = ${n * n} entries, got ${a.length}`);
  return {
    dim: n,
    apply(v) {
      const out = new Float64Array(n);
      for (let i = 0; i < n; i++) {
        let s = 0;
        for (let j = 0; j < n; j++) s += a[i * n + j]! * v[j]!;
        out[i] = s;
      }
      return out;
    },
  };
}
