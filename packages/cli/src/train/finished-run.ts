import { existsSync } from 'node:fs';
import path from 'node:path';
import type { Tree } from '@ssam/tensor';
import { hasCheckpoint, loadCheckpoint } from '../checkpoint.js';
import { UsageError } from '../config.js';
import type { RunConfigDoc } from './run-config.js';
import { readJson, RUN_FILES } from './run-dir.js';

/** A run folder's config.json and the training state of its latest checkpoint. */
export interface FinishedRun {
  readonly doc: RunConfigDoc;
  readonly train: { readonly params: Tree; readonly modelState?: Tree; readonly optState?: Tree };
  readonly meta: Record<string, unknown>;
}

/**
 * Reads a folder written by `ssam train` (or one run of `ssam compare`) for the commands that use
 * a trained run (`ssam sharpness`, `ssam export`). Missing or foreign folders are UsageErrors that
 * name the file expected.
 */
export function readFinishedRun(dir: string): FinishedRun {
  const configFile = path.join(dir, RUN_FILES.config);
  if (!existsSync(configFile)) throw new UsageError(`--run ${dir}: no ${RUN_FILES.config} there; point --run at a folder written by ssam train or ssam compare`);
  const doc = readJson<RunConfigDoc>(configFile);
  if (doc.format !== 'ssam-run/1') throw new UsageError(`--run ${dir}: ${RUN_FILES.config} has format '${String(doc.format)}', expected 'ssam-run/1'`);
  const ckpt = path.join(dir, RUN_FILES.checkpoint);
  if (!hasCheckpoint(ckpt)) throw new UsageError(`--run ${dir}: no checkpoint (${path.join(RUN_FILES.checkpoint, 'state.json')}); the run has not finished an epoch`);
  const { state, meta } = loadCheckpoint(ckpt);
  const train = (state as { train?: FinishedRun['train'] }).train;
  if (!train?.params) throw new UsageError(`--run ${dir}: the checkpoint holds no params`);
  return { doc, train, meta: meta as Record<string, unknown> };
}
