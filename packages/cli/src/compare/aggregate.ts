import type { RunSummary } from '../train/loop.js';
import { classify, type ChanceContext, type Outcome } from './collapse.js';
import { CONFIDENCE, pairedDifference, summarize, type SampleSummary } from './stats.js';
import { MIN_TIMED_STEPS, median, runTiming, type RunTiming, type StepTimes } from './timing.js';

export interface RunResult {
  readonly optimizer: string;
  readonly seed: number;
  readonly dir: string;
  readonly summary: RunSummary;
  /** Step times from the compare run (absent for runs compared before they were recorded). */
  readonly times?: StepTimes;
  /** Per-run numbers measured after training (`ssam compare --sharpness`: λmax, trace, m-sharpness), by metric key. */
  readonly extra?: Readonly<Record<string, number>>;
}

/**
 * A per-run number the comparison aggregates over seeds. Everything downstream (table, CSV,
 * paired differences) is driven by this list, so a new column (sharpness, say) is one entry.
 */
export interface MetricDef {
  readonly key: string;
  /** Table header. */
  readonly label: string;
  /** results.csv column stem. */
  readonly csv: string;
  /** The run's value; `r` carries what was measured after training (RunResult.extra). */
  readonly of: (s: RunSummary, r: RunResult) => number;
  /** Display factor (100: fractions shown as percent) and the unit of a difference. */
  readonly scale: number;
  readonly unit: string;
  readonly digits: number;
  /** The values the quantity can take: intervals are cut to it (a mean outside it is impossible, so coverage is kept). */
  readonly range?: readonly [number, number];
}

export const METRICS: readonly MetricDef[] = [
  { key: 'finalAcc', label: 'final test acc %', csv: 'final_acc', of: (s) => s.finalTestAcc, scale: 100, unit: 'pt', digits: 2, range: [0, 1] },
  { key: 'bestAcc', label: 'best test acc %', csv: 'best_acc', of: (s) => s.bestTestAcc, scale: 100, unit: 'pt', digits: 2, range: [0, 1] },
  { key: 'trainLoss', label: 'train loss', csv: 'train_loss', of: (s) => s.finalTrainLoss, scale: 1, unit: '', digits: 4, range: [0, Number.POSITIVE_INFINITY] },
];

/** The metric the paired verdict speaks about: the last epoch's (best-epoch accuracy is picked on the test set, so it flatters). */
export const VERDICT_METRIC = 'finalAcc';

/** One run as the comparison sees it. */
export interface SeedResult {
  readonly seed: number;
  readonly outcome: Outcome;
  readonly why?: string;
  readonly dir: string;
  /** In the aggregate: ok, or failed with --include-failed. */
  readonly included: boolean;
  readonly values: Readonly<Record<string, number>>;
  readonly timing: RunTiming;
}

/** One row of the comparison: an optimizer over its seeds. */
export interface CompareRow {
  readonly optimizer: string;
  readonly seeds: number;
  readonly collapsed: number;
  readonly diverged: number;
  readonly runs: readonly SeedResult[];
  /** Over the included runs. */
  readonly metrics: Readonly<Record<string, SampleSummary>>;
  /** This optimizer − the reference, paired by seed over the seeds included in both; absent for the reference. */
  readonly paired?: Readonly<Record<string, SampleSummary & { keys: readonly number[] }>>;
  readonly epochSeconds: number;
  /** Median over runs of each run's median step time after warm-up: wall clock and process CPU. */
  readonly stepMs: number;
  readonly cpuMs: number;
  /** CPU step time over the time baseline's (SGD when it ran, else the first optimizer); wall time where CPU is unknown. */
  readonly stepRatio: number;
  /** Fraction of entries perturbed (NaN: the optimizer has no perturbation). */
  readonly maskDensity: number;
}

