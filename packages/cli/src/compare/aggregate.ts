import type { RunSummary } from '../train/loop.js';

/** Mean and sample standard deviation (n − 1; 0 for one value). */
export function meanStd(xs: readonly number[]): { mean: number; std: number; n: number } {
  const v = xs.filter(Number.isFinite);
  const n = v.length;
  if (n === 0) return { mean: Number.NaN, std: Number.NaN, n: 0 };
  const mean = v.reduce((a, b) => a + b, 0) / n;
  const std = n > 1 ? Math.sqrt(v.reduce((a, b) => a + (b - mean) ** 2, 0) / (n - 1)) : 0;
  return { mean, std, n };
}

export interface RunResult {
  readonly optimizer: string;
  readonly seed: number;
  readonly dir: string;
  readonly summary: RunSummary;
}

/** One row of the comparison: an optimizer over its seeds. */
export interface CompareRow {
  readonly optimizer: string;
  readonly seeds: number;
  readonly diverged: number;
  readonly bestAcc: ReturnType<typeof meanStd>;
  readonly finalAcc: ReturnType<typeof meanStd>;
  readonly trainLoss: ReturnType<typeof meanStd>;
  readonly epochSeconds: number;
  readonly stepMs: number;
  /** Mean step time over the baseline's (SGD when it ran, else the first optimizer). */
  readonly stepRatio: number;
  /** Fraction of entries perturbed (NaN: the optimizer has no perturbation). */
  readonly maskDensity: number;
}

/** Aggregates runs per optimizer, in the order the optimizers were asked for. */
export function aggregate(results: readonly RunResult[], optimizers: readonly string[]): { rows: CompareRow[]; baseline: string } {
  const rows = optimizers.map((opt) => {
    const rs = results.filter((r) => r.optimizer === opt);
    const ok = rs.filter((r) => r.summary.status === 'complete');
    return {
      optimizer: opt,
      seeds: rs.length,
      diverged: rs.length - ok.length,
      bestAcc: meanStd(ok.map((r) => r.summary.bestTestAcc)),
      finalAcc: meanStd(ok.map((r) => r.summary.finalTestAcc)),
      trainLoss: meanStd(ok.map((r) => r.summary.finalTrainLoss)),
      epochSeconds: meanStd(rs.map((r) => r.summary.meanEpochSeconds)).mean,
      stepMs: meanStd(rs.map((r) => r.summary.meanStepMs)).mean,
      stepRatio: Number.NaN,
      maskDensity: meanStd(rs.map((r) => r.summary.maskDensity)).mean,
    };
  });
  const baseline = rows.find((r) => r.optimizer === 'sgd') ?? rows[0];
  const withRatio = rows.map((r) => ({ ...r, stepRatio: baseline ? r.stepMs / baseline.stepMs : Number.NaN }));
  return { rows: withRatio, baseline: baseline?.optimizer ?? '' };
}
