import { describe, expect, it } from 'vitest';
import { UsageError } from '../config.js';
import type { RunSummary } from '../train/loop.js';
import { aggregate, METRICS, type RunResult } from './aggregate.js';
import { resultsCsv } from './report.js';
import { COMPARE_SHARPNESS, parseCompareSharpness, SHARPNESS_METRICS } from './sharpness.js';
import { tableCells, tableHeader, tableNotes } from './table.js';

const CHANCE = { classes: 10, testSize: 10000 };

function summary(acc: number): RunSummary {
  const h = { epoch: 1, step: 10, lr: 0.1, trainLoss: 0.5, trainAcc: 0.8, testLoss: 0.5, testAcc: acc, maskDensity: 1, epsNorm: 0, seconds: 1, stepMs: 1 };
  return { status: 'complete', epochs: 1, steps: 10, finalTestAcc: acc, bestTestAcc: acc, bestEpoch: 1, finalTrainLoss: 0.5, meanEpochSeconds: 1, meanStepMs: 1, maskDensity: 1, paramCount: 10, history: [h] };
}

/** A run measured with the given λmax, trace and m-sharpness (or unmeasured). */
const run = (optimizer: string, seed: number, acc: number, s?: [number, number, number]): RunResult => ({
  optimizer, seed, dir: `runs/${optimizer}-s${seed}`, summary: summary(acc),
  ...(s ? { extra: { lambdaMax: s[0], trace: s[1], mSharpness: s[2] } } : {}),
});

const mean = (xs: readonly number[]) => xs.reduce((a, b) => a + b, 0) / xs.length;

describe('compare --sharpness metrics', () => {
  const sgd: [number, number, number][] = [[10, 100, 0.2], [12, 110, 0.3], [14, 90, 0.4]];
  const sam: [number, number, number][] = [[6, 70, 0.1], [9, 80, 0.1], [7, 60, 0.25]];
  const results = [0, 1, 2].flatMap((s) => [run('sgd', s, 0.9, sgd[s]), run('sam', s, 0.91, sam[s])]);
  const c = aggregate(results, ['sgd', 'sam'], { chance: CHANCE, metrics: [...METRICS, ...SHARPNESS_METRICS] });

  it('aggregates each measure over seeds and pairs it by seed against the reference', () => {
    const row = c.rows.find((r) => r.optimizer === 'sgd')!;
    SHARPNESS_METRICS.forEach((m, k) => {
      expect(row.metrics[m.key]!.mean).toBeCloseTo(mean(sgd.map((v) => v[k]!)), 12);
      expect(row.metrics[m.key]!.n).toBe(3);
      // The paired difference is the mean of the per-seed differences (sgd − sam).
      expect(row.paired![m.key]!.mean).toBeCloseTo(mean(sgd.map((v, s) => v[k]! - sam[s]![k]!)), 12);
      expect(row.paired![m.key]!.keys).toEqual([0, 1, 2]);
    });
  });

  it('shows the three columns in the table and results.csv, while the verdict stays on accuracy', () => {
    const header = tableHeader(c);
    for (const l of ['λmax', 'Hessian trace', 'm-sharpness']) expect(header).toContain(l);
    const cells = tableCells(c)[0]!;
    expect(cells[header.indexOf('λmax')]).toMatch(/^12\.000 \[/);
    const csv = resultsCsv(c).split('\n').map((l) => l.split(','));
    const col = (name: string) => csv[0]!.indexOf(name);
    for (const n of ['lambda_max_mean', 'hessian_trace_diff', 'm_sharpness_ci_high']) expect(col(n)).toBeGreaterThan(0);
    const runRows = csv.filter((r) => r[0] === 'run');
    expect(runRows.map((r) => Number(r[col('lambda_max_mean')]))).toEqual([10, 12, 14, 6, 9, 7]);
    expect(Number(csv[1]![col('hessian_trace_diff')])).toBeCloseTo(mean([30, 30, 30]), 6);
    expect(tableNotes(c).join('\n')).toContain('(final test accuracy, difference');
  });

  it('leaves an unmeasured run out of the sharpness means but not of the accuracy', () => {
    const c2 = aggregate([run('sgd', 0, 0.9, [10, 100, 0.2]), run('sgd', 1, 0.8)], ['sgd'], { chance: CHANCE, metrics: [...METRICS, ...SHARPNESS_METRICS] });
    expect(c2.rows[0]!.metrics.lambdaMax!.n).toBe(1);
    expect(c2.rows[0]!.metrics.finalAcc!.n).toBe(2);
  });
});

describe('parseCompareSharpness', () => {
  it('gives the documented defaults for a bare --sharpness', () => {
    expect(parseCompareSharpness(true)).toBe(COMPARE_SHARPNESS);
    expect(COMPARE_SHARPNESS.settings).toMatchObject({ topK: 1, iterations: 30, traceSamples: 50, points2d: 15, points1d: 51, rho: 0.05, ascentSteps: 5 });
    expect(COMPARE_SHARPNESS.settings.measures).toEqual(['eigenvalues', 'trace', 'm-sharpness', 'landscape']);
  });

  it('overrides the named settings and keeps the others', () => {
    const s = parseCompareSharpness('examples=200,iterations=10,range=-0.5:0.5,m=32');
    expect(s.subset).toEqual({ ...COMPARE_SHARPNESS.subset, examples: 200, m: 32 });
    expect(s.settings).toEqual({ ...COMPARE_SHARPNESS.settings, iterations: 10, range: [-0.5, 0.5] });
  });

  it('names a bad key or value', () => {
    expect(() => parseCompareSharpness('lanczos=3')).toThrow(UsageError);
    expect(() => parseCompareSharpness('lanczos=3')).toThrow(/--sharpness takes key=value pairs .*got 'lanczos=3'/);
    expect(() => parseCompareSharpness('examples=0')).toThrow(/--sharpness examples=0: must be an integer ≥ 1; got '0'/);
    expect(() => parseCompareSharpness('range=1:-1')).toThrow(/--sharpness range=1:-1: must be lo,hi/);
  });
});
