import * as E from 'fp-ts/lib/Either.js';
import { pipe } from 'fp-ts/lib/function.js';
import { isTensor, random, type Tensor } from '@ssam/tensor';
import { CheckpointError, type Json } from '../checkpoint.js';
import { canonicalConfig, configFingerprint, firstDifference, type CanonicalConfig } from './fingerprint.js';
import type { PreparedRun, RunKeys } from './prepare.js';
import type { EpochRecord } from './run-dir.js';
import type { TrainState } from './step.js';

/** Running sums of the epoch in progress; checkpointed, so a resumed epoch reports the same means. */
export interface EpochSums {
  lossSum: number;
  accSum: number;
  epsSum: number;
  densitySum: number;
  steps: number;
  seconds: number;
}

/** The next batch to run: epoch, position within it, global step. */
export interface Position {
  readonly epoch: number;
  readonly batch: number;
  readonly step: number;
}

/** The whole resumable state of a run: what `checkpoint/` holds. */
export interface Snapshot {
  train: TrainState;
  keys: RunKeys;
  position: Position;
  sums: EpochSums;
  history: EpochRecord[];
}

/** What a checkpoint's `meta` records besides the position: whose run it is. */
export const snapshotMeta = (run: PreparedRun, p: Position): Record<string, Json> => ({
  epoch: p.epoch, batch: p.batch, step: p.step, complete: p.epoch >= run.config.epochs,
  fingerprint: configFingerprint(run.config), config: canonicalConfig(run.config) as Json,
});

type Check = E.Either<CheckpointError, void>;
const ok: Check = E.right(undefined);
const bad = (m: string): Check => E.left(new CheckpointError(m));
const all = (checks: ReadonlyArray<() => Check>): Check => {
  for (const c of checks) {
    const r = c();
    if (E.isLeft(r)) return r;
  }
  return ok;
};

const isPlain = (v: unknown): v is Record<string, unknown> => v !== null && typeof v === 'object' && Object.getPrototypeOf(v) === Object.prototype;
const kind = (v: unknown): string =>
  isTensor(v) ? `a tensor [${v.shape.join(', ')}] (${v.dtype})` : v instanceof random.Key ? 'a PRNG key' : Array.isArray(v) ? `a list of ${v.length}` : v === null ? 'null' : isPlain(v) ? 'an object' : `${typeof v} ${JSON.stringify(v)}`;

/**
 * `value` has the structure of `template`: the same keys, list lengths and leaf kinds, and every
 * tensor the same shape and dtype. This is what stops a [1] bias from being broadcast into a [16]
 * one, or a momentum buffer of another width from being added to the params.
 */
export function sameStructure(template: unknown, value: unknown, at: string): Check {
  const fail = (want: string) => bad(`${at} is ${kind(value)}; the run needs ${want}`);
  if (isTensor(template)) {
    const t = template as Tensor;
    return isTensor(value) && value.dtype === t.dtype && value.shape.length === t.shape.length && value.shape.every((d, i) => d === t.shape[i]) ? ok : fail(kind(t));
  }
  if (template instanceof random.Key) return value instanceof random.Key ? ok : fail('a PRNG key');
  if (Array.isArray(template)) {
    if (!Array.isArray(value) || value.length !== template.length) return fail(`a list of ${template.length}`);
    return all(template.map((t, i) => () => sameStructure(t, value[i], `${at}.${i}`)));
  }
  if (isPlain(template)) {
    if (!isPlain(value)) return fail('an object');
    const extra = Object.keys(value).find((k) => !(k in template));
    if (extra !== undefined) return bad(`${at}.${extra} is not part of the run's state`);
    return all(Object.keys(template).map((k) => () => (k in value ? sameStructure(template[k], value[k], `${at}.${k}`) : bad(`${at}.${k} is missing`))));
  }
  return typeof value === typeof template && (value === null) === (template === null) ? ok : fail(kind(template));
}

const isCount = (v: unknown): v is number => typeof v === 'number' && Number.isSafeInteger(v) && v >= 0;

