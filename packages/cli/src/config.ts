import * as E from 'fp-ts/lib/Either.js';
import { pipe } from 'fp-ts/lib/function.js';
import { sequenceS } from 'fp-ts/lib/Apply.js';
import { optionApplies } from './option-scope.js';

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
  /**
   * Each pass as one compiled plan (`makeTrainStep({ compile: true })`). Like `backend` and
   * `threads` it says how the run computes, not what: compiled steps are bit-identical to eager
   * ones, so it is outside the fingerprint and a resume may change it.
   */
  readonly compile: boolean;
  readonly trainSubset?: number;
  readonly testSubset?: number;
  readonly fisherSamples: number;
  readonly maskInterval: number;
  readonly dropRate: number;
  readonly checkpointEvery: number;
  readonly labelSmoothing: number;
  /** Hidden layer widths of `--model mlp`. */
  readonly width: readonly number[];
  /**
   * The base step the SAM family wraps: absent for PyTorch SGD (momentum, coupled weight decay),
   * 'adamw' for AdamW (decoupled weight decay, betas 0.9/0.999). Absent rather than 'sgd' so the
   * fingerprints of runs written before `--base` existed do not change.
   */
  readonly base?: 'adamw';
  /** The budget preset whose defaults filled the options not given explicitly. */
  readonly budget: string;
}

/** `--compile`'s value when neither `--compile` nor `--no-compile` is given. */
export const COMPILE_DEFAULT = false;

export const OPTIMIZERS = ['sgd', 'sam', 'asam', 'ssam-f', 'ssam-f-implicit', 'ssam-d'] as const;
export type OptimizerName = (typeof OPTIMIZERS)[number];

/** The optimizers whose mask is SSAM-F's Fisher selection (the ones `--pattern` shapes). */
export const FISHER_MASKED: readonly OptimizerName[] = ['ssam-f', 'ssam-f-implicit'];
export const takesPattern = (o: string): boolean => (FISHER_MASKED as readonly string[]).includes(o);

export type Pattern = { readonly kind: 'unstructured' } | { readonly kind: 'structured' } | { readonly kind: 'nm'; readonly n: number; readonly m: number };

export const DATASETS = ['mnist', 'fashion-mnist', 'cifar10', 'cifar100', 'iris'] as const;

/** A user error: one line, exit code 2, nothing written. */
export class UsageError extends Error {
  override readonly name = 'UsageError';
}

/**
 * The environment failed a run that had started (a full disk mid-run): one line, exit code 1. The
 * message says what is left (the last checkpoint), so no stack trace is needed.
 */
