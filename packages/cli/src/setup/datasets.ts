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

function cut(ds: Dataset, n: number | undefined, flag: string): Dataset {
  if (n === undefined) return ds;
  if (n > ds.length) throw new UsageError(`--${flag} ${n} is larger than the ${ds.name} set (${ds.length} examples)`);
  return ds.subset(n);
}

/**
 * Loads the data a config names. Every failure (missing directory or files, corrupt files) is a
 * UsageError that names the files expected, so the CLI exits with code 2 before writing anything.
 */
export function loadRunData(config: Pick<TrainConfig, 'data' | 'dataDir' | 'trainSubset' | 'testSubset' | 'augment'>): RunData {
  const read = readerFor(config.data, config.dataDir);
  const load = (split: 'train' | 'test'): Dataset => {
    const r = read(split);
    if (E.isLeft(r)) throw new UsageError(`--data ${config.data}${config.dataDir ? `:${config.dataDir}` : ''}: ${r.left.message}`);
    return r.right;
  };
  const train = cut(load('train'), config.trainSubset, 'train-subset');
  const test = cut(load('test'), config.testSubset, 'test-subset');
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
