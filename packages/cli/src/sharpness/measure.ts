import {
  evaluate, hutchinsonTrace, landscape1d, landscape2d, mSharpness, randomDirection, slqDensity, smoothDensity, topEigenvalues,
  type OnProgress, type Problem,
} from '@ssam/sharpness';
import { random, type Key } from '@ssam/tensor';

export const MEASURES = ['eigenvalues', 'trace', 'density', 'm-sharpness', 'landscape'] as const;
export type MeasureName = (typeof MEASURES)[number];

export interface MeasureSettings {
  readonly measures: readonly MeasureName[];
  readonly seed: number;
  readonly topK: number;
  readonly iterations: number;
  readonly tol: number;
  readonly traceSamples: number;
  readonly lanczosSteps: number;
  readonly densityRuns: number;
  readonly rho: number;
  readonly ascentSteps: number;
  readonly points1d: number;
  readonly points2d: number;
  readonly range: readonly [number, number];
}

export const DEFAULT_SETTINGS: MeasureSettings = {
  measures: MEASURES, seed: 0, topK: 3, iterations: 100, tol: 1e-3, traceSamples: 100, lanczosSteps: 100, densityRuns: 1,
  rho: 0.05, ascentSteps: 5, points1d: 51, points2d: 21, range: [-1, 1],
};

/** What `ssam sharpness` writes per run (sharpness.json), every number with what produced it. */
export interface SharpnessReport {
  readonly loss: number;
  readonly accuracy: number;
  readonly examples: number;
  readonly eigenvalues?: { values: number[]; iterations: number[]; converged: boolean[] };
  readonly trace?: { value: number; stdErr: number; samples: number; converged: boolean };
  readonly density?: { runs: { nodes: number[]; weights: number[] }[]; grid: number[]; density: number[] };
  readonly mSharpness?: { value: number; rho: number; m: number; steps: number; perBatch: number[] };
  readonly landscape1d?: { alphas: number[]; loss: number[]; accuracy: number[] };
  readonly landscape2d?: { xs: number[]; ys: number[]; loss: number[][]; accuracy: number[][] };
  /** Wall-clock seconds per measure. */
  readonly seconds: Record<string, number>;
}

/**
 * Every measure of @ssam/sharpness on one trained model. `problem` holds the fixed subset in
 * evaluation batches; `mProblem` the same examples in batches of m for the m-sharpness. The keys
 * come from `seed` alone, so two runs measured with one seed share their random probes (and the
 * random directions before filter normalisation).
 */
export function measureProblem(problem: Problem, mProblem: Problem, s: MeasureSettings, onProgress?: OnProgress): SharpnessReport {
  const [kEig, kTrace, kDensity, kM, kD1, kD2, kD3] = random.split(random.key(s.seed), 7) as Key[];
  const seconds: Record<string, number> = {};
  const timed = <T>(name: string, f: () => T): T => {
    const t0 = performance.now();
    const r = f();
    seconds[name] = (performance.now() - t0) / 1000;
    return r;
  };
  const on = (m: MeasureName) => s.measures.includes(m);
  const base = evaluate(problem);
  const examples = problem.batches.reduce((a, b) => a + b.x.shape[0]!, 0);
  const eig = on('eigenvalues') ? timed('eigenvalues', () => topEigenvalues(problem, { key: kEig!, k: s.topK, maxIter: s.iterations, tol: s.tol, ...(onProgress ? { onProgress } : {}) })) : undefined;
  const tr = on('trace') ? timed('trace', () => hutchinsonTrace(problem, { key: kTrace!, maxSamples: s.traceSamples, minSamples: Math.min(10, s.traceSamples), ...(onProgress ? { onProgress } : {}) })) : undefined;
  const dens = on('density') ? timed('density', () => slqDensity(problem, { key: kDensity!, steps: s.lanczosSteps, runs: s.densityRuns, ...(onProgress ? { onProgress } : {}) })) : undefined;
  const ms = on('m-sharpness') ? timed('m-sharpness', () => mSharpness(mProblem, { key: kM!, rho: s.rho, steps: s.ascentSteps, ...(onProgress ? { onProgress } : {}) })) : undefined;
  let l1, l2;
  if (on('landscape')) {
    const d = (k: Key) => randomDirection(problem.params, k);
    l1 = timed('landscape1d', () => landscape1d(problem, d(kD1!), { range: s.range, points: s.points1d, ...(onProgress ? { onProgress } : {}) }));
    l2 = timed('landscape2d', () => landscape2d(problem, [d(kD2!), d(kD3!)], { xRange: s.range, yRange: s.range, points: s.points2d, ...(onProgress ? { onProgress } : {}) }));
  }
  return {
    loss: base.loss, accuracy: base.accuracy, examples,
    ...(eig ? { eigenvalues: { values: eig.eigenvalues, iterations: eig.iterations, converged: eig.converged } } : {}),
    ...(tr ? { trace: { value: tr.trace, stdErr: tr.stdErr, samples: tr.samples, converged: tr.converged } } : {}),
    ...(dens ? { density: { runs: dens.runs, ...smoothDensity(dens, { bins: 400 }) } } : {}),
    ...(ms ? { mSharpness: { value: ms.sharpness, rho: s.rho, m: mProblem.batches[0]!.x.shape[0]!, steps: s.ascentSteps, perBatch: ms.perBatch.map((b) => b.sharpness) } } : {}),
    ...(l1 ? { landscape1d: l1 } : {}),
    ...(l2 ? { landscape2d: l2 } : {}),
    seconds,
  };
}

/**
 * The scalar columns a comparison table shows for one run: λmax, the Hessian trace (± its standard
 * error) and the m-sharpness; NaN where the measure was not taken. `ssam compare --sharpness`
 * (src/compare/sharpness.ts) takes its columns from here.
 */
export function sharpnessColumns(r: SharpnessReport): { lambdaMax: number; trace: number; traceStdErr: number; mSharpness: number } {
  return {
    lambdaMax: r.eigenvalues?.values[0] ?? NaN,
    trace: r.trace?.value ?? NaN,
    traceStdErr: r.trace?.stdErr ?? NaN,
    mSharpness: r.mSharpness?.value ?? NaN,
  };
}

import { loadRun, runProblem, type LoadedRun } from './load-run.js';

/** Where the measured examples come from. */
export interface SubsetSettings {
  readonly split: 'train' | 'test';
  readonly examples: number;
  readonly batchSize: number;
  /** m of the m-sharpness: examples per batch of the ascent. */
  readonly m: number;
}

/** Loads a run folder and measures it: the one call a report (ssam compare) needs per run. */
export function measureRunDir(dir: string, subset: SubsetSettings, s: MeasureSettings, onProgress?: OnProgress): { run: LoadedRun; report: SharpnessReport } {
  const run = loadRun(dir);
  const problem = runProblem(run, subset);
  const mProblem = runProblem(run, { ...subset, batchSize: subset.m });
  return { run, report: measureProblem(problem, mProblem, s, onProgress) };
}