export interface Comparison {
  readonly rows: readonly CompareRow[];
  /** The optimizer every other is paired against (--baseline). */
  readonly reference: string;
  /** The optimizer step times are relative to. */
  readonly timeBaseline: string;
  readonly metrics: readonly MetricDef[];
  readonly includeFailed: boolean;
  readonly confidence: number;
  readonly chance: ChanceContext;
  /** Why the step times cannot be trusted, when they cannot. */
  readonly timingCaveat?: string;
}

export interface AggregateOptions {
  readonly chance: ChanceContext;
  /** Default: the second optimizer (the first when there is one). */
  readonly reference?: string;
  readonly includeFailed?: boolean;
  readonly metrics?: readonly MetricDef[];
}

/** Aggregates runs per optimizer, in the order the optimizers were asked for. */
export function aggregate(results: readonly RunResult[], optimizers: readonly string[], o: AggregateOptions): Comparison {
  const metrics = o.metrics ?? METRICS;
  const includeFailed = o.includeFailed ?? false;
  const reference = o.reference ?? optimizers[1] ?? optimizers[0] ?? '';
  const base = optimizers.map((opt) => {
    const runs: SeedResult[] = results
      .filter((r) => r.optimizer === opt)
      .sort((a, b) => a.seed - b.seed)
      .map((r) => {
        const c = classify(r.summary, o.chance);
        return {
          seed: r.seed, outcome: c.outcome, ...(c.why ? { why: c.why } : {}), dir: r.dir,
          included: c.outcome === 'ok' || includeFailed,
          values: Object.fromEntries(metrics.map((m) => [m.key, m.of(r.summary, r)])),
          timing: runTiming(r.times),
        };
      });
    const inc = runs.filter((r) => r.included);
    const wall = median(runs.map((r) => r.timing.wallMs));
    const summaries = results.filter((r) => r.optimizer === opt).map((r) => r.summary);
    return {
      optimizer: opt,
      seeds: runs.length,
      collapsed: runs.filter((r) => r.outcome === 'collapsed').length,
      diverged: runs.filter((r) => r.outcome === 'diverged').length,
      runs,
      metrics: Object.fromEntries(metrics.map((m) => [m.key, clip(summarize(inc.map((r) => r.values[m.key]!)), m.range)])),
      epochSeconds: summarize(summaries.map((s) => s.meanEpochSeconds)).mean,
      stepMs: Number.isFinite(wall) ? wall : median(summaries.map((s) => s.meanStepMs)),
      cpuMs: median(runs.map((r) => r.timing.cpuMs)),
      maskDensity: summarize(summaries.map((s) => s.maskDensity)).mean,
    };
  });
  const byKey = (row: (typeof base)[number], key: string) => new Map(row.runs.filter((r) => r.included).map((r) => [r.seed, r.values[key]!] as const));
  const ref = base.find((r) => r.optimizer === reference);
  const timeBase = base.find((r) => r.optimizer === 'sgd') ?? base[0];
  const useCpu = base.every((r) => Number.isFinite(r.cpuMs));
  const rows: CompareRow[] = base.map((r) => ({
    ...r,
    ...(ref && r !== ref ? { paired: Object.fromEntries(metrics.map((m) => [m.key, pairedDifference(byKey(r, m.key), byKey(ref, m.key))])) } : {}),
    stepRatio: timeBase ? (useCpu ? r.cpuMs / timeBase.cpuMs : r.stepMs / timeBase.stepMs) : Number.NaN,
  }));
  const caveat = timingCaveat(rows, timeBase?.optimizer ?? '');
  return { rows, reference, timeBaseline: timeBase?.optimizer ?? '', metrics, includeFailed, confidence: CONFIDENCE, chance: o.chance, ...(caveat ? { timingCaveat: caveat } : {}) };
}

function clip(s: SampleSummary, range: MetricDef['range']): SampleSummary {
  if (!range || s.n < 2) return s;
  return { ...s, ci: [Math.max(range[0], s.ci[0]), Math.min(range[1], s.ci[1])] };
}

/** Seed-to-seed spread of one optimizer's step time above this, and the times are called noisy. */
export const MAX_TIMING_SPREAD = 0.1;

