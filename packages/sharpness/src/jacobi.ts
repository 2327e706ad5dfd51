import { ArgumentError } from './errors.js';

/**
 * Eigenvalues and eigenvectors of a symmetric matrix by the cyclic Jacobi method (Golub & Van Loan,
 * Matrix Computations, §8.5): plane rotations zero the off-diagonal entries one at a time until
 * their norm is below `tol`·‖A‖_F. Slow (O(n³) per sweep) but simple and accurate to working
 * precision, even for clustered eigenvalues: it is the reference the iterative estimators are
 * tested against, and it diagonalises the small tridiagonal matrices of Lanczos.
 * @param a the n×n matrix, row-major (only symmetric input is meaningful; it is symmetrised)
 * @returns eigenvalues in descending order and, in `vectors[i]`, the unit eigenvector of values[i]
 * @example symmetricEigen(Float64Array.from([2, 1, 1, 2]), 2).values // [3, 1]
 */
export function symmetricEigen(a: Float64Array | readonly number[], n: number, opts: { tol?: number; maxSweeps?: number } = {}): { values: number[]; vectors: Float64Array[] } {
  if (!Number.isInteger(n) || n < 1 || a.length !== n * n) throw new ArgumentError('symmetricEigen', `a must hold n·n = ${n}·${n} entries, got ${a.length}`);
  const tol = opts.tol ?? 1e-14, maxSweeps = opts.maxSweeps ?? 100;
  const A = new Float64Array(n * n);
  for (let i = 0; i < n; i++) for (let j = 0; j < n; j++) A[i * n + j] = 0.5 * (a[i * n + j]! + a[j * n + i]!);
  for (let i = 0; i < A.length; i++) if (!Number.isFinite(A[i]!)) throw new ArgumentError('symmetricEigen', `a has a non-finite entry at (${Math.floor(i / n)}, ${i % n})`);
  const V = new Float64Array(n * n);
  for (let i = 0; i < n; i++) V[i * n + i] = 1;
  let fro = 0;
  for (let i = 0; i < A.length; i++) fro += A[i]! * A[i]!;
  fro = Math.sqrt(fro);
  for (let sweep = 0; sweep < maxSweeps; sweep++) {
    let off = 0;
    for (let p = 0; p < n; p++) for (let q = p + 1; q < n; q++) off += 2 * A[p * n + q]! ** 2;
    if (Math.sqrt(off) <= tol * fro || fro === 0) break;
    for (let p = 0; p < n - 1; p++)
      for (let q = p + 1; q < n; q++) {
        const apq = A[p * n + q]!;
        if (apq === 0) continue;
        // The rotation angle that zeroes A[p][q]; t is the smaller root for stability.
        const theta = (A[q * n + q]! - A[p * n + p]!) / (2 * apq);
        const t = Math.sign(theta || 1) / (Math.abs(theta) + Math.sqrt(theta * theta + 1));
        const c = 1 / Math.sqrt(t * t + 1), s = t * c;
        for (let k = 0; k < n; k++) {
          const akp = A[k * n + p]!, akq = A[k * n + q]!;
          A[k * n + p] = c * akp - s * akq;
          A[k * n + q] = s * akp + c * akq;
        }
        for (let k = 0; k < n; k++) {
          const apk = A[p * n + k]!, aqk = A[q * n + k]!;
          A[p * n + k] = c * apk - s * aqk;
          A[q * n + k] = s * apk + c * aqk;
        }
        for (let k = 0; k < n; k++) {
          const vkp = V[k * n + p]!, vkq = V[k * n + q]!;
          V[k * n + p] = c * vkp - s * vkq;
          V[k * n + q] = s * vkp + c * vkq;
        }
      }
  }
  const order = Array.from({ length: n }, (_, i) => i).sort((i, j) => A[j * n + j]! - A[i * n + i]!);
  return {
    values: order.map((i) => A[i * n + i]!),
    vectors: order.map((i) => Float64Array.from({ length: n }, (_, k) => V[k * n + i]!)),
  };
}
