import * as E from 'fp-ts/lib/Either.js';
import { pipe } from 'fp-ts/lib/function.js';

/** Everything that determines a training run; written to runs/<name>/config.json. */
export interface TrainConfig {
  readonly model: string;
  readonly data: string;
  readonly dataDir?: string;
  readonly optimizer: OptimizerName;
  readonly sparsity: number;
  readonly pattern: Pattern;
  readonly rho: number;
  readonly lr: number;
  readonly momentum: number;
  readonly weightDecay: number;
  readonly nesterov: boolean;
  readonly schedule: 'constant' | 'cosine' | 'multistep' | 'linear';
  readonly warmupEpochs: number;
  readonly epochs: number;
  readonly batchSize: number;
  readonly augment: boolean;
  readonly seed: number;
  readonly threads?: number;
  readonly backend: 'auto' | 'reference' | 'wasm';
  readonly trainSubset?: number;
  readonly testSubset?: number;
  readonly fisherSamples: number;
  readonly maskInterval: number;
  readonly dropRate: number;
  readonly checkpointEvery: number;
  readonly labelSmoothing: number;
}

export const OPTIMIZERS = ['sgd', 'sam', 'asam', 'ssam-f', 'ssam-d'] as const;
export type OptimizerName = (typeof OPTIMIZERS)[number];
export type Pattern = { readonly kind: 'unstructured' } | { readonly kind: 'structured' } | { readonly kind: 'nm'; readonly n: number; readonly m: number };

export const DATASETS = ['mnist', 'fashion-mnist', 'cifar10', 'cifar100', 'iris'] as const;

/** A user error: one line, exit code 2, nothing written. */
export class UsageError extends Error {
  override readonly name = 'UsageError';
}

type Raw = Record<string, unknown>;

const num = (raw: Raw, key: string, flag: string, check: (v: number) => boolean, want: string, dflt: number): E.Either<UsageError, number> => {
  const v = raw[key];
  if (v === undefined) return E.right(dflt);
  const n = typeof v === 'number' ? v : Number(v);
  return Number.isFinite(n) && check(n) ? E.right(n) : E.left(new UsageError(`--${flag} must be ${want}, got '${String(v)}'`));
};
const int = (raw: Raw, key: string, flag: string, min: number, dflt: number) =>
  num(raw, key, flag, (v) => Number.isInteger(v) && v >= min, `an integer >= ${min}`, dflt);
const oneOf = <T extends string>(raw: Raw, key: string, flag: string, allowed: readonly T[], dflt: T): E.Either<UsageError, T> => {
  const v = raw[key] ?? dflt;
  return allowed.includes(v as T) ? E.right(v as T) : E.left(new UsageError(`--${flag} must be one of ${allowed.join(', ')}; got '${String(v)}'`));
};

export function parsePattern(v: string): E.Either<UsageError, Pattern> {
  if (v === 'unstructured' || v === 'structured') return E.right({ kind: v });
  const m = /^nm:(\d+):(\d+)$/.exec(v);
  if (m) {
    const n = Number(m[1]), mm = Number(m[2]);
    if (n >= 1 && n < mm) return E.right({ kind: 'nm', n, m: mm });
    return E.left(new UsageError(`--pattern nm:N:M needs 1 <= N < M, got '${v}'`));
  }
  return E.left(new UsageError(`--pattern must be unstructured, structured or nm:N:M (e.g. nm:2:4); got '${v}'`));
}

/** `cifar10:/path/to/dir` → ['cifar10', '/path/to/dir']. */
export function parseData(v: string): E.Either<UsageError, [string, string | undefined]> {
  const i = v.indexOf(':');
  const name = i < 0 ? v : v.slice(0, i);
  const dir = i < 0 ? undefined : v.slice(i + 1);
  if (!(DATASETS as readonly string[]).includes(name)) return E.left(new UsageError(`--data must be one of ${DATASETS.join(', ')} (optionally name:dir); got '${v}'`));
  if (name === 'cifar100' && !dir) return E.left(new UsageError(`--data cifar100 needs a directory: cifar100:/path/to/cifar-100-binary`));
  return E.right([name, dir]);
}

