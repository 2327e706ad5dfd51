import { existsSync } from 'node:fs';
import path from 'node:path';
import { withBackend } from '@ssam/tensor';
import { configToRaw, UsageError, type TrainConfig } from '../config.js';
import { chooseBackend } from '../setup/backend.js';
import { effectiveConfig, loadRunData } from '../setup/datasets.js';
import { DivergedError, trainLoop, type RunSummary } from '../train/loop.js';
import { nmNote } from '../setup/nm-fit.js';
import { prepareRun } from '../train/prepare.js';
import { readJson, RunDir } from '../train/run-dir.js';
import { writeRunConfig, type RunConfigDoc } from '../train/run-config.js';
import { TRAINING_KEYS, withBudget } from '../options.js';
import { checkFreshOut, configOrThrow, defaultOut, pct, progressFor, type Io } from './shared.js';

export interface TrainFlags {
  readonly out?: string;
  readonly resume?: boolean;
  readonly json?: boolean;
  readonly quiet?: boolean;
}

/**
 * The config of a resumed run is the saved one. Training options given again must agree with it
 * (silently training something else would break bit-identical resume); the backend and threads
 * may change, with a warning.
 */
function resumedConfig(out: string, explicit: Record<string, unknown>): { saved: RunConfigDoc; config: TrainConfig } {
  const file = path.join(out, 'config.json');
  if (!existsSync(file)) throw new UsageError(`--resume: ${file} does not exist; there is no run in ${out} to continue`);
  let saved: RunConfigDoc;
  try {
    saved = readJson<RunConfigDoc>(file);
  } catch (e) {
    throw new UsageError(`--resume: ${file} is not valid JSON (${(e as Error).message.split('\n')[0]})`);
  }
  const savedRaw = configToRaw(configOrThrow(configToRaw(saved.config)));
  const savedConfig = configOrThrow(savedRaw);
  for (const k of TRAINING_KEYS) {
    if (explicit[k] === undefined) continue;
    const probe = configOrThrow({ ...savedRaw, [k]: explicit[k] });
    if (JSON.stringify(probe) !== JSON.stringify(savedConfig))
      throw new UsageError(`--resume: --${k.replace(/[A-Z]/g, (m) => `-${m.toLowerCase()}`)} ${String(explicit[k])} differs from the saved run (${String(savedRaw[k])}); resume continues the saved configuration, so drop the option`);
  }
  const env = { ...(explicit.backend !== undefined ? { backend: explicit.backend } : {}), ...(explicit.threads !== undefined ? { threads: explicit.threads } : {}) };
  return { saved, config: configOrThrow({ ...savedRaw, ...env }) };
}

/** `ssam train`: returns the exit code (0 done, 3 diverged); throws UsageError for bad input. */
export async function trainCommand(explicit: Record<string, unknown>, flags: TrainFlags, io: Io, argv: readonly string[]): Promise<number> {
  let config: TrainConfig;
  let saved: RunConfigDoc | undefined;
  let out: string;
  if (flags.resume) {
    if (!flags.out) throw new UsageError('--resume needs --out <dir>, the run to continue');
    out = flags.out;
    ({ saved, config } = resumedConfig(out, explicit));
  } else {
    config = configOrThrow(withBudget(explicit));
    out = flags.out ?? defaultOut(`${config.optimizer}-${config.model}-${config.data}-s${config.seed}`);
    checkFreshOut(out, 'config.json');
  }
  const chosen = await chooseBackend(config.backend, config.threads);
  if (saved && saved.backend.description !== chosen.description)
    io.stderr.write(`ssam train: warning: the run started on ${saved.backend.description} and resumes on ${chosen.description}; results need not be bit-identical to an uninterrupted run\n`);
  try {
    return withBackend(chosen.backend, () => {
      const data = loadRunData(config, { train: explicit.trainSubset === undefined, test: explicit.testSubset === undefined });
      config = effectiveConfig(config, data);
      const run = prepareRun(config, data);
      const dir = new RunDir(out);
      dir.create();
      if (!saved) {
        writeRunConfig(dir, config, chosen, argv);
      }
      const say = (s: string) => !flags.quiet && !flags.json && io.stderr.write(s);
      say(`ssam train: ${config.optimizer} on ${config.model} (${run.paramCount.toLocaleString('en-US')} params), ${data.name} ${data.train.length}/${data.test.length} examples, ${config.epochs} epochs × ${run.stepsPerEpoch} steps, ${chosen.description}\n`);
      if (run.nmExcluded.length && config.pattern.kind === 'nm') say(`  ${nmNote(config.optimizer, run.nmExcluded, config.pattern.m)}\n`);
      let summary: RunSummary;
      try {
        summary = trainLoop(run, dir, {
          progress: progressFor(io, { quiet: flags.quiet || flags.json }),
          label: config.optimizer,
          resume: Boolean(flags.resume),
          onResume: (p) => say(`ssam train: resuming from the checkpoint at epoch ${p.epoch + 1}, batch ${p.batch} (step ${p.step})\n`),
          ...(flags.json ? { onEpoch: (row) => io.stdout.write(JSON.stringify({ event: 'epoch', ...row }) + '\n') } : {}),
        });
      } catch (e) {
        if (!(e instanceof DivergedError)) throw e;
        if (flags.json) io.stdout.write(JSON.stringify({ event: 'diverged', message: e.message, out }) + '\n');
        io.stderr.write(`ssam train: ${e.message}\n`);
        return 3;
      }
      if (flags.json) io.stdout.write(JSON.stringify({ event: 'summary', out, ...summary, history: undefined }) + '\n');
      else
        io.stdout.write(
          `${out}: test accuracy ${pct(summary.finalTestAcc)} (best ${pct(summary.bestTestAcc)} at epoch ${summary.bestEpoch}), ` +
            `train loss ${summary.finalTrainLoss.toFixed(4)}, ${summary.meanEpochSeconds.toFixed(1)} s/epoch, ${summary.meanStepMs.toFixed(1)} ms/step\n`,
        );
      return 0;
    });
  } finally {
    chosen.dispose();
  }
}
