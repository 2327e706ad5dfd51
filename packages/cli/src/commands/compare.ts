import { existsSync } from 'node:fs';
import path from 'node:path';
import { withBackend } from '@ssam/tensor';
import * as E from 'fp-ts/lib/Either.js';
import { OPTIMIZERS, parsePattern, takesPattern, UsageError, type TrainConfig } from '../config.js';
import { aggregate, METRICS, type RunResult } from '../compare/aggregate.js';
import { measureRuns, parseCompareSharpness, SHARPNESS_METRICS, type MeasuredRun } from '../compare/sharpness.js';
import { tableCells, tableHeader, tableNotes, textTable } from '../compare/table.js';
import { loadStepTimes, saveStepTimes, timingSink } from '../compare/timing.js';
import { warmUp } from '../compare/warmup.js';
import { TRAINING_KEYS, withBudget } from '../options.js';
import { chooseBackend } from '../setup/backend.js';
import { effectiveConfig, loadRunData } from '../setup/datasets.js';
import { DivergedError, trainLoop, type RunSummary } from '../train/loop.js';
import { nmNote } from '../setup/nm-fit.js';
import { prepareRun } from '../train/prepare.js';
import { writeRunConfig } from '../train/run-config.js';
import { readJson, RunDir, writeJson } from '../train/run-dir.js';
import { hasCheckpoint } from '../checkpoint.js';
import { environment } from '../versions.js';
import { checkFreshOut, configOrThrow, defaultOut, progressFor, type Io } from './shared.js';

export const DEFAULT_OPTIMIZERS = ['sgd', 'sam', 'ssam-f', 'ssam-d'] as const;

export interface CompareFlags {
  readonly out?: string;
  readonly resume?: boolean;
  readonly json?: boolean;
  readonly quiet?: boolean;
  readonly optimizers?: string;
  readonly seeds?: string;
  /** The optimizer the others are paired against (default: the second one). */
  readonly baseline?: string;
  /** Keep collapsed and diverged runs in the means. */
  readonly includeFailed?: boolean;
  /** Measure each run's sharpness after training: true for the defaults, or key=value settings. */
  readonly sharpness?: true | string;
}

/** compare.json: how the comparison was asked for, so `--resume` can finish it. */
interface CompareDoc {
  readonly format: 'ssam-compare/1';
  readonly options: Record<string, unknown>;
  readonly optimizers: readonly string[];
  readonly seeds: number;
  /** --sharpness as given, so that --resume measures too. */
  readonly sharpness?: true | string;
  readonly environment: Record<string, unknown>;
  readonly createdAt: string;
}

function parseOptimizers(v: string | undefined): string[] {
  if (v === undefined) return [...DEFAULT_OPTIMIZERS];
  const list = v.split(',').map((s) => s.trim());
  const bad = list.filter((o) => !(OPTIMIZERS as readonly string[]).includes(o));
  if (list.length === 0 || bad.length) throw new UsageError(`--optimizers must list some of ${OPTIMIZERS.join(', ')} separated by commas; got '${v}'`);
  if (new Set(list).size !== list.length) throw new UsageError(`--optimizers lists an optimizer twice: '${v}'`);
  return list;
}

/** `--lr-for sgd=0.05,sam=0.1`: a peak learning rate per optimizer, over --lr. */
export function parseLrFor(v: unknown, optimizers: readonly string[]): Map<string, string> {
  const out = new Map<string, string>();
  if (v === undefined) return out;
  for (const part of String(v).split(',')) {
    const [name, lr, ...rest] = part.split('=').map((s) => s.trim());
    if (!name || lr === undefined || lr === '' || rest.length) throw new UsageError(`--lr-for takes optimizer=lr pairs separated by commas, e.g. sgd=0.05,sam=0.1; got '${String(v)}'`);
    if (!optimizers.includes(name)) throw new UsageError(`--lr-for names ${name}, which --optimizers does not list (${optimizers.join(',')})`);
    if (out.has(name)) throw new UsageError(`--lr-for gives ${name} twice: '${String(v)}'`);
    out.set(name, lr);
  }
  return out;
}

function parseSeeds(v: string | undefined): number {
  if (v === undefined) return 1;
  const n = Number(v);
  if (!Number.isInteger(n) || n < 1 || n > 100) throw new UsageError(`--seeds must be an integer in [1, 100] (how many seeds per optimizer); got '${v}'`);
  return n;
}

/**
 * The raw options of one optimizer in the comparison. `--pattern` shapes the Fisher mask of ssam-f
 * and ssam-f-implicit; the others run without it (ssam-d at the sparsity an N:M pattern implies,
 * so every sparse optimizer perturbs the same fraction).
 */
export function optionsFor(raw: Record<string, unknown>, optimizer: string): Record<string, unknown> {
  if (raw.pattern === undefined || takesPattern(optimizer)) return raw;
  const { pattern, ...rest } = raw;
  const p = parsePattern(String(pattern));
  if (optimizer === 'ssam-d' && E.isRight(p) && p.right.kind === 'nm' && rest.sparsity === undefined) return { ...rest, sparsity: 1 - p.right.n / p.right.m };
  return rest;
}

