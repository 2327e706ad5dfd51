import { rerunCommand, type TrainConfig } from '../config.js';
import type { ChosenBackend } from '../setup/backend.js';
import { environment } from '../versions.js';
import { writeJson, type RunDir } from './run-dir.js';

/** What config.json holds: everything needed to rerun the run and to know what ran it. */
export interface RunConfigDoc {
  readonly format: 'ssam-run/1';
  readonly config: TrainConfig;
  /** The `ssam train` command line that reruns it, every option spelled out. */
  readonly rerun: string;
  readonly backend: { readonly requested: string; readonly description: string; readonly threads: number };
  readonly environment: Record<string, unknown>;
  readonly argv: readonly string[];
  readonly createdAt: string;
}

export function writeRunConfig(dir: RunDir, config: TrainConfig, chosen: ChosenBackend, argv: readonly string[]): RunConfigDoc {
  const doc: RunConfigDoc = {
    format: 'ssam-run/1',
    config,
    rerun: rerunCommand(config, dir.dir),
    backend: { requested: config.backend, description: chosen.description, threads: chosen.threads },
    environment: environment(),
    argv: [...argv],
    createdAt: new Date().toISOString(),
  };
  writeJson(dir.file('config'), doc);
  return doc;
}