function checkPosition(p: unknown, run: PreparedRun): Check {
  if (!isPlain(p) || !isCount(p.epoch) || !isCount(p.batch) || !isCount(p.step)) return bad(`position is ${JSON.stringify(p)}; it must hold integers epoch, batch and step >= 0`);
  const { epochs } = run.config;
  const spe = run.stepsPerEpoch;
  if (p.epoch > epochs) return bad(`position.epoch ${p.epoch} is past the run's ${epochs} epochs`);
  if (p.batch >= spe || (p.epoch === epochs && p.batch > 0)) return bad(`position.batch ${p.batch} is outside epoch ${p.epoch + 1} (${spe} steps per epoch, ${epochs} epochs)`);
  if (p.step !== p.epoch * spe + p.batch) return bad(`position.step ${p.step} is not epoch ${p.epoch} × ${spe} steps + batch ${p.batch} = ${p.epoch * spe + p.batch}`);
  return ok;
}

const SUM_FIELDS = ['lossSum', 'accSum', 'epsSum', 'densitySum', 'steps', 'seconds'] as const;
const ROW_FIELDS = ['epoch', 'step', 'lr', 'trainLoss', 'trainAcc', 'testLoss', 'testAcc', 'maskDensity', 'epsNorm', 'seconds', 'stepMs'] as const;

function checkSumsAndHistory(s: Record<string, unknown>, p: Position, spe: number): Check {
  const sums = s.sums;
  if (!isPlain(sums) || SUM_FIELDS.some((k) => typeof sums[k] !== 'number')) return bad(`sums must hold the numbers ${SUM_FIELDS.join(', ')}`);
  if (sums.steps !== p.batch) return bad(`sums.steps ${String(sums.steps)} disagrees with position.batch ${p.batch}`);
  const h = s.history;
  if (!Array.isArray(h) || h.length !== p.epoch) return bad(`history must list the ${p.epoch} finished epochs; it has ${Array.isArray(h) ? h.length : kind(h)}`);
  for (const [i, row] of h.entries()) {
    if (!isPlain(row) || ROW_FIELDS.some((k) => typeof row[k] !== 'number')) return bad(`history.${i} must hold the numbers ${ROW_FIELDS.join(', ')}`);
    if (row.epoch !== i + 1 || row.step !== (i + 1) * spe) return bad(`history.${i} is epoch ${String(row.epoch)} at step ${String(row.step)}; expected epoch ${i + 1} at step ${(i + 1) * spe}`);
  }
  return ok;
}

function checkMeta(meta: Record<string, Json>, run: PreparedRun, p: Position): Check {
  const want = configFingerprint(run.config);
  if (meta.fingerprint !== want) {
    const theirs = isPlain(meta.config) ? (meta.config as CanonicalConfig) : undefined;
    const field = theirs && configFingerprint(theirs) === meta.fingerprint ? firstDifference(theirs, canonicalConfig(run.config)) : undefined;
    if (field !== undefined)
      return bad(`meta.fingerprint: the checkpoint belongs to another run (config.${field} is ${JSON.stringify(theirs![field])} there, ${JSON.stringify(canonicalConfig(run.config)[field])} in this run)`);
    return bad(`meta.fingerprint is ${JSON.stringify(meta.fingerprint ?? null)}, not this run's ${want}`);
  }
  for (const k of ['epoch', 'batch', 'step'] as const) if (meta[k] !== p[k]) return bad(`meta.${k} ${JSON.stringify(meta[k])} disagrees with position.${k} ${p[k]}`);
  return ok;
}

/**
 * Checks a loaded checkpoint against the run it is resumed into, before anything is written: the
 * fingerprint, the position within the run's bounds, every tensor's name, shape and dtype against
 * the model and the optimizer state, the run's keys, the epoch sums and the history.
 */
export function checkSnapshot(loaded: { state: unknown; meta: Record<string, Json> }, run: PreparedRun): E.Either<CheckpointError, Snapshot> {
  const s = loaded.state;
  if (!isPlain(s)) return E.left(new CheckpointError(`state is ${kind(s)}; expected the run's state object`));
  const p = s.position as Position;
  return pipe(
    all([
      () => checkPosition(s.position, run),
      () => checkMeta(loaded.meta, run, p),
      () => sameStructure(run.initial, s.train, 'state.train'),
      () => sameStructure(run.keys, s.keys, 'state.keys'),
      () => (['init', 'data', 'step'] as const).every((k) => (s.keys as RunKeys)[k].equals(run.keys[k])) ? ok : bad(`state.keys are not the keys of seed ${run.config.seed}`),
      () => checkSumsAndHistory(s, p, run.stepsPerEpoch),
    ]),
    E.map(() => s as unknown as Snapshot),
  );
}