export class RunFailure extends Error {
  override readonly name = 'RunFailure';
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

const flag = (raw: Raw, key: string): E.Either<UsageError, boolean> => {
  const v = raw[key];
  if (v === undefined || v === false || v === 'false') return E.right(false);
  if (v === true || v === 'true') return E.right(true);
  return E.left(new UsageError(`--${key} is a switch and takes no value; got '${String(v)}'`));
};

/**
 * `--optimizer` values, with a pointed message for an implicit form that does not exist: the
 * implicit sparse perturbation needs a mask refreshed from the Fisher (SSAM-F) before pass 1.
 */
function optimizerName(raw: Raw): E.Either<UsageError, OptimizerName> {
  const v = String(raw.optimizer ?? 'sgd');
  const implicitOf = /^(.*)-implicit$/.exec(v)?.[1];
  if (implicitOf !== undefined && !takesPattern(v))
    return E.left(new UsageError(
      `--optimizer ${v}: the implicit form needs SSAM-F's Fisher mask; use --optimizer ssam-f-implicit` +
        (implicitOf === 'ssam-d' ? ' (ssam-d grows random masks during the step, which the implicit form cannot use)' : implicitOf === 'sam' || implicitOf === 'asam' ? ` (${implicitOf} has no mask)` : ''),
    ));
  return oneOf(raw, 'optimizer', 'optimizer', OPTIMIZERS, 'sgd');
}

export function parsePattern(v: string): E.Either<UsageError, Pattern> {
  if (v === 'unstructured' || v === 'structured') return E.right({ kind: v });
  const m = /^(?:nm:)?(\d+):(\d+)$/.exec(v);
  if (m) {
    const n = Number(m[1]), mm = Number(m[2]);
    if (n >= 1 && n < mm) return E.right({ kind: 'nm', n, m: mm });
    return E.left(new UsageError(`--pattern nm:N:M needs 1 <= N < M, got '${v}'`));
  }
  return E.left(new UsageError(`--pattern must be unstructured, structured or nm:N:M (e.g. nm:2:4, or just 2:4); got '${v}'`));
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

/** `--width 256,128` (or a number, or an array from a config file) → [256, 128]. */
export function parseWidth(v: unknown): E.Either<UsageError, readonly number[]> {
  const parts = Array.isArray(v) ? v.map(Number) : typeof v === 'number' ? [v] : String(v).split(',').map((x) => (x.trim() === '' ? Number.NaN : Number(x)));
  return parts.length > 0 && parts.every((n) => Number.isInteger(n) && n >= 1)
    ? E.right(parts)
    : E.left(new UsageError(`--width must be positive integers separated by commas (e.g. 128 or 256,128); got '${String(v)}'`));
}

/** Options that only make sense together (a pattern for SSAM-F, a sparsity that N:M implies). */
function checkCombination(raw: Raw, optimizer: OptimizerName, pattern: Pattern, sparsity: number, base: 'sgd' | 'adamw'): E.Either<UsageError, void> {
  if (base === 'adamw' && optimizer === 'sgd')
    return E.left(new UsageError(`--base adamw needs a SAM-family --optimizer (sam, asam, ssam-f, ssam-f-implicit, ssam-d); sgd is itself the base step`));
  if (pattern.kind !== 'unstructured' && !takesPattern(optimizer))
    return E.left(new UsageError(`--pattern ${raw.pattern} needs --optimizer ssam-f or ssam-f-implicit (the Fisher mask); ${optimizer} ${optimizer === 'ssam-d' ? 'grows random unstructured masks' : 'has no mask'}`));
  if (pattern.kind === 'nm' && raw.sparsity !== undefined && Math.abs(sparsity - (1 - pattern.n / pattern.m)) > 1e-12)
    return E.left(new UsageError(`--sparsity ${sparsity} contradicts --pattern nm:${pattern.n}:${pattern.m}, which perturbs ${pattern.n} of every ${pattern.m} (sparsity ${1 - pattern.n / pattern.m}); leave --sparsity out`));
  return E.right(undefined);
}

/** Validates raw option values (from commander or a config file) into a TrainConfig. */
export function parseTrainConfig(raw: Raw, models: readonly string[]): E.Either<UsageError, TrainConfig> {
  const opt = <A>(key: string, f: () => E.Either<UsageError, A>): E.Either<UsageError, A | undefined> => (raw[key] === undefined ? E.right(undefined) : f());
  // Each field is checked on its own; the first bad one (in this order) is the error reported.
  const fields = sequenceS(E.Apply)({
    model: oneOf(raw, 'model', 'model', models, 'mlp'),
    data: parseData(String(raw.data ?? 'mnist')),
    optimizer: optimizerName(raw),
    sparsity: num(raw, 'sparsity', 'sparsity', (v) => v >= 0 && v <= 1, 'a number in [0, 1]', 0.5),
    pattern: parsePattern(String(raw.pattern ?? 'unstructured')),
    rho: num(raw, 'rho', 'rho', (v) => v >= 0, 'a number >= 0', raw.optimizer === 'asam' ? 2.0 : 0.05),
    base: oneOf(raw, 'base', 'base', ['sgd', 'adamw'] as const, 'sgd'),
    // AdamW's usual defaults (PyTorch's weight decay 0.01) where the base is AdamW.
    lr: num(raw, 'lr', 'lr', (v) => v > 0, 'a number > 0', raw.base === 'adamw' ? 1e-3 : 0.1),
    momentum: num(raw, 'momentum', 'momentum', (v) => v >= 0 && v < 1, 'a number in [0, 1)', 0.9),
    weightDecay: num(raw, 'weightDecay', 'weight-decay', (v) => v >= 0, 'a number >= 0', raw.base === 'adamw' ? 0.01 : 5e-4),
    schedule: oneOf(raw, 'schedule', 'schedule', ['constant', 'cosine', 'multistep', 'linear'] as const, 'cosine'),
    warmupEpochs: int(raw, 'warmupEpochs', 'warmup-epochs', 0, 0),
    epochs: int(raw, 'epochs', 'epochs', 1, 3),
    batchSize: int(raw, 'batchSize', 'batch-size', 1, 128),
    seed: int(raw, 'seed', 'seed', 0, 0),
    threads: opt('threads', () => int(raw, 'threads', 'threads', 1, 1)),
    backend: oneOf(raw, 'backend', 'backend', ['auto', 'reference', 'wasm'] as const, 'auto'),
    trainSubset: opt('trainSubset', () => int(raw, 'trainSubset', 'train-subset', 1, 1)),
    testSubset: opt('testSubset', () => int(raw, 'testSubset', 'test-subset', 1, 1)),
    fisherSamples: int(raw, 'fisherSamples', 'fisher-samples', 1, 128),
    maskInterval: int(raw, 'maskInterval', 'mask-interval', 1, 1),
    dropRate: num(raw, 'dropRate', 'drop-rate', (v) => v >= 0 && v <= 1, 'a number in [0, 1]', 0.5),
    checkpointEvery: int(raw, 'checkpointEvery', 'checkpoint-every', 0, 0),
    labelSmoothing: num(raw, 'labelSmoothing', 'label-smoothing', (v) => v >= 0 && v < 1, 'a number in [0, 1)', 0),
    width: parseWidth(raw.width ?? [128]),
    nesterov: flag(raw, 'nesterov'),
    augment: flag(raw, 'augment'),
    compile: raw.compile === undefined ? E.right(COMPILE_DEFAULT) : flag(raw, 'compile'),
  });
  return pipe(
    fields,
    E.chainFirst((c) => checkCombination(raw, c.optimizer, c.pattern, c.sparsity, c.base)),
    E.map(({ data, threads, trainSubset, testSubset, base, ...c }) => ({
      ...c,
      ...(base === 'adamw' ? { base } : {}),
      data: data[0],
      ...(data[1] ? { dataDir: data[1] } : {}),
      sparsity: c.pattern.kind === 'nm' ? 1 - c.pattern.n / c.pattern.m : c.sparsity,
      ...(threads !== undefined ? { threads } : {}),
      ...(trainSubset !== undefined ? { trainSubset } : {}),
      ...(testSubset !== undefined ? { testSubset } : {}),
      budget: String(raw.budget ?? 'custom'),
    })),
  );
}

const patternString = (p: Pattern): string => (p.kind === 'nm' ? `nm:${p.n}:${p.m}` : p.kind);

/** A config back as raw option values (what `parseTrainConfig` reads): for resume and reruns. */
export function configToRaw(c: TrainConfig): Raw {
  const { dataDir, pattern, width, ...rest } = c;
  return { ...rest, data: dataDir ? `${c.data}:${dataDir}` : c.data, pattern: patternString(pattern), width: width.join(',') };
}

const FLAG_OF: Record<string, string> = {
  weightDecay: 'weight-decay', warmupEpochs: 'warmup-epochs', batchSize: 'batch-size', trainSubset: 'train-subset', testSubset: 'test-subset',
  fisherSamples: 'fisher-samples', maskInterval: 'mask-interval', dropRate: 'drop-rate', checkpointEvery: 'checkpoint-every', labelSmoothing: 'label-smoothing',
};

/** The `ssam train` command line that reruns a config (every option spelled out that the optimizer reads). */
export function rerunCommand(c: TrainConfig, out?: string): string {
  const raw = configToRaw(c);
  const args: string[] = ['ssam', 'train'];
  for (const [k, v] of Object.entries(raw)) {
    if (v === undefined || k === 'budget' || !optionApplies(k, c.optimizer, c.base ?? 'sgd')) continue;
    if (k === 'compile') {
      if (v !== COMPILE_DEFAULT) args.push(v ? '--compile' : '--no-compile');
      continue;
    }
    const flag = `--${FLAG_OF[k] ?? k}`;
    if (typeof v === 'boolean') {
      if (v) args.push(flag);
    } else args.push(flag, String(v));
  }
  if (out) args.push('--out', out);
  return args.join(' ');
}
