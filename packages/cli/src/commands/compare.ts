import { existsSync } from 'node:fs';
import path from 'node:path';
import { withBackend } from '@ssam/tensor';
import * as E from 'fp-ts/lib/Either.js';
import { OPTIMIZERS, parsePattern, takesPattern, UsageError, type TrainConfig } from '../config.js';
import { aggregate, type RunResult } from '../compare/aggregate.js';
import { TABLE_HEADER, tableCells, textTable } from '../compare/table.js';
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
}

/** compare.json: how the comparison was asked for, so `--resume` can finish it. */
interface CompareDoc {
  readonly format: 'ssam-compare/1';
  readonly options: Record<string, unknown>;
  readonly optimizers: readonly string[];
  readonly seeds: number;
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
export async function compareCommand(explicit0: Record<string, unknown>, flags: CompareFlags, io: Io, argv: readonly string[]): Promise<number> {
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
    const changed = [...TRAINING_KEYS, 'optimizers', 'seeds'].filter((k) => explicit[k] !== undefined);
    if (changed.length) throw new UsageError(`--resume finishes the saved comparison; drop ${changed.map((k) => `--${k.replace(/[A-Z]/g, (m) => `-${m.toLowerCase()}`)}`).join(', ')}`);
    explicit = { ...saved.options, ...(explicit.backend !== undefined ? { backend: explicit.backend } : {}), ...(explicit.threads !== undefined ? { threads: explicit.threads } : {}) };
    optimizers = [...saved.optimizers];
    seeds = saved.seeds;
  } else {
    optimizers = parseOptimizers(flags.optimizers);
    seeds = parseSeeds(flags.seeds);
  }
  const raw = withBudget(explicit);
  if (raw.pattern !== undefined && String(raw.pattern) !== 'unstructured' && !optimizers.some(takesPattern))
    throw new UsageError(`--pattern ${String(raw.pattern)} shapes the mask of ssam-f and ssam-f-implicit; --optimizers lists neither (${optimizers.join(',')})`);
  const seed0 = configOrThrow(optionsFor(raw, 'sgd')).seed;
  const jobs: { optimizer: string; seed: number; config: TrainConfig }[] = [];
  for (const optimizer of optimizers)
    for (let s = 0; s < seeds; s++) jobs.push({ optimizer, seed: seed0 + s, config: configOrThrow({ ...optionsFor(raw, optimizer), optimizer, seed: seed0 + s }) });
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
  let stepsPerEpoch = 1;
  let setup: string[] = [];
  try {
    withBackend(chosen.backend, () => {
      const data = loadRunData(first, { train: explicit.trainSubset === undefined, test: explicit.testSubset === undefined });
      jobs.forEach((j) => (j.config = effectiveConfig(j.config, data)));
      // Validate every optimizer on this model before writing anything.
      const prepared = optimizers.map((o) => prepareRun(jobs.find((j) => j.optimizer === o)!.config, data));
      stepsPerEpoch = prepared[0]!.stepsPerEpoch;
      setup = [
        `data: ${data.name}, ${data.train.length.toLocaleString('en-US')} training and ${data.test.length.toLocaleString('en-US')} test examples${first.augment ? ', augmented' : ''}`,
        `model: ${first.model}${first.model === 'mlp' ? ` ${[data.train.shape.reduce((a, b) => a * b, 1), ...first.width, data.train.numClasses].join('-')}` : ''} (${prepared[0]!.paramCount.toLocaleString('en-US')} parameters)`,
        `training: ${first.epochs} epochs × ${stepsPerEpoch} steps of ${first.batchSize}, lr ${first.lr} (${first.schedule}), momentum ${first.momentum}, weight decay ${first.weightDecay}; ρ ${first.rho}, sparsity ${masked.sparsity} (${masked.pattern.kind === 'nm' ? `nm:${masked.pattern.n}:${masked.pattern.m}` : masked.pattern.kind}); budget ${first.budget}`,
        ...prepared.flatMap((r) => (r.nmExcluded.length && r.config.pattern.kind === 'nm' ? [`${r.config.optimizer}: ${nmNote(r.config.optimizer, r.nmExcluded, r.config.pattern.m)}`] : [])),
        `seeds: ${[...new Set(jobs.map((j) => j.seed))].join(', ')}`,
        `backend: ${chosen.description}; Node ${process.version}`,
      ];
      const dirOf = (j: (typeof jobs)[number]) => new RunDir(path.join(out, 'runs', `${j.optimizer}-s${j.seed}`));
      new RunDir(out).create();
      if (!flags.resume) {
        const doc: CompareDoc = { format: 'ssam-compare/1', options: explicit, optimizers, seeds, environment: environment(), createdAt: new Date().toISOString() };
        writeJson(path.join(out, 'compare.json'), doc);
      }
      const say = (s: string) => !flags.quiet && !flags.json && io.stderr.write(s);
      say(`ssam compare: ${optimizers.join(', ')} × ${seeds} seed${seeds > 1 ? 's' : ''} → ${out}\n  ${setup.join('\n  ')}\n`);
      jobs.forEach((j, i) => {
        const dir = dirOf(j);
        if (existsSync(dir.file('summary'))) {
          const s = readJson<RunSummary>(dir.file('summary'));
          if (s.status === 'complete' || s.status === 'diverged') {
            results.push({ optimizer: j.optimizer, seed: j.seed, dir: dir.dir, summary: s });
            return;
          }
        }
        const run = prepareRun(j.config, data);
        dir.create();
        if (!existsSync(dir.file('config'))) writeRunConfig(dir, j.config, chosen, argv);
        let summary: RunSummary;
        try {
          summary = trainLoop(run, dir, {
            progress: progressFor(io, { quiet: flags.quiet || flags.json }),
            label: `[${i + 1}/${jobs.length}] ${j.optimizer}${seeds > 1 ? ` s${j.seed}` : ''}`,
            resume: hasCheckpoint(dir.file('checkpoint')),
          });
        } catch (e) {
          if (!(e instanceof DivergedError)) throw e;
          say(`  ${j.optimizer} seed ${j.seed}: ${e.message}\n`);
          summary = e.summary;
        }
        results.push({ optimizer: j.optimizer, seed: j.seed, dir: dir.dir, summary });
      });
    });
  } finally {
    chosen.dispose();
  }

  const { rows, baseline } = aggregate(results, optimizers);
  // vega and resvg load only now: a rejected command line never pays for them.
  const { writeReport } = await import('../compare/report.js');
  const report = await writeReport({ dir: out, title: `ssam compare: ${optimizers.join(', ')} on ${first.data} with ${first.model}`, setup, rows, baseline, results, stepsPerEpoch });
  if (flags.json) {
    io.stdout.write(JSON.stringify({ event: 'compare', out, report, baseline, rows, setup }) + '\n');
  } else {
    io.stdout.write('\n' + textTable(TABLE_HEADER, tableCells(rows)));
    io.stdout.write(`\nAccuracy ${seeds > 1 ? `mean ± std over ${seeds} seeds` : 'of one seed'}; step time relative to ${baseline}; mask density = fraction of weights perturbed${optimizers.includes('ssam-f-implicit') ? " (ssam-f-implicit: the weights pass 1's input gradients flow through; its ε is dense)" : ''}.\nReport: ${report}\n`);
  }
  return 0;
}
