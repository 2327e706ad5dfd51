import { random, type Key } from '@ssam/tensor';
import { checkInt, checkPositive } from './errors.js';
import { operatorOf, type HessianSource } from './operator.js';
import type { KeyedOptions } from './problem.js';
import { dot, rademacherVector } from './space.js';

export interface TraceOptions extends KeyedOptions {
  /** Most probe vectors (default 100, as PyHessian's maxIter). */
  readonly maxSamples?: number;
  /** Fewest probe vectors before the stop rule may fire (default 10; at least 2 for a standard error). */
  readonly minSamples?: number;
  /** Stop once the standard error is below relTol·|mean| (default 0.01; 0 never stops early). */
  readonly relTol?: number;
}

export interface TraceResult {
  /** Hutchinson's estimate: the mean of vᵀHv over the probes. */
  readonly trace: number;
  /** Standard error of that mean: the sample standard deviation / √samples. */
  readonly stdErr: number;
  readonly samples: number;
  /** Each probe's vᵀHv. */
  readonly values: number[];
  /** True when the stop rule fired before maxSamples. */
  readonly converged: boolean;
}

/**
 * Hutchinson's trace estimator (1989): for Rademacher v (±1 entries), E[vᵀHv] = tr H, with
 * variance 2 Σ_{i≠j} H_ij², less than any other i.i.d. probe distribution gives. The probes are
 * independent, so the standard error of the mean is the sample deviation / √n; sampling stops when
 * it is below relTol·|mean| (after minSamples), or at maxSamples.
 * @example hutchinsonTrace(problem, { key: random.key(1) }) // { trace, stdErr, samples, ... }
 */
export function hutchinsonTrace(src: HessianSource, opts: TraceOptions): TraceResult {
  const op = operatorOf('hutchinsonTrace', src);
  const maxSamples = checkInt('hutchinsonTrace', 'maxSamples', opts.maxSamples ?? 100, 2);
  const minSamples = checkInt('hutchinsonTrace', 'minSamples', opts.minSamples ?? Math.min(10, maxSamples), 2, maxSamples);
  const relTol = checkPositive('hutchinsonTrace', 'relTol', opts.relTol ?? 0.01, true);
  const values: number[] = [];
  let converged = false;
  for (let s = 0; s < maxSamples; s++) {
    const v = rademacherVector(random.foldIn(opts.key, s) as Key, op.dim);
    values.push(dot(v, op.apply(v)));
    opts.onProgress?.({ phase: 'trace', done: s + 1, total: maxSamples });
    if (values.length >= minSamples) {
      const { mean, se } = meanAndStdErr(values);
      if (se < relTol * Math.abs(mean)) {
        converged = true;
        break;
      }
    }
  }
  const { mean, se } = meanAndStdErr(values);
  return { trace: mean, stdErr: se, samples: values.length, values, converged };
}

/** Mean and standard error (sample deviation with n − 1, over √n). */
export function meanAndStdErr(xs: readonly number[]): { mean: number; se: number } {
  const n = xs.length;
  const mean = xs.reduce((a, b) => a + b, 0) / n;
  if (n < 2) return { mean, se: NaN };
  const varS = xs.reduce((a, b) => a + (b - mean) ** 2, 0) / (n - 1);
  return { mean, se: Math.sqrt(varS / n) };
}
