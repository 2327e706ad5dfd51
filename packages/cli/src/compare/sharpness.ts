import { existsSync } from 'node:fs';
import path from 'node:path';
import { UsageError } from '../config.js';
import { parseSharpnessFlags, type SharpnessFlags } from '../commands/sharpness.js';
import { DEFAULT_SETTINGS, measureRunDir, sharpnessColumns, type MeasureSettings, type SharpnessReport, type SubsetSettings } from '../sharpness/measure.js';
import { readJson, writeJson } from '../train/run-dir.js';
import type { MetricDef, RunResult } from './aggregate.js';

/**
 * `ssam compare --sharpness`: after training, each run's final checkpoint is measured with
 * @ssam/sharpness (λmax, Hutchinson trace, m-sharpness, 1-D and 2-D landscapes) and the three
 * scalars join the comparison as metrics, so they get intervals and paired differences like
 * accuracy does.
 *
 * The settings are `ssam sharpness`'s defaults (1,000 training examples, m 128, ρ 0.05, 5 ascent
 * steps, 51 points in 1-D, range ±1) except where they cost too much per run: only λmax (top-k 1)
 * with at most 30 power iterations, at most 50 Hutchinson probes, and a 15 × 15 plane instead of
 * 21 × 21. On the default job (MNIST, MLP 784-64-10) that is 14–18 s per run on a busy 2-core
 * machine, about a minute for the four default runs (docs/guide/cli.md has the figures).
 */
export const COMPARE_SHARPNESS: { readonly subset: SubsetSettings; readonly settings: MeasureSettings } = {
  subset: { split: 'train', examples: 1000, batchSize: 500, m: 128 },
  settings: { ...DEFAULT_SETTINGS, measures: ['eigenvalues', 'trace', 'm-sharpness', 'landscape'], topK: 1, iterations: 30, traceSamples: 50, points2d: 15 },
};

/** The keys `--sharpness key=value,...` takes: `ssam sharpness`'s flags of the same names. */
const KEYS: Readonly<Record<string, keyof SharpnessFlags>> = {
  split: 'split', examples: 'examples', 'batch-size': 'batchSize', m: 'm', seed: 'seed', iterations: 'iterations',
  'trace-samples': 'traceSamples', rho: 'rho', 'ascent-steps': 'ascentSteps', 'points-1d': 'points1d', 'points-2d': 'points2d', range: 'range',
};

/**
 * `--sharpness` (true: the defaults above) or `--sharpness examples=200,iterations=10,range=-0.5:0.5`
 * into settings; a bad key or value is a UsageError naming it.
 */
export function parseCompareSharpness(v: true | string): { subset: SubsetSettings; settings: MeasureSettings } {
  if (v === true || v.trim() === '') return COMPARE_SHARPNESS;
  const base = COMPARE_SHARPNESS;
  const flags: Record<string, string> = {
    examples: String(base.subset.examples), batchSize: String(base.subset.batchSize), m: String(base.subset.m),
    measures: base.settings.measures.join(','), topK: String(base.settings.topK), iterations: String(base.settings.iterations),
    traceSamples: String(base.settings.traceSamples), points2d: String(base.settings.points2d),
  };
  for (const part of v.split(',')) {
    const [key, value, ...rest] = part.split('=').map((s) => s.trim());
    const name = KEYS[key ?? ''];
    if (!name || value === undefined || value === '' || rest.length)
      throw new UsageError(`--sharpness takes key=value pairs separated by commas among ${Object.keys(KEYS).join(', ')} (range as lo:hi), e.g. examples=200,iterations=10; got '${part}'`);
    const given = name === 'range' ? value.replace(':', ',') : value;
    try {
      parseSharpnessFlags({ run: ['-'], [name]: given });
    } catch (e) {
      if (e instanceof UsageError) throw new UsageError(`--sharpness ${part}: ${e.message.replace(/^--[a-z0-9-]+ /, '')}`);
      throw e;
    }
    flags[name] = given;
  }
  return parseSharpnessFlags({ run: ['-'], ...flags });
}

