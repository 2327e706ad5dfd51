import { existsSync, readdirSync } from 'node:fs';
import path from 'node:path';
import * as E from 'fp-ts/lib/Either.js';
import { parseTrainConfig, UsageError, type TrainConfig } from '../config.js';
import { silentProgress, terminalProgress, type ProgressSink } from '../progress.js';
import { MODEL_NAMES } from '../setup/models.js';

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

/** A fresh run needs an absent or empty folder; anything else would mix two runs. */
export function checkFreshOut(out: string, marker: string): void {
  if (!existsSync(out)) return;
  const entries = readdirSync(out);
  if (entries.length === 0) return;
  if (entries.includes(marker)) throw new UsageError(`--out ${out} already holds a run; add --resume to continue it, or choose another --out`);
  throw new UsageError(`--out ${out} exists and is not empty; choose another --out`);
}

export const pct = (x: number): string => (Number.isFinite(x) ? `${(x * 100).toFixed(2)} %` : 'n/a');