/** Wall-clock over CPU time of a run's median step above this, and the machine is called busy. */
export const MAX_WALL_OVER_CPU = 1.5;

/** A step-time ratio is reported as telling only when two standard errors stay within this. */
export const MAX_RATIO_ERROR = 0.1;

function timingCaveat(rows: readonly CompareRow[], timeBaseline: string): string | undefined {
  const runs = rows.flatMap((r) => r.runs);
  if (runs.length === 0) return undefined;
  if (runs.some((r) => r.timing.steps === 0 && !Number.isFinite(r.timing.wallMs))) return 'some runs have no step times (compared by an older ssam); the step times are the per-epoch medians of summary.json, warm-up included';
  const why: string[] = [];
  const fewest = Math.min(...runs.map((r) => r.timing.steps));
  // Two standard errors of a ratio of medians: √(se_a² + se_b²), each optimizer taking its noisiest run.
  const se = (r: CompareRow) => Math.max(...r.runs.map((x) => x.timing.cpuRelSe));
  const base = rows.find((r) => r.optimizer === timeBaseline);
  const worst = base ? Math.max(...rows.filter((r) => r !== base).map((r) => 2 * Math.hypot(se(r), se(base)))) : Number.NaN;
  if (fewest < MIN_TIMED_STEPS || worst > MAX_RATIO_ERROR)
    why.push(
      `the runs are too short to time: ${fewest} steps each after warm-up${worst > MAX_RATIO_ERROR ? `, and the step-time ratios are uncertain by up to ±${(worst * 100).toFixed(0)} % (two standard errors of the medians)` : ` (want ≥ ${MIN_TIMED_STEPS})`}`,
    );
  // Waiting for a core shows as wall time above CPU time (a quiet machine: equal with one thread, below with several).
  const busy = Math.max(...runs.map((x) => x.timing.wallMs / x.timing.cpuMs).filter(Number.isFinite));
  if (busy > MAX_WALL_OVER_CPU)
    why.push(`the machine was busy: a step's wall-clock time was up to ${busy.toFixed(1)}× its CPU time; on a loaded machine even CPU times drift between runs`);
  for (const r of rows) {
    const t = r.runs.map((x) => x.timing.cpuMs).filter(Number.isFinite);
    if (t.length < 2) continue;
    const spread = (Math.max(...t) - Math.min(...t)) / median(t);
    if (spread > MAX_TIMING_SPREAD) why.push(`${r.optimizer}'s step time varies by ${(spread * 100).toFixed(0)} % between seeds (a busy machine)`);
  }
  return why.length ? why.join('; ') : undefined;
}

const signed = (x: number, d: number): string => `${x > 0 ? '+' : x < 0 ? '−' : '±'}${Math.abs(x).toFixed(d)}`;

/**
 * The paired comparison of `row` against the reference in plain words, e.g.
 * "ssam-f − sam: −0.80 pt [−2.10, +0.50], not distinguishable at 3 seeds".
 */
export function verdict(row: CompareRow, reference: string, m: MetricDef, confidence = CONFIDENCE): string {
  const d = row.paired?.[m.key];
  const head = `${row.optimizer} − ${reference}`;
  if (!d || d.n === 0) return `${head}: no seed where both trained to the end, so no comparison`;
  const u = m.unit ? ` ${m.unit}` : '';
  const mean = signed(d.mean * m.scale, m.digits);
  if (d.n === 1) return `${head}: ${mean}${u} from one seed; no comparison is possible with one seed (run --seeds 3 or more)`;
  const [lo, hi] = d.ci;
  const ci = `[${signed(lo * m.scale, m.digits)}, ${signed(hi * m.scale, m.digits)}]`;
  const at = `at ${d.n} seeds`;
  if (lo > 0 || hi < 0) return `${head}: ${mean}${u} ${ci}, ${row.optimizer} ${lo > 0 ? 'higher' : 'lower'} ${at} (the ${Math.round(confidence * 100)} % interval excludes 0)`;
  return `${head}: ${mean}${u} ${ci}, not distinguishable ${at}`;
}