/** The three scalars as comparison metrics; NaN (shown –) for a run that was not measured. */
export const SHARPNESS_METRICS: readonly MetricDef[] = [
  { key: 'lambdaMax', label: 'λmax', csv: 'lambda_max', of: (_s, r) => r.extra?.lambdaMax ?? Number.NaN, scale: 1, unit: '', digits: 3 },
  { key: 'trace', label: 'Hessian trace', csv: 'hessian_trace', of: (_s, r) => r.extra?.trace ?? Number.NaN, scale: 1, unit: '', digits: 2 },
  // m-sharpness is a loss increase at the worst point of a ρ-ball: ≥ 0 up to the ascent's inexactness.
  { key: 'mSharpness', label: 'm-sharpness', csv: 'm_sharpness', of: (_s, r) => r.extra?.mSharpness ?? Number.NaN, scale: 1, unit: '', digits: 4 },
];

/** A run's sharpness.json: the format `ssam sharpness` writes, with this one run. */
interface RunSharpnessDoc {
  readonly format: 'ssam-sharpness/1';
  readonly backend: string;
  readonly subset: SubsetSettings;
  readonly settings: MeasureSettings;
  readonly runs: readonly { readonly report: SharpnessReport }[];
}

const sameSettings = (d: RunSharpnessDoc, s: { subset: SubsetSettings; settings: MeasureSettings }) =>
  JSON.stringify([d.subset, d.settings]) === JSON.stringify([s.subset, s.settings]);

const fmt = (x: number | undefined) => (x === undefined || !Number.isFinite(x) ? 'n/a' : x.toPrecision(4));

export interface MeasuredRun {
  readonly result: RunResult;
  readonly label: string;
  readonly report?: SharpnessReport;
}

/**
 * Measures each run that trained to the end (a diverged run's checkpoint is not the model that
 * diverged, so it gets none) and caches the report as the run folder's sharpness.json: a
 * `--resume` with the same settings reads it back instead of measuring again. Call inside the
 * backend the runs trained on.
 */
export function measureRuns(
  results: readonly RunResult[],
  s: { subset: SubsetSettings; settings: MeasureSettings },
  o: { backend: string; say: (line: string) => void },
): MeasuredRun[] {
  const many = new Set(results.map((r) => r.seed)).size > 1;
  o.say(`sharpness of each run's final checkpoint (λmax, trace, m-sharpness, landscapes; up to ${s.subset.examples} ${s.subset.split} examples):\n`);
  return results.map((r) => {
    const label = `${r.optimizer}${many ? ` s${r.seed}` : ''}`;
    if (r.summary.status !== 'complete') return { result: r, label };
    const file = path.join(r.dir, 'sharpness.json');
    let report: SharpnessReport | undefined;
    if (existsSync(file)) {
      const doc = readJson<RunSharpnessDoc>(file);
      if (doc.format === 'ssam-sharpness/1' && sameSettings(doc, s)) report = doc.runs[0]?.report;
      if (report) o.say(`  ${label}: read back from ${path.join(path.basename(r.dir), 'sharpness.json')}\n`);
    }
    if (!report) {
      const t0 = performance.now();
      report = measureRunDir(r.dir, s.subset, s.settings).report;
      writeJson(file, { format: 'ssam-sharpness/1', backend: o.backend, subset: s.subset, settings: s.settings, runs: [{ dir: r.dir, label, optimizer: r.optimizer, seed: r.seed, ...sharpnessColumns(report), report }] });
      o.say(`  ${label}: λmax ${fmt(report.eigenvalues?.values[0])}, trace ${fmt(report.trace?.value)}, m-sharpness ${fmt(report.mSharpness?.value)} (${((performance.now() - t0) / 1000).toFixed(1)} s)\n`);
    }
    const c = sharpnessColumns(report);
    return { result: { ...r, extra: { ...r.extra, lambdaMax: c.lambdaMax, trace: c.trace, mSharpness: c.mSharpness } }, label, report };
  });
}
