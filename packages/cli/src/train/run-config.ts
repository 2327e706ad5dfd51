import * as E from 'fp-ts/lib/Either.js';
import { pipe } from 'fp-ts/lib/function.js';
import { rerunCommand, UsageError, type TrainConfig } from '../config.js';
import type { ChosenBackend } from '../setup/backend.js';
import { environment } from '../versions.js';
import { canonicalConfig, configFingerprint, firstDifference, type CanonicalConfig } from './fingerprint.js';
import { readRegularFile, writeJson, type RunDir } from './run-dir.js';

/** What config.json holds: everything needed to rerun the run and to know what ran it. */
export interface RunConfigDoc {
  readonly format: 'ssam-run/1';
  readonly config: TrainConfig;
  /** `configFingerprint(config)`: every checkpoint of the run records the same one. */
  readonly fingerprint: string;
  /** The `ssam train` command line that reruns it, every option spelled out. */
  readonly rerun: string;
  readonly backend: { readonly requested: string; readonly description: string; readonly threads: number };
  readonly environment: Record<string, unknown>;
  readonly argv: readonly string[];
  readonly createdAt: string;
}

/** Writes config.json atomically (a kill leaves no config.json or the whole one, never half). */
export function writeRunConfig(dir: RunDir, config: TrainConfig, chosen: ChosenBackend, argv: readonly string[]): RunConfigDoc {
  const doc: RunConfigDoc = {
    format: 'ssam-run/1',
    config,
    fingerprint: configFingerprint(config),
    rerun: rerunCommand(config, dir.dir),
    backend: { requested: config.backend, description: chosen.description, threads: chosen.threads },
    environment: environment(),
    argv: [...argv],
    createdAt: new Date().toISOString(),
  };
  writeJson(dir.file('config'), doc);
  return doc;
}

const isObject = (v: unknown): v is Record<string, unknown> => v !== null && typeof v === 'object' && !Array.isArray(v);

/**
 * Reads config.json for `--resume`: a regular file holding a JSON object of format ssam-run/1
 * whose config still hashes to its fingerprint (config.json is written once, by the run; an edited
 * config would resume a checkpoint into another model). A Left is the one-line UsageError.
 */
export function readRunConfig(file: string, original?: () => CanonicalConfig | undefined): E.Either<UsageError, RunConfigDoc> {
  const bad = (m: string) => E.left(new UsageError(`--resume: ${file}: ${m}`));
  return pipe(
    E.tryCatch(() => JSON.parse(readRegularFile(file).toString('utf8')) as unknown, (e) => new UsageError(`--resume: ${e instanceof SyntaxError ? `${file} is not valid JSON (${e.message.split('\n')[0]})` : (e as Error).message}`)),
    E.chain((doc): E.Either<UsageError, RunConfigDoc> => {
      if (!isObject(doc)) return bad('not a JSON object');
      if (doc.format !== 'ssam-run/1') return bad(`format is ${JSON.stringify(doc.format)}, expected 'ssam-run/1'`);
      if (!isObject(doc.config)) return bad('config is not an object');
      if (typeof doc.fingerprint !== 'string') return bad('fingerprint is missing (written by an older ssam?); start the run again');
      if (!isObject(doc.backend) || typeof doc.backend.description !== 'string') return bad('backend.description is missing');
      if (configFingerprint(doc.config as unknown as TrainConfig) !== doc.fingerprint) {
        // The checkpoint keeps the config it was written with: it can say which field changed.
        const was = original?.();
        const field = was && configFingerprint(was) === doc.fingerprint ? firstDifference(was, canonicalConfig(doc.config as unknown as TrainConfig)) : undefined;
        if (field !== undefined)
          return bad(`config.${field} was edited (${JSON.stringify(was![field])} when the run started, ${JSON.stringify(canonicalConfig(doc.config as unknown as TrainConfig)[field])} now); resume continues the saved run, so restore config.json or start a new run`);
        return bad(`config no longer matches its fingerprint ${doc.fingerprint} (was it edited?); resume continues the saved run, so restore config.json or start a new run`);
      }
      return E.right(doc as unknown as RunConfigDoc);
    }),
  );
}
