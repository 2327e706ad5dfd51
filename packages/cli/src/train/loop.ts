import path from 'node:path';
import { epochBatches } from '@ssam/data';
import { random, tree, type Key, type Tensor, type Tree } from '@ssam/tensor';
import * as E from 'fp-ts/lib/Either.js';
import { pipe } from 'fp-ts/lib/function.js';
import { CheckpointError, hasCheckpoint, readCheckpoint, saveCheckpoint } from '../checkpoint.js';
import { RunFailure, UsageError } from '../config.js';
import type { ProgressSink } from '../progress.js';
import { encodeSafetensors } from '../safetensors.js';
import type { PreparedRun } from './prepare.js';
import { describeFsError, isFsError, RunDir, RunFileError, writeFileAtomic, writeJson, type EpochRecord } from './run-dir.js';
import { acquireRunLock } from './run-lock.js';
import { evaluate } from './evaluate.js';
import { checkSnapshot, snapshotMeta, type EpochSums, type Snapshot } from './snapshot.js';
import { makeStep } from './step.js';

export interface RunSummary {
  readonly status: 'complete' | 'diverged';
  readonly epochs: number;
  readonly steps: number;
  readonly finalTestAcc: number;
  readonly bestTestAcc: number;
  readonly bestEpoch: number;
  readonly finalTrainLoss: number;
  readonly meanEpochSeconds: number;
  readonly meanStepMs: number;
  readonly maskDensity: number;
  readonly paramCount: number;
  readonly message?: string;
  readonly history: readonly EpochRecord[];
}

/** Training stopped because the loss (or the params) stopped being finite. */
export class DivergedError extends Error {
  override readonly name = 'DivergedError';
  constructor(message: string, readonly summary: RunSummary) {
    super(message);
  }
}

/**
 * The run stopped because the user asked (Ctrl-C): the state after `position.step` steps is
 * checkpointed, and `--resume` continues from it exactly as from any other checkpoint.
 */
export class StoppedRun extends Error {
  override readonly name = 'StoppedRun';
  constructor(readonly position: { epoch: number; batch: number; step: number }, readonly checkpoint: string) {
    super(`stopped at step ${position.step}`);
  }
}

export interface LoopOptions {
  readonly progress: ProgressSink;
  readonly label: string;
  /** Called after each epoch (for --json). */
  readonly onEpoch?: (row: EpochRecord) => void;
  /** Continue from `checkpoint/` if there is one. */
  readonly resume: boolean;
  /** Called once the run is ready to train (after a resumed checkpoint passed its checks). */
  readonly onStart?: () => void;
  /** Called when a checkpoint was loaded, with the position training continues from. */
  readonly onResume?: (position: { epoch: number; batch: number; step: number }) => void;
  /** Polled after every step; true checkpoints the run where it is and throws StoppedRun. */
  readonly shouldStop?: () => boolean;
  /** Examples per Fisher forward pass (speed only). */
  readonly fisherChunk?: number;
}

const zeroSums = (): EpochSums => ({ lossSum: 0, accSum: 0, epsSum: 0, densitySum: 0, steps: 0, seconds: 0 });
const allFinite = (t: Tree): boolean => tree.leaves(t).every((l) => (l as Tensor).toArray().every(Number.isFinite));

function summarize(run: PreparedRun, history: readonly EpochRecord[], steps: number, status: RunSummary['status'], message?: string): RunSummary {
  const last = history.at(-1);
  let best = -1;
  history.forEach((h, i) => {
    if (best < 0 || h.testAcc > history[best]!.testAcc) best = i;
  });
  const mean = (f: (h: EpochRecord) => number) => (history.length ? history.reduce((a, h) => a + f(h), 0) / history.length : Number.NaN);
  return {
    status, epochs: history.length, steps,
    finalTestAcc: last?.testAcc ?? Number.NaN,
    bestTestAcc: best >= 0 ? history[best]!.testAcc : Number.NaN,
    bestEpoch: best >= 0 ? history[best]!.epoch : Number.NaN,
    finalTrainLoss: last?.trainLoss ?? Number.NaN,
    meanEpochSeconds: mean((h) => h.seconds),
    meanStepMs: mean((h) => h.stepMs),
    maskDensity: last?.maskDensity ?? Number.NaN,
    paramCount: run.paramCount,
    ...(message ? { message } : {}),
    history,
  };
}