/** `ssam compare`: every optimizer × seed on one setup, then a table and a report folder. */
export async function compareCommand(given: Record<string, unknown>, flags: CompareFlags, io: Io, argv: readonly string[]): Promise<number> {
  // --lr-for shapes the runs, so it is saved with the comparison; --baseline and --include-failed only change the report.
  const { baseline: _b, includeFailed: _i, sharpness: _s, ...explicit0 } = given;
  let sharpnessArg = flags.sharpness;
  let explicit = explicit0;
  let optimizers: string[];
  let seeds: number;
  let out: string;
  if (flags.resume) {
    if (!flags.out) throw new UsageError('--resume needs --out <dir>, the comparison to finish');
    out = flags.out;
    const file = path.join(out, 'compare.json');
    if (!existsSync(file)) throw new UsageError(`--resume: ${file} does not exist; there is no comparison in ${out} to finish`);
    const saved = readJson<CompareDoc>(file);
    const changed = [...TRAINING_KEYS, 'optimizers', 'seeds', 'lrFor'].filter((k) => explicit[k] !== undefined);
    if (changed.length) throw new UsageError(`--resume finishes the saved comparison; drop ${changed.map((k) => `--${k.replace(/[A-Z]/g, (m) => `-${m.toLowerCase()}`)}`).join(', ')}`);
    explicit = { ...saved.options, ...(explicit.backend !== undefined ? { backend: explicit.backend } : {}), ...(explicit.threads !== undefined ? { threads: explicit.threads } : {}), ...(explicit.compile !== undefined ? { compile: explicit.compile } : {}) };
    optimizers = [...saved.optimizers];
    seeds = saved.seeds;
    sharpnessArg ??= saved.sharpness;
  } else {
    optimizers = parseOptimizers(flags.optimizers);
    seeds = parseSeeds(flags.seeds);
  }
  const { lrFor: lrForRaw, ...trainingOptions } = explicit;
  const lrFor = parseLrFor(lrForRaw, optimizers);
  if (flags.baseline !== undefined && !optimizers.includes(flags.baseline))
    throw new UsageError(`--baseline ${flags.baseline} is not among the compared optimizers (${optimizers.join(',')})`);
  const sharp = sharpnessArg === undefined ? undefined : parseCompareSharpness(sharpnessArg);
  const raw = withBudget(trainingOptions);
  if (raw.pattern !== undefined && String(raw.pattern) !== 'unstructured' && !optimizers.some(takesPattern))
    throw new UsageError(`--pattern ${String(raw.pattern)} shapes the mask of ssam-f and ssam-f-implicit; --optimizers lists neither (${optimizers.join(',')})`);
  const common = configOrThrow(optionsFor(raw, 'sgd')); // the options before --lr-for
  const seed0 = common.seed;
  const jobs: { optimizer: string; seed: number; config: TrainConfig }[] = [];
  // Seed by seed, every optimizer in turn: slow drifts of a shared machine then hit them all alike.
  for (let s = 0; s < seeds; s++)
    for (const optimizer of optimizers)
      jobs.push({ optimizer, seed: seed0 + s, config: configOrThrow({ ...optionsFor(raw, optimizer), ...(lrFor.has(optimizer) ? { lr: lrFor.get(optimizer) } : {}), optimizer, seed: seed0 + s }) });
  const first = jobs[0]!.config;
  // The sparsity and pattern line describes the Fisher-masked runs when there are some.
  const masked = (jobs.find((j) => takesPattern(j.optimizer)) ?? jobs[0]!).config;
  if (!flags.resume) {
    out = flags.out ?? defaultOut(`compare-${first.data}-${first.model}`);
    checkFreshOut(out, 'compare.json');
  }
  out = out!;

  const chosen = await chooseBackend(first.backend, first.threads);
  const results: RunResult[] = [];
  let measured: MeasuredRun[] = [];
  let stepsPerEpoch = 1;
  let setup: string[] = [];
  let chance = { classes: 10, testSize: 1 };
  try {
    withBackend(chosen.backend, () => {
      const data = loadRunData(first, { train: explicit.trainSubset === undefined, test: explicit.testSubset === undefined });
      jobs.forEach((j) => (j.config = effectiveConfig(j.config, data)));
      // Validate every optimizer on this model before writing anything.
      const prepared = optimizers.map((o) => prepareRun(jobs.find((j) => j.optimizer === o)!.config, data));
      stepsPerEpoch = prepared[0]!.stepsPerEpoch;
      chance = { classes: data.train.numClasses, testSize: data.test.length };
      setup = [
        `data: ${data.name}, ${data.train.length.toLocaleString('en-US')} training and ${data.test.length.toLocaleString('en-US')} test examples${first.augment ? ', augmented' : ''}`,
        `model: ${first.model}${first.model === 'mlp' ? ` ${[data.train.shape.reduce((a, b) => a * b, 1), ...first.width, data.train.numClasses].join('-')}` : ''} (${prepared[0]!.paramCount.toLocaleString('en-US')} parameters)`,
        `training: ${first.epochs} epochs × ${stepsPerEpoch} steps of ${first.batchSize}, lr ${common.lr}${lrFor.size ? ` (${[...lrFor].map(([o, v]) => `${o} ${v}`).join(', ')})` : ''} (${first.schedule}), momentum ${first.momentum}, weight decay ${first.weightDecay}; ρ ${first.rho}, sparsity ${masked.sparsity} (${masked.pattern.kind === 'nm' ? `nm:${masked.pattern.n}:${masked.pattern.m}` : masked.pattern.kind}); budget ${first.budget}`,
        ...prepared.flatMap((r) => (r.nmExcluded.length && r.config.pattern.kind === 'nm' ? [`${r.config.optimizer}: ${nmNote(r.config.optimizer, r.nmExcluded, r.config.pattern.m)}`] : [])),
        `seeds: ${[...new Set(jobs.map((j) => j.seed))].join(', ')}`,
        `backend: ${chosen.description}; Node ${process.version}`,
      ];
      const dirOf = (j: (typeof jobs)[number]) => new RunDir(path.join(out, 'runs', `${j.optimizer}-s${j.seed}`));
      new RunDir(out).create();
      if (!flags.resume) {
        const doc: CompareDoc = { format: 'ssam-compare/1', options: explicit, optimizers, seeds, ...(sharpnessArg !== undefined ? { sharpness: sharpnessArg } : {}), environment: environment(), createdAt: new Date().toISOString() };
        writeJson(path.join(out, 'compare.json'), doc);
      }
      const say = (s: string) => !flags.quiet && !flags.json && io.stderr.write(s);
      say(`ssam compare: ${optimizers.join(', ')} × ${seeds} seed${seeds > 1 ? 's' : ''} → ${out}\n  ${setup.join('\n  ')}\n`);
      // Untimed steps of every optimizer first, so that the first run does not pay the process's warm-up.
      if (jobs.some((j) => !existsSync(dirOf(j).file('summary')))) warmUp(prepared);
      jobs.forEach((j, i) => {
        const dir = dirOf(j);
        if (existsSync(dir.file('summary'))) {
          const s = readJson<RunSummary>(dir.file('summary'));
          if (s.status === 'complete' || s.status === 'diverged') {
            const times = loadStepTimes(dir.dir);
            results.push({ optimizer: j.optimizer, seed: j.seed, dir: dir.dir, summary: s, ...(times ? { times } : {}) });
            return;
          }
        }
        const run = prepareRun(j.config, data);
        dir.create();
        if (!existsSync(dir.file('config'))) writeRunConfig(dir, j.config, chosen, argv);
        let summary: RunSummary;
        const timed = timingSink(progressFor(io, { quiet: flags.quiet || flags.json }));
        try {
          summary = trainLoop(run, dir, {
            progress: timed.sink,
            label: `[${i + 1}/${jobs.length}] ${j.optimizer}${seeds > 1 ? ` s${j.seed}` : ''}`,
            resume: hasCheckpoint(dir.file('checkpoint')),
          });
        } catch (e) {
          if (!(e instanceof DivergedError)) throw e;
          say(`  ${j.optimizer} seed ${j.seed}: ${e.message}\n`);
          summary = e.summary;
        }
        saveStepTimes(dir.dir, timed.times);
        results.push({ optimizer: j.optimizer, seed: j.seed, dir: dir.dir, summary, times: timed.times });
      });
      if (sharp) measured = measureRuns(results, sharp, { backend: chosen.description, say });
    });
  } finally {
    chosen.dispose();
  }

  const comparison = aggregate(sharp ? measured.map((m) => m.result) : results, optimizers, { chance, metrics: sharp ? [...METRICS, ...SHARPNESS_METRICS] : METRICS, ...(flags.baseline ? { reference: flags.baseline } : {}), includeFailed: Boolean(flags.includeFailed) });
  // vega and resvg load only now: a rejected command line never pays for them.
  const { writeReport } = await import('../compare/report.js');
  const sections = sharp ? await (await import('../compare/sharpness-figures.js')).sharpnessSection(out, measured, sharp) : [];
  const report = await writeReport({ dir: out, title: `ssam compare: ${optimizers.join(', ')} on ${first.data} with ${first.model}`, setup, comparison, results, stepsPerEpoch, sections });
  const { rows, reference, timeBaseline, timingCaveat } = comparison;
  if (flags.json) {
    io.stdout.write(JSON.stringify({ event: 'compare', out, report, reference, timeBaseline, includeFailed: comparison.includeFailed, rows, ...(timingCaveat ? { timingCaveat } : {}), setup }) + '\n');
  } else {
    io.stdout.write('\n' + textTable(tableHeader(comparison), tableCells(comparison)));
    io.stdout.write(`\n${tableNotes(comparison).join('\n')}\nMask density = fraction of weights perturbed${optimizers.includes('ssam-f-implicit') ? " (ssam-f-implicit: the weights pass 1's input gradients flow through; its ε is dense)" : ''}.\nReport: ${report}\n`);
  }
  return 0;
}