/** Validates raw option values (from commander or a config file) into a TrainConfig. */
export function parseTrainConfig(raw: Raw, models: readonly string[]): E.Either<UsageError, TrainConfig> {
  return pipe(
    E.Do,
    E.bind('model', () => oneOf(raw, 'model', 'model', models, 'mlp')),
    E.bind('data', () => parseData(String(raw.data ?? 'mnist'))),
    E.bind('optimizer', () => oneOf(raw, 'optimizer', 'optimizer', OPTIMIZERS, 'sgd')),
    E.bind('sparsity', () => num(raw, 'sparsity', 'sparsity', (v) => v >= 0 && v <= 1, 'a number in [0, 1]', 0.5)),
    E.bind('pattern', () => parsePattern(String(raw.pattern ?? 'unstructured'))),
    E.bind('rho', () => num(raw, 'rho', 'rho', (v) => v >= 0, 'a number >= 0', raw.optimizer === 'asam' ? 2.0 : 0.05)),
    E.bind('lr', () => num(raw, 'lr', 'lr', (v) => v > 0, 'a number > 0', 0.05)),
    E.bind('momentum', () => num(raw, 'momentum', 'momentum', (v) => v >= 0 && v < 1, 'a number in [0, 1)', 0.9)),
    E.bind('weightDecay', () => num(raw, 'weightDecay', 'weight-decay', (v) => v >= 0, 'a number >= 0', 5e-4)),
    E.bind('schedule', () => oneOf(raw, 'schedule', 'schedule', ['constant', 'cosine', 'multistep', 'linear'] as const, 'cosine')),
    E.bind('warmupEpochs', () => int(raw, 'warmupEpochs', 'warmup-epochs', 0, 0)),
    E.bind('epochs', () => int(raw, 'epochs', 'epochs', 1, 3)),
    E.bind('batchSize', () => int(raw, 'batchSize', 'batch-size', 1, 128)),
    E.bind('seed', () => int(raw, 'seed', 'seed', 0, 0)),
    E.bind('threads', () => (raw.threads === undefined ? E.right(undefined) : int(raw, 'threads', 'threads', 1, 1))),
    E.bind('backend', () => oneOf(raw, 'backend', 'backend', ['auto', 'reference', 'wasm'] as const, 'auto')),
    E.bind('trainSubset', () => (raw.trainSubset === undefined ? E.right(undefined) : int(raw, 'trainSubset', 'train-subset', 1, 1))),
    E.bind('testSubset', () => (raw.testSubset === undefined ? E.right(undefined) : int(raw, 'testSubset', 'test-subset', 1, 1))),
    E.bind('fisherSamples', () => int(raw, 'fisherSamples', 'fisher-samples', 1, 128)),
    E.bind('maskInterval', () => int(raw, 'maskInterval', 'mask-interval', 1, 1)),
    E.bind('dropRate', () => num(raw, 'dropRate', 'drop-rate', (v) => v >= 0 && v <= 1, 'a number in [0, 1]', 0.5)),
    E.bind('checkpointEvery', () => int(raw, 'checkpointEvery', 'checkpoint-every', 0, 0)),
    E.bind('labelSmoothing', () => num(raw, 'labelSmoothing', 'label-smoothing', (v) => v >= 0 && v < 1, 'a number in [0, 1)', 0)),
    E.map((c) => ({
      model: c.model,
      data: c.data[0],
      ...(c.data[1] ? { dataDir: c.data[1] } : {}),
      optimizer: c.optimizer,
      sparsity: c.sparsity,
      pattern: c.pattern,
      rho: c.rho,
      lr: c.lr,
      momentum: c.momentum,
      weightDecay: c.weightDecay,
      nesterov: Boolean(raw.nesterov ?? false),
      schedule: c.schedule,
      warmupEpochs: c.warmupEpochs,
      epochs: c.epochs,
      batchSize: c.batchSize,
      augment: Boolean(raw.augment ?? false),
      seed: c.seed,
      ...(c.threads !== undefined ? { threads: c.threads } : {}),
      backend: c.backend,
      ...(c.trainSubset !== undefined ? { trainSubset: c.trainSubset } : {}),
      ...(c.testSubset !== undefined ? { testSubset: c.testSubset } : {}),
      fisherSamples: c.fisherSamples,
      maskInterval: c.maskInterval,
      dropRate: c.dropRate,
      checkpointEvery: c.checkpointEvery,
      labelSmoothing: c.labelSmoothing,
    })),
  );
}