/**
 * Trains a prepared run in `dir` (which holds config.json already). Checkpoints at every epoch end
 * and every `checkpointEvery` steps; with `resume`, continues from the checkpoint and ends with
 * bit-identical params to an uninterrupted run: batches, keys and running sums all come from the
 * checkpoint or are pure functions of (seed, epoch, step).
 */
export function trainLoop(run: PreparedRun, dir: RunDir, o: LoopOptions): RunSummary {
  const steps = trainGenerator(run, dir, o);
  for (;;) {
    const r = steps.next();
    if (r.done) return r.value;
  }
}

/**
 * `trainLoop` that returns to the event loop after every step, so a SIGINT handler can run and
 * set `shouldStop` (a synchronous loop would only see the signal once the run had ended). Each
 * stretch of steps runs inside `enter` (the caller's `withBackend`: the backend stack is
 * synchronous, so it is entered again after every wait). A `setImmediate` wait costs about 1 µs
 * against a step of milliseconds.
 */
export async function trainLoopYielding(run: PreparedRun, dir: RunDir, o: LoopOptions, enter: <T>(f: () => T) => T): Promise<RunSummary> {
  const steps = trainGenerator(run, dir, o);
  for (;;) {
    const r = enter(() => steps.next());
    if (r.done) return r.value;
    await new Promise<void>((resolve) => setImmediate(resolve));
  }
}

/** The training, one step per `next()`; its `finally` blocks release the lock however it ends. */
function* trainGenerator(run: PreparedRun, dir: RunDir, o: LoopOptions): Generator<void, RunSummary, void> {
  // `ssam train` holds the lock already (this is re-entrant); each run of `ssam compare` takes its own.
  const sub = process.argv[2];
  const release = acquireRunLock(dir.dir, sub === 'train' || sub === 'compare' ? `ssam ${sub}` : 'ssam');
  try {
    return yield* trainLocked(run, dir, o);
  } finally {
    release();
  }
}

/**
 * Loads the checkpoint to resume from and checks it against the run; a Left (unreadable, another
 * run's, out of the run's bounds, a tensor of the wrong shape) is a UsageError: nothing written.
 */
function resumeFrom(run: PreparedRun, ckptDir: string): Snapshot {
  const stateFile = path.join(ckptDir, 'state.json');
  const r = pipe(
    readCheckpoint(ckptDir),
    E.chain((l) => pipe(checkSnapshot(l, run), E.mapLeft((e) => new CheckpointError(`${stateFile}: ${e.message}`)))),
  );
  if (E.isLeft(r)) throw new UsageError(`--resume: ${r.left.message}; nothing in the run folder was changed`);
  // Checkpoints written before metrics.csv had a rho column: ρ is a function of the step, so it is filled in exactly.
  return { ...r.right, history: r.right.history.map((h) => (typeof h.rho === 'number' ? h : { ...h, rho: run.rhoAt(Math.max(0, h.step - 1)) })) };
}

function* trainLocked(run: PreparedRun, dir: RunDir, o: LoopOptions): Generator<void, RunSummary, void> {
  try {
    return yield* trainSteps(run, dir, o);
  } catch (e) {
    // A full disk or a folder removed under the run: one line and exit 1, the last checkpoint intact.
    if (e instanceof RunFileError) throw new UsageError(`${e.message}; the run folder holds something ssam did not write`);
    if (isFsError(e)) throw new RunFailure(`${describeFsError(e)}; the last checkpoint in ${dir.file('checkpoint')} is intact, and --resume continues from it`);
    throw e;
  }
}

