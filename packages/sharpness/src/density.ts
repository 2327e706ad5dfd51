import { random, type Key } from '@ssam/tensor';
import { ArgumentError, checkInt, checkPositive } from './errors.js';
import { symmetricEigen } from './jacobi.js';
import { operatorOf, type HessianSource } from './operator.js';
import type { KeyedOptions, LinearOperator } from './problem.js';
import { axpy, dot, norm2, normalised, rademacherVector } from './space.js';

export interface DensityOptions extends KeyedOptions {
  /** Lanczos steps m per run (default 100, as PyHessian's `iter`; capped at the dimension). */
  readonly steps?: number;
  /** Independent runs (probe vectors) averaged (default 1, as PyHessian's `n_v`). */
  readonly runs?: number;
  /**
   * 'full' (default) re-orthogonalises every new Lanczos vector against all earlier ones, as
   * PyHessian does: exact in practice, m vectors of memory. 'none' keeps only the three-term
   * recurrence (two vectors); in floating point it then loses orthogonality and repeats outer
   * eigenvalues ("ghosts"), which smears the weights. Use it only where m vectors do not fit.
   */
  readonly reorthogonalize?: 'full' | 'none';
}

/** One Lanczos run: the Ritz values (Gauss quadrature nodes) and their weights, summing to 1. */
export interface QuadratureRun {
  readonly nodes: number[];
  readonly weights: number[];
}

export interface DensityResult {
  readonly runs: QuadratureRun[];
}

/**
 * Lanczos on `op` from the unit vector q: the tridiagonal T = Qᵀ H Q of the Krylov space, as its
 * diagonal α and off-diagonal β. Stops early when the Krylov space is invariant (β ≈ 0).
 */
export function lanczos(op: LinearOperator, q: Float64Array, m: number, reorth: 'full' | 'none' = 'full'): { alpha: number[]; beta: number[] } {
  const alpha: number[] = [], beta: number[] = [];
  const basis: Float64Array[] = [q];
  let prev: Float64Array | undefined, cur = q;
  let scale = 0;
  for (let j = 0; j < m; j++) {
    const w = op.apply(cur);
    const a = dot(w, cur);
    alpha.push(a);
    axpy(w, -a, cur);
    if (prev) axpy(w, -beta[j - 1]!, prev);
    if (reorth === 'full') for (let pass = 0; pass < 2; pass++) for (const u of basis) axpy(w, -dot(w, u), u);
    const b = norm2(w);
    scale = Math.max(scale, Math.abs(a), b);
    if (j === m - 1 || b <= 1e-10 * scale) break;
    beta.push(b);
    prev = cur;
    cur = w.map((x) => x / b);
    if (reorth === 'full') basis.push(cur);
  }
  return { alpha, beta };
}

/** Nodes θ_i (eigenvalues of T) and weights τ_i = (first component of T's i-th eigenvector)². */
export function gaussQuadrature(alpha: readonly number[], beta: readonly number[]): QuadratureRun {
  const m = alpha.length;
  const t = new Float64Array(m * m);
  for (let i = 0; i < m; i++) {
    t[i * m + i] = alpha[i]!;
    if (i + 1 < m) t[i * m + i + 1] = t[(i + 1) * m + i] = beta[i]!;
  }
  const { values, vectors } = symmetricEigen(t, m);
  return { nodes: values, weights: vectors.map((v) => v[0]! ** 2) };
}

/**
 * The Hessian's spectral density by stochastic Lanczos quadrature, as PyHessian's `density`
 * (Ghorbani et al. 2019; Lin, Saad & Yang 2016). For a unit probe q = v/‖v‖ (v Rademacher),
 * m Lanczos steps give a Gauss quadrature Σ τ_i f(θ_i) = qᵀ f(H) q, exact for polynomials f of
 * degree ≤ 2m − 1; in expectation over v that is (1/n) tr f(H) = ∫ f dμ, with μ the spectral
 * measure (1/n) Σ δ(λ_j). `smoothDensity` turns the nodes and weights into a curve.
 * @example slqDensity(problem, { key: random.key(2), steps: 80 }).runs[0].nodes
 */
export function slqDensity(src: HessianSource, opts: DensityOptions): DensityResult {
  const op = operatorOf('slqDensity', src);
  const steps = Math.min(checkInt('slqDensity', 'steps', opts.steps ?? 100, 1), op.dim);
  const nRuns = checkInt('slqDensity', 'runs', opts.runs ?? 1, 1);
  const reorth = opts.reorthogonalize ?? 'full';
  if (reorth !== 'full' && reorth !== 'none') throw new ArgumentError('slqDensity', `reorthogonalize must be 'full' or 'none', got ${JSON.stringify(reorth)}`);
  let done = 0;
  const counting: LinearOperator = {
    dim: op.dim,
    apply(v) {
      const r = op.apply(v);
      opts.onProgress?.({ phase: 'density', done: ++done, total: steps * nRuns });
      return r;
    },
  };
  const runs: QuadratureRun[] = [];
  for (let r = 0; r < nRuns; r++) {
    const q = normalised(rademacherVector(random.foldIn(opts.key, r) as Key, op.dim));
    const { alpha, beta } = lanczos(counting, q, steps, reorth);
    runs.push(gaussQuadrature(alpha, beta));
  }
  return { runs };
}

/** ∫ λ^k dμ as the quadrature gives it, averaged over the runs. */
export function densityMoment(d: DensityResult, k: number): number {
  return d.runs.reduce((s, r) => s + r.nodes.reduce((a, x, i) => a + r.weights[i]! * x ** k, 0), 0) / d.runs.length;
}

export interface SmoothOptions {
  /** Grid points (default 1000; PyHessian uses 10,000). */
  readonly bins?: number;
  /** Gaussian variance relative to the spectrum's width (default 1e-5, as PyHessian). */
  readonly sigmaSquared?: number;
  /** Margin added beyond the extreme nodes (default 0.01, as PyHessian). */
  readonly overhead?: number;
}

/**
 * A plottable density: each node becomes a Gaussian of variance σ² = sigmaSquared·max(1, width)
 * carrying its weight (PyHessian's `density_generate`), averaged over runs and normalised to
 * integrate to 1 on the grid.
 */
export function smoothDensity(d: DensityResult, opts: SmoothOptions = {}): { grid: number[]; density: number[] } {
  const bins = checkInt('smoothDensity', 'bins', opts.bins ?? 1000, 2);
  const s2 = checkPositive('smoothDensity', 'sigmaSquared', opts.sigmaSquared ?? 1e-5);
  const overhead = checkPositive('smoothDensity', 'overhead', opts.overhead ?? 0.01, true);
  if (d.runs.length === 0) throw new ArgumentError('smoothDensity', 'the density has no runs');
  const mean = (f: (r: QuadratureRun) => number) => d.runs.reduce((a, r) => a + f(r), 0) / d.runs.length;
  const hi = mean((r) => Math.max(...r.nodes)) + overhead, lo = mean((r) => Math.min(...r.nodes)) - overhead;
  const sigma2 = s2 * Math.max(1, hi - lo);
  const grid = Array.from({ length: bins }, (_, i) => lo + ((hi - lo) * i) / (bins - 1));
  const density = grid.map((x) => mean((r) => r.nodes.reduce((a, t, i) => a + r.weights[i]! * Math.exp(-((x - t) ** 2) / (2 * sigma2)), 0)) / Math.sqrt(2 * Math.PI * sigma2));
  const step = (hi - lo) / (bins - 1);
  const mass = density.reduce((a, b) => a + b, 0) * step;
  return { grid, density: mass > 0 ? density.map((v) => v / mass) : density };
}
