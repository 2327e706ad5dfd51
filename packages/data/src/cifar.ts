// The CIFAR-10 / CIFAR-100 binary versions (Krizhevsky 2009). A CIFAR-10 record is 1 label byte
// then 3,072 pixel bytes: the 1,024 red values of the 32×32 image row by row, then green, then
// blue (so a record is already CHW). CIFAR-100 records carry a coarse and a fine label byte first.
import path from 'node:path';
import { readFileSync } from 'node:fs';
import * as E from 'fp-ts/lib/Either.js';
import { pipe } from 'fp-ts/lib/function.js';
import * as A from 'fp-ts/lib/Array.js';
import { dataError, fmtBytes, getOrThrow, type DataError } from './errors.js';
import { exists, fileSize, readBytes, requireDir } from './internal/files.js';
import { makeDataset, type Dataset } from './dataset.js';
import type { Split } from './mnist.js';

export const CIFAR_PIXELS = 3 * 32 * 32;
export const CIFAR10_CLASSES = ['airplane', 'automobile', 'bird', 'cat', 'deer', 'dog', 'frog', 'horse', 'ship', 'truck'] as const;
export const CIFAR10_TRAIN_FILES = ['data_batch_1.bin', 'data_batch_2.bin', 'data_batch_3.bin', 'data_batch_4.bin', 'data_batch_5.bin'] as const;
export const CIFAR10_TEST_FILES = ['test_batch.bin'] as const;

export interface Cifar10Options {
  readonly split?: Split;
}
export interface Cifar100Options {
  readonly split?: Split;
  /** Which label to use: the 100 fine classes (default) or the 20 coarse superclasses. */
  readonly labels?: 'fine' | 'coarse';
}

interface Layout {
  readonly op: string;
  readonly subdir: string;
  readonly labelBytes: number;
  /** Per label byte: the number of classes. */
  readonly classes: readonly number[];
  readonly what: string;
}

const C10: Layout = { op: 'readCifar10', subdir: 'cifar-10-batches-bin', labelBytes: 1, classes: [10], what: 'CIFAR-10 binary' };
const C100: Layout = { op: 'readCifar100', subdir: 'cifar-100-binary', labelBytes: 2, classes: [20, 100], what: 'CIFAR-100 binary' };

/** `dir` itself, or the folder the official archive extracts to inside it. */
function resolveDir(l: Layout, dir: string, first: string): string {
  return !exists(path.join(dir, first)) && exists(path.join(dir, l.subdir, first)) ? path.join(dir, l.subdir) : dir;
}

/**
 * Reads record files into one Dataset. All files are found and size-checked before any is read,
 * and every label is range-checked before the dataset is built: a Left means nothing was loaded.
 */
function readRecords(l: Layout, dir0: string, names: readonly string[], all: string, labelIndex: number, name: string, classNames?: readonly string[]): E.Either<DataError, Dataset> {
  const rec = l.labelBytes + CIFAR_PIXELS;
  const dir = resolveDir(l, dir0, names[0]!);
  const expected = `${all} (the ${l.what} version)`;
  return pipe(
    requireDir(l.op, dir0, expected),
    E.chain(() => {
      const missing = names.filter((f) => !exists(path.join(dir, f)));
      return missing.length === 0
        ? E.right(names.map((f) => path.join(dir, f)))
        : E.left(dataError('missing', l.op, dir, expected, `no ${missing.join(', ')}`, l === C10 ? 'Prepare it with prepareCifar10 (ssam data prepare cifar10)' : 'Extract cifar-100-binary.tar.gz there'));
    }),
    E.chain(
      A.traverse(E.Applicative)((file) =>
        pipe(
          fileSize(l.op, file, l.what),
          E.chain((size) =>
            size > 0 && size % rec === 0
              ? E.right({ file, records: size / rec })
              : E.left(dataError('size', l.op, file, `a positive multiple of ${fmtBytes(rec)} (${l.labelBytes} label byte${l.labelBytes > 1 ? 's' : ''} + 3,072 pixel bytes per record; official files hold 10,000 records)`, `${fmtBytes(size)} (truncated or not a ${l.what} file)`)),
          ),
        ),
      ),
    ),
    E.chain((files) => {
      const total = files.reduce((s, f) => s + f.records, 0);
      const images = new Uint8Array(total * CIFAR_PIXELS);
      const labels = new Int32Array(total);
      let at = 0;
      for (const { file, records } of files) {
        const r = readBytes(l.op, file, l.what);
        if (E.isLeft(r)) return r;
        const b = r.right;
        if (b.length !== records * rec) return E.left(dataError('size', l.op, file, fmtBytes(records * rec), `${fmtBytes(b.length)} (the file changed while reading)`));
        for (let i = 0; i < records; i++) {
          const o = i * rec;
          for (let k = 0; k < l.labelBytes; k++)
            if (b[o + k]! >= l.classes[k]!)
              return E.left(dataError('label', l.op, file, `${k === 0 && l.labelBytes === 2 ? 'coarse ' : l.labelBytes === 2 ? 'fine ' : ''}labels in [0, ${l.classes[k]})`, `${b[o + k]} in record ${i} (byte ${o + k})`, `The file is corrupt or not a ${l.what} file`));
          labels[at] = b[o + labelIndex]!;
          images.set(b.subarray(o + l.labelBytes, o + rec), at * CIFAR_PIXELS);
          at++;
        }
      }
      return E.right(makeDataset({ name, images, labels, shape: [3, 32, 32], numClasses: l.classes[labelIndex]!, ...(classNames ? { classNames } : {}) }));
    }),
  );
}

