import { rmdirSync } from 'node:fs';
import path from 'node:path';
import { withBackend } from '@ssam/tensor';
import * as E from 'fp-ts/lib/Either.js';
import { configToRaw, UsageError, type TrainConfig } from '../config.js';
import { chooseBackend } from '../setup/backend.js';
import { effectiveConfig, loadRunData } from '../setup/datasets.js';
import { DivergedError, StoppedRun, trainLoopYielding, type RunSummary } from '../train/loop.js';
import { nmNote } from '../setup/nm-fit.js';
import { prepareRun, type PreparedRun } from '../train/prepare.js';
import type { CanonicalConfig } from '../train/fingerprint.js';
import { describeFsError, isFsError, isTempFile, readJson, RUN_FILES, RunDir } from '../train/run-dir.js';
import { readRunConfig, writeRunConfig, type RunConfigDoc } from '../train/run-config.js';
import { acquireRunLock } from '../train/run-lock.js';
import { TRAINING_KEYS, withBudget } from '../options.js';
import { checkOptionsApply } from '../option-scope.js';
import { checkFreshOut, clearLeftovers, configOrThrow, defaultOut, outEntries, pct, progressFor, type Io } from './shared.js';

export interface TrainFlags {
  readonly out?: string;
  readonly resume?: boolean;
  readonly json?: boolean;
  readonly quiet?: boolean;
}

/** The config the checkpoint was written with, if it can be read (to name an edited field). */
function checkpointConfig(out: string): CanonicalConfig | undefined {
  try {
    const meta = (readJson<{ meta?: { config?: unknown } }>(path.join(out, RUN_FILES.checkpoint, 'state.json')).meta ?? {}).config;
    return meta !== null && typeof meta === 'object' ? (meta as CanonicalConfig) : undefined;
  } catch {
    return undefined;
  }
}

/**
 * The config of a resumed run is the saved one. Training options given again must agree with it
 * (silently training something else would break bit-identical resume); the backend and threads
 * may change, with a warning, and `--compile` / `--no-compile` freely (bit-identical either way).
 */
/** Options a resume may change: how the run computes, not what (outside the fingerprint). */
const ENV_KEYS = ['backend', 'threads', 'compile'] as const;

function resumedConfig(out: string, explicit: Record<string, unknown>): { saved: RunConfigDoc; config: TrainConfig } {
  const file = path.join(out, RUN_FILES.config);
  const entries = outEntries(out);
  if (!entries) throw new UsageError(`--resume: ${file} does not exist; there is no run in ${out} to continue`);
  if (!entries.includes(RUN_FILES.config)) {
    if (entries.length > 0 && entries.every((e) => isTempFile(e) || e.startsWith(RUN_FILES.lock)))
      throw new UsageError(`--resume: ${out} holds no config.json, only what a run killed while starting leaves; start it again without --resume`);
    throw new UsageError(`--resume: ${file} does not exist; there is no run in ${out} to continue`);
  }
  const r = readRunConfig(file, () => checkpointConfig(out));
  if (E.isLeft(r)) throw r.left;
  const saved = r.right;
  let savedRaw: Record<string, unknown>;
  try {
    savedRaw = configToRaw(configOrThrow(configToRaw(saved.config)));
  } catch (e) {
    if (e instanceof UsageError) throw new UsageError(`--resume: ${file}: config is not a valid run config (${e.message})`);
    throw new UsageError(`--resume: ${file}: config is malformed (${(e as Error).message.split('\n')[0]})`);
  }
  const savedConfig = configOrThrow(savedRaw);
  for (const k of TRAINING_KEYS) {
    if (explicit[k] === undefined) continue;
    const probe = configOrThrow({ ...savedRaw, [k]: explicit[k] });
    if (JSON.stringify(probe) !== JSON.stringify(savedConfig))
      throw new UsageError(`--resume: --${k.replace(/[A-Z]/g, (m) => `-${m.toLowerCase()}`)} ${String(explicit[k])} differs from the saved run (${String(savedRaw[k])}); resume continues the saved configuration, so drop the option`);
  }
  const env = Object.fromEntries(ENV_KEYS.filter((k) => explicit[k] !== undefined).map((k) => [k, explicit[k]]));
  return { saved, config: configOrThrow({ ...savedRaw, ...env }) };
}

function rmdirQuiet(dir: string): void {
  try {
    rmdirSync(dir);
  } catch {
    // not empty, or already gone
  }
}

/**
 * Takes the run folder's lock and, for a fresh run, writes config.json. Every file-system failure
 * here (--out under a file, an unwritable folder, a full disk) is a one-line UsageError, and a
 * fresh run that fails here removes what it created.
 */
