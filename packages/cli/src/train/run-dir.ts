import { closeSync, existsSync, fsyncSync, mkdirSync, openSync, readFileSync, renameSync, writeFileSync, appendFileSync } from 'node:fs';
import path from 'node:path';

/**
 * The files of a run folder (runs/<name>/):
 * - config.json   everything needed to rerun (config, command, versions, backend)
 * - metrics.csv   one row per finished epoch (rewritten from the checkpoint's history on resume)
 * - steps.jsonl   one JSON line per step (trimmed back to the checkpoint on resume)
 * - summary.json  the outcome (status, best/final accuracy, timings)
 * - model.safetensors  the final params and model state
 * - checkpoint/   the resumable state (see checkpoint.ts)
 */
export const RUN_FILES = {
  config: 'config.json',
  metrics: 'metrics.csv',
  steps: 'steps.jsonl',
  summary: 'summary.json',
  model: 'model.safetensors',
  checkpoint: 'checkpoint',
} as const;

/** One row of metrics.csv. Times are wall-clock; every other column is a pure function of the seed. */
export interface EpochRecord {
  readonly epoch: number;
  readonly step: number;
  readonly lr: number;
  readonly trainLoss: number;
  readonly trainAcc: number;
  readonly testLoss: number;
  readonly testAcc: number;
  readonly maskDensity: number;
  readonly epsNorm: number;
  /** Wall-clock seconds of the epoch's training (data loading included, evaluation excluded). */
  readonly seconds: number;
  /** Median wall-clock time of one training step (pass 1, pass 2, mask refresh, update). */
  readonly stepMs: number;
}

export const METRICS_COLUMNS = ['epoch', 'step', 'lr', 'train_loss', 'train_acc', 'test_loss', 'test_acc', 'mask_density', 'eps_norm', 'seconds', 'step_ms'] as const;

const cell = (v: number): string => (Number.isNaN(v) ? '' : Number.isInteger(v) ? String(v) : String(Number(v.toPrecision(8))));

export function metricsCsv(rows: readonly EpochRecord[]): string {
  const lines = rows.map((r) => [r.epoch, r.step, r.lr, r.trainLoss, r.trainAcc, r.testLoss, r.testAcc, r.maskDensity, r.epsNorm, r.seconds, r.stepMs].map(cell).join(','));
  return [METRICS_COLUMNS.join(','), ...lines].join('\n') + '\n';
}

/** Writes a file under a temporary name, syncs, renames: readers see the old or the new file. */
export function writeFileAtomic(file: string, data: string | Uint8Array): void {
  const tmp = `${file}.tmp-${process.pid}`;
  writeFileSync(tmp, data);
  const fd = openSync(tmp, 'r');
  try {
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
  renameSync(tmp, file);
}

export const writeJson = (file: string, value: unknown): void => writeFileAtomic(file, JSON.stringify(value, null, 2) + '\n');

export function readJson<T>(file: string): T {
  return JSON.parse(readFileSync(file, 'utf8')) as T;
}

/** A run folder: where each file goes, and the small writers the training loop uses. */
export class RunDir {
  constructor(readonly dir: string) {}
  file(name: keyof typeof RUN_FILES): string {
    return path.join(this.dir, RUN_FILES[name]);
  }
  create(): void {
    mkdirSync(this.dir, { recursive: true });
  }
  writeMetrics(rows: readonly EpochRecord[]): void {
    writeFileAtomic(this.file('metrics'), metricsCsv(rows));
  }
  appendSteps(lines: readonly object[]): void {
    if (lines.length) appendFileSync(this.file('steps'), lines.map((l) => JSON.stringify(l)).join('\n') + '\n');
  }
  /** Keeps only the step lines before `step` (a resumed run redoes the ones after its checkpoint). */
  trimSteps(step: number): void {
    const f = this.file('steps');
    if (!existsSync(f)) return;
    const kept = readFileSync(f, 'utf8')
      .split('\n')
      .filter((l) => {
        if (!l.trim()) return false;
        try {
          return (JSON.parse(l) as { step: number }).step < step;
        } catch {
          return false; // a line cut short by the kill
        }
      });
    writeFileAtomic(f, kept.length ? kept.join('\n') + '\n' : '');
  }
}