/** Class names from a `*.txt` list beside the batches, when present and of the right length. */
function namesFile(dir: string, file: string, n: number): readonly string[] | undefined {
  try {
    const names = readFileSync(path.join(dir, file), 'utf8').split('\n').map((s) => s.trim()).filter(Boolean);
    return names.length === n ? names : undefined;
  } catch {
    return undefined;
  }
}

/**
 * CIFAR-10 from a directory holding data_batch_1.bin … data_batch_5.bin and test_batch.bin (or the
 * official cifar-10-batches-bin/ folder inside it). Examples are `[3, 32, 32]` bytes.
 * @example const test = getOrThrow(readCifar10('/data/cifar10', { split: 'test' }));
 */
export function readCifar10(dir: string, opts: Cifar10Options = {}): E.Either<DataError, Dataset> {
  const split = opts.split ?? 'train';
  const names = split === 'train' ? CIFAR10_TRAIN_FILES : CIFAR10_TEST_FILES;
  return readRecords(C10, dir, names, 'data_batch_1.bin … data_batch_5.bin and test_batch.bin', 0, `cifar10-${split}`, CIFAR10_CLASSES);
}

/** `readCifar10`, throwing DataLoadError. */
export const loadCifar10 = (dir: string, opts: Cifar10Options = {}): Dataset => getOrThrow(readCifar10(dir, opts));

/**
 * CIFAR-100 from a directory holding train.bin and test.bin (or cifar-100-binary/ inside it).
 * Fine labels (100 classes) by default; `{ labels: 'coarse' }` gives the 20 superclasses.
 */
export function readCifar100(dir: string, opts: Cifar100Options = {}): E.Either<DataError, Dataset> {
  const split = opts.split ?? 'train';
  const fine = (opts.labels ?? 'fine') === 'fine';
  const file = `${split}.bin`;
  const d = resolveDir(C100, dir, file);
  const classNames = fine ? namesFile(d, 'fine_label_names.txt', 100) : namesFile(d, 'coarse_label_names.txt', 20);
  return readRecords(C100, dir, [file], 'train.bin and test.bin', fine ? 1 : 0, `cifar100-${split}`, classNames);
}

/** `readCifar100`, throwing DataLoadError. */
export const loadCifar100 = (dir: string, opts: Cifar100Options = {}): Dataset => getOrThrow(readCifar100(dir, opts));

/**
 * Encodes records in the binary layout: per image its label byte(s) then 3,072 CHW pixel bytes.
 * `labels` holds one array per label byte (CIFAR-10: `[labels]`; CIFAR-100: `[coarse, fine]`).
 */
export function encodeCifarRecords(images: Uint8Array, labels: readonly ArrayLike<number>[]): Uint8Array {
  const n = images.length / CIFAR_PIXELS;
  const rec = labels.length + CIFAR_PIXELS;
  const out = new Uint8Array(n * rec);
  for (let i = 0; i < n; i++) {
    labels.forEach((l, k) => (out[i * rec + k] = l[i]!));
    out.set(images.subarray(i * CIFAR_PIXELS, (i + 1) * CIFAR_PIXELS), i * rec + labels.length);
  }
  return out;
}