function openRunFolder(dir: RunDir, fresh: (() => void) | undefined): () => void {
  const existed = outEntries(dir.dir) !== undefined;
  let release: (() => void) | undefined;
  try {
    release = acquireRunLock(dir.dir, 'ssam train');
    if (fresh) {
      checkFreshOut(dir.dir, RUN_FILES.config, { locked: true }); // another run may have started since the first check
      clearLeftovers(dir.dir);
      fresh();
    }
    return release;
  } catch (e) {
    release?.();
    // Only an empty folder goes (rmdir refuses any other): one that a racing run filled stays.
    if (fresh && !existed) rmdirQuiet(dir.dir);
    if (isFsError(e)) throw new UsageError(`--out ${dir.dir}: ${describeFsError(e)}`);
    throw e;
  }
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
    checkOptionsApply(explicit, config.optimizer, config.base ?? 'sgd');
    out = flags.out ?? defaultOut(`${config.optimizer}-${config.model}-${config.data}-s${config.seed}`);
    checkFreshOut(out, 'config.json');
  }
  const chosen = await chooseBackend(config.backend, config.threads);
  if (saved && saved.backend.description !== chosen.description)
    io.stderr.write(`ssam train: warning: the run started on ${saved.backend.description} and resumes on ${chosen.description}; results need not be bit-identical to an uninterrupted run\n`);
  try {
    const enter = <T>(f: () => T): T => withBackend(chosen.backend, f);
    const { run, dir, release } = enter(() => {
      const data = loadRunData(config, { train: explicit.trainSubset === undefined, test: explicit.testSubset === undefined });
      const run = prepareRun(effectiveConfig(config, data), data);
      const dir = new RunDir(out);
      return { run, dir, release: openRunFolder(dir, saved ? undefined : () => void writeRunConfig(dir, run.config, chosen, argv)) };
    });
    try {
      return await trainIn(run, dir, { flags, io, backend: chosen.description, enter });
    } finally {
      release();
    }
  } finally {
    chosen.dispose();
  }
}

/** Exit code of a run stopped by Ctrl-C: 128 + SIGINT, as a shell reports it. */
export const EXIT_INTERRUPTED = 130;

/**
 * Ctrl-C asks the loop to stop after the current step: it checkpoints there, and the run ends
 * with the line that says how to resume (exit 130). A second Ctrl-C exits at once (the lock is
 * released by the 'exit' handler; the last checkpoint written stays intact). `ssam compare`
 * trains synchronously and keeps the default: Ctrl-C ends it at once.
 */
function onInterrupt(): { requested: () => boolean; dispose: () => void } {
  let requested = false;
  const handler = () => {
    if (requested) process.exit(EXIT_INTERRUPTED);
    requested = true;
  };
  // SIGINT only: SIGTERM (`kill`) still ends the process at once, leaving a stale lock and the last checkpoint.
  process.on('SIGINT', handler);
  return { requested: () => requested, dispose: () => void process.off('SIGINT', handler) };
}

/** Trains in the locked folder and reports: exit code 0, 3 when the run diverged, 130 when stopped. */
async function trainIn(run: PreparedRun, dir: RunDir, o: { flags: TrainFlags; io: Io; backend: string; enter: <T>(f: () => T) => T }): Promise<number> {
  const { flags, io } = o;
  const { config, data } = run;
  const out = dir.dir;
  const say = (s: string) => !flags.quiet && !flags.json && io.stderr.write(s);
  let summary: RunSummary;
  const interrupt = onInterrupt();
  try {
    summary = await trainLoopYielding(run, dir, {
      shouldStop: interrupt.requested,
      progress: progressFor(io, { quiet: flags.quiet || flags.json }),
      label: config.optimizer,
      resume: Boolean(flags.resume),
      // After the checkpoint passed its checks: a refused resume prints its one line only.
      onStart: () => {
        say(`ssam train: ${config.optimizer} on ${config.model} (${run.paramCount.toLocaleString('en-US')} params), ${data.name} ${data.train.length}/${data.test.length} examples, ${config.epochs} epochs × ${run.stepsPerEpoch} steps, ${o.backend}\n`);
        if (run.nmExcluded.length && config.pattern.kind === 'nm') say(`  ${nmNote(config.optimizer, run.nmExcluded, config.pattern.m)}\n`);
      },
      onResume: (p) => say(`ssam train: resuming from the checkpoint at epoch ${p.epoch + 1}, batch ${p.batch} (step ${p.step})\n`),
      ...(flags.json ? { onEpoch: (row) => io.stdout.write(JSON.stringify({ event: 'epoch', ...row }) + '\n') } : {}),
    }, o.enter);
  } catch (e) {
    if (e instanceof StoppedRun) {
      const ckpt = path.relative(process.cwd(), e.checkpoint) || e.checkpoint;
      const resume = `ssam train --out ${out} --resume`;
      if (flags.json) io.stdout.write(JSON.stringify({ event: 'stopped', step: e.position.step, epoch: e.position.epoch, checkpoint: ckpt, resume, out }) + '\n');
      io.stderr.write(`ssam train: stopped at step ${e.position.step} of ${config.epochs * run.stepsPerEpoch}; checkpoint at ${ckpt}; resume with: ${resume}\n`);
      return EXIT_INTERRUPTED;
    }
    if (!(e instanceof DivergedError)) throw e;
    if (flags.json) io.stdout.write(JSON.stringify({ event: 'diverged', message: e.message, out }) + '\n');
    io.stderr.write(`ssam train: ${e.message}\n`);
    return 3;
  } finally {
    interrupt.dispose();
  }
  if (flags.json) io.stdout.write(JSON.stringify({ event: 'summary', out, ...summary, history: undefined }) + '\n');
  else
    io.stdout.write(
      `${out}: test accuracy ${pct(summary.finalTestAcc)} (best ${pct(summary.bestTestAcc)} at epoch ${summary.bestEpoch}), ` +
        `train loss ${summary.finalTrainLoss.toFixed(4)}, ${summary.meanEpochSeconds.toFixed(1)} s/epoch, ${summary.meanStepMs.toFixed(1)} ms/step\n`,
    );
  return 0;
}
