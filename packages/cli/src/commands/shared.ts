import { readdirSync, rmSync, statSync } from 'node:fs';
import path from 'node:path';
import * as E from 'fp-ts/lib/Either.js';
import { parseTrainConfig, UsageError, type TrainConfig } from '../config.js';
import { silentProgress, terminalProgress, type ProgressSink } from '../progress.js';
import { checkCompile, MODEL_NAMES } from '../setup/models.js';
import { describeFsError, isFsError, isTempFile, RUN_FILES } from '../train/run-dir.js';
import { describeOwner, liveOwner } from '../train/run-lock.js';

/** Output streams, injectable for tests of the command functions. */
export interface Io {
  readonly stdout: NodeJS.WritableStream & { isTTY?: boolean };
  readonly stderr: NodeJS.WriteStream;
}

export const processIo = (): Io => ({ stdout: process.stdout, stderr: process.stderr });

/** Validates raw options into a config or throws the UsageError. */
export function configOrThrow(raw: Record<string, unknown>): TrainConfig {
  const r = parseTrainConfig(raw, MODEL_NAMES);
  if (E.isLeft(r)) throw r.left;
  checkCompile(r.right.model, r.right.compile); // before any data is read or anything written
  return r.right;
}

export function progressFor(io: Io, flags: { quiet?: boolean; json?: boolean }): ProgressSink {
  return flags.quiet ? silentProgress : terminalProgress(io.stderr);
}

/** `runs/<stem>-<YYYYMMDD-HHMMSS>`. */
export function defaultOut(stem: string, now = new Date()): string {
  const p = (n: number) => String(n).padStart(2, '0');
  const stamp = `${now.getFullYear()}${p(now.getMonth() + 1)}${p(now.getDate())}-${p(now.getHours())}${p(now.getMinutes())}${p(now.getSeconds())}`;
  return path.join('runs', `${stem}-${stamp}`);
}

/** What a killed run leaves and a fresh run may clear: temporary files, a stale lock. */
const isLeftover = (name: string): boolean => isTempFile(name) || name === RUN_FILES.lock || name === `${RUN_FILES.lock}.takeover`;

/** The entries of `out`, or undefined when it does not exist; a file or an unreadable folder is a UsageError. */
export function outEntries(out: string): string[] | undefined {
  try {
    if (!statSync(out).isDirectory()) throw new UsageError(`--out ${out} is a file, not a folder; choose another --out`);
    return readdirSync(out);
  } catch (e) {
    if (isFsError(e) && e.code === 'ENOENT') return undefined;
    if (isFsError(e)) throw new UsageError(`--out ${out}: ${describeFsError(e)}`);
    throw e;
  }
}

/**
 * A fresh run needs an absent or empty folder; anything else would mix two runs. A folder that
 * holds only what a kill leaves behind (`*.tmp-<pid>`, a stale lock) counts as empty: a run
 * killed while writing its config.json can be started again. A live lock names its owner.
 */
export function checkFreshOut(out: string, marker: string, o: { locked?: boolean } = {}): void {
  const entries = outEntries(out);
  if (!entries) return;
  if (!o.locked) {
    const owner = liveOwner(out);
    if (owner) throw new UsageError(`--out ${out} is in use by ${owner === 'starting' ? 'a process that is starting' : describeOwner(owner)}; wait for it to finish or stop it, or choose another --out`);
  }
  const rest = entries.filter((e) => !isLeftover(e));
  if (rest.length === 0) return;
  if (rest.includes(marker)) throw new UsageError(`--out ${out} already holds a run; add --resume to continue it, or choose another --out`);
  throw new UsageError(`--out ${out} exists and is not empty; choose another --out`);
}

/** Removes the temporary files a killed run left in `out` (call it holding the lock). */
export function clearLeftovers(out: string): void {
  for (const e of outEntries(out) ?? []) if (isTempFile(e)) rmSync(path.join(out, e), { force: true });
}

export const pct = (x: number): string => (Number.isFinite(x) ? `${(x * 100).toFixed(2)} %` : 'n/a');