function* trainSteps(run: PreparedRun, dir: RunDir, o: LoopOptions): Generator<void, RunSummary, void> {
  const c = run.config;
  const ckptDir = dir.file('checkpoint');
  let snap: Snapshot = { train: run.initial, keys: run.keys, position: { epoch: 0, batch: 0, step: 0 }, sums: zeroSums(), history: [] };
  const resumed = o.resume && hasCheckpoint(ckptDir) ? resumeFrom(run, ckptDir) : undefined;
  o.onStart?.();
  if (resumed) {
    snap = resumed;
    dir.trimSteps(snap.position.step);
    dir.writeMetrics(snap.history);
    o.onResume?.(snap.position);
  } else dir.trimSteps(0); // a run killed before its first checkpoint starts over, log included
  const step = makeStep({
    model: run.model, optimizer: run.optimizer, perturbs: c.optimizer !== 'sgd', labelSmoothing: c.labelSmoothing,
    fisherPool: run.data.train, fisherTransform: run.data.testTransform, fisherChunk: o.fisherChunk ?? 16, compile: c.compile,
  });
  let lastGood: Snapshot['position'] | undefined = hasCheckpoint(ckptDir) ? snap.position : undefined;
  const save = (s: Snapshot): boolean => {
    // Only a finite state becomes a checkpoint: a diverging run keeps its last good one.
    if (!allFinite(s.train.params)) return false;
    saveCheckpoint(ckptDir, s, snapshotMeta(run, s.position));
    lastGood = s.position;
    return true;
  };
  const diverged = (s: Snapshot, what: string): never => {
    const where = `epoch ${s.position.epoch + 1}, step ${s.position.step + 1}`;
    const kept = lastGood
      ? `the last good checkpoint (after step ${lastGood.step}) is kept in ${path.relative(process.cwd(), ckptDir) || ckptDir}`
      : 'no checkpoint had been written yet';
    const msg = `training diverged at ${where}: ${what}; ${kept}. Lower --lr (${c.lr})${c.optimizer === 'sgd' ? '' : ` or --rho (${c.rho})`} and start again`;
    const summary = summarize(run, s.history, s.position.step, 'diverged', msg);
    writeJson(dir.file('summary'), summary);
    throw new DivergedError(msg, summary);
  };

  o.progress.start(o.label, c.epochs, run.stepsPerEpoch);
  try {
    for (let epoch = snap.position.epoch; epoch < c.epochs; epoch++) {
      const sums = snap.position.batch === 0 ? zeroSums() : { ...snap.sums };
      let t0 = performance.now();
      const stepLines: object[] = [];
      // Step times are wall-clock and not checkpointed; their median ignores JIT warm-up and GC spikes.
      const stepTimes: number[] = [];
      const batches = epochBatches(run.data.train, { batchSize: c.batchSize, key: run.keys.data, epoch, start: snap.position.batch, ...(run.data.trainAugment ? { augment: run.data.trainAugment } : {}) });
      for (const b of batches) {
        const g = snap.position.step;
        const ts = performance.now();
        const r = step(snap.train, b, random.foldIn(snap.keys.step, g) as Key);
        stepTimes.push(performance.now() - ts);
        if (!r.ok) {
          dir.appendSteps(stepLines.splice(0)); // the log shows the steps up to the divergence
          return diverged(snap, r.what);
        }
        const m = r.metrics;
        sums.lossSum += m.loss;
        sums.accSum += m.acc;
        sums.epsSum += m.epsNorm;
        sums.densitySum += m.maskDensity;
        sums.steps += 1;
        snap = { ...snap, train: r.state, position: { epoch, batch: b.position + 1, step: g + 1 }, sums };
        stepLines.push({ step: g, epoch, batch: b.position, loss: m.loss, acc: m.acc, lr: run.lrAt(g), rho: run.rhoAt(g), eps_norm: m.epsNorm, mask_density: Number.isNaN(m.maskDensity) ? null : m.maskDensity });
        o.progress.step({ epoch: epoch + 1, step: g + 1, loss: m.loss, acc: m.acc });
        const endOfEpoch = b.position + 1 === run.stepsPerEpoch;
        const stopping = o.shouldStop?.() ?? false;
        if ((stopping || (c.checkpointEvery > 0 && (g + 1) % c.checkpointEvery === 0)) && !endOfEpoch) {
          const now = performance.now();
          sums.seconds += (now - t0) / 1000;
          t0 = now;
          dir.appendSteps(stepLines.splice(0));
          if (!save({ ...snap, sums: { ...sums } })) return diverged(snap, 'the parameters are no longer finite');
          if (stopping) throw new StoppedRun(snap.position, ckptDir);
        }
        yield;
      }
      sums.seconds += (performance.now() - t0) / 1000;
      dir.appendSteps(stepLines.splice(0));
      const test = evaluate(run.model, snap.train, run.data.test, run.data.testTransform);
      if (!Number.isFinite(test.loss) && !allFinite(snap.train.params)) return diverged(snap, 'the parameters are no longer finite');
      const n = Math.max(1, sums.steps);
      const row: EpochRecord = {
        epoch: epoch + 1, step: snap.position.step, lr: run.lrAt(Math.max(0, snap.position.step - 1)), rho: run.rhoAt(Math.max(0, snap.position.step - 1)),
        trainLoss: sums.lossSum / n, trainAcc: sums.accSum / n, testLoss: test.loss, testAcc: test.acc,
        maskDensity: sums.densitySum / n, epsNorm: sums.epsSum / n,
        seconds: sums.seconds, stepMs: median(stepTimes),
      };
      const history = [...snap.history, row];
      snap = { ...snap, history, position: { epoch: epoch + 1, batch: 0, step: snap.position.step }, sums: zeroSums() };
      if (!save(snap)) return diverged(snap, 'the parameters are no longer finite');
      dir.writeMetrics(history);
      o.progress.epochEnd({ epoch: epoch + 1, trainLoss: row.trainLoss, testAcc: row.testAcc, seconds: row.seconds });
      o.onEpoch?.(row);
      if (epoch + 1 < c.epochs && (o.shouldStop?.() ?? false)) throw new StoppedRun(snap.position, ckptDir);
    }
  } finally {
    o.progress.stop();
  }
  const flat: Record<string, Tensor> = {};
  for (const [prefix, t] of [['params', snap.train.params], ['state', snap.train.modelState]] as const) {
    const [leaves] = tree.flatten(t);
    const names = leafNames(t);
    leaves.forEach((l, i) => (flat[`${prefix}.${names[i]}`] = l as Tensor));
  }
  writeFileAtomic(dir.file('model'), encodeSafetensors(flat, { format: 'ssam-model/1', model: c.model }));
  const summary = summarize(run, snap.history, snap.position.step, 'complete');
  writeJson(dir.file('summary'), summary);
  return summary;
}

function median(xs: number[]): number {
  if (xs.length === 0) return Number.NaN;
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m]! : (s[m - 1]! + s[m]!) / 2;
}

/** Dotted paths of a tree's leaves, in flatten order (sorted keys). */
function leafNames(t: unknown, prefix = ''): string[] {
  if (t === null || t === undefined) return [];
  if (Array.isArray(t)) return t.flatMap((v, i) => leafNames(v, prefix ? `${prefix}.${i}` : String(i)));
  if (typeof t === 'object' && Object.getPrototypeOf(t) === Object.prototype)
    return Object.keys(t).sort().flatMap((k) => leafNames((t as Record<string, unknown>)[k], prefix ? `${prefix}.${k}` : k));
  return [prefix];
}
