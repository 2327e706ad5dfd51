import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import * as E from 'fp-ts/lib/Either.js';
import { CIFAR10_TRAIN_FILES, CIFAR_PIXELS, encodeCifarRecords, readCifar10, readCifar100, loadCifar10 } from './cifar.js';
import { DataLoadError, type DataError } from './errors.js';

const root = mkdtempSync(path.join(tmpdir(), 'ssam-cifar-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));
const left = <A>(r: E.Either<DataError, A>): DataError => {
  if (E.isRight(r)) throw new Error('expected a Left, got a loaded value');
  return r.left;
};

/** Image `id` has pixel j = (id * 31 + j) mod 251: distinct per image, easy to check. */
const images = (ids: number[]) => {
  const out = new Uint8Array(ids.length * CIFAR_PIXELS);
  ids.forEach((id, i) => {
    for (let j = 0; j < CIFAR_PIXELS; j++) out[i * CIFAR_PIXELS + j] = (id * 31 + j) % 251;
  });
  return out;
};
const range = (a: number, b: number) => Array.from({ length: b - a }, (_, i) => a + i);

/** A CIFAR-10 directory: 5 train batches of 3 images (ids 0..14) and a test batch of 2 (ids 100, 101). */
function cifar10Dir(name: string): string {
  const dir = path.join(root, name);
  mkdirSync(dir, { recursive: true });
  CIFAR10_TRAIN_FILES.forEach((f, b) => {
    const ids = range(3 * b, 3 * b + 3);
    writeFileSync(path.join(dir, f), encodeCifarRecords(images(ids), [ids.map((i) => i % 10)]));
  });
  writeFileSync(path.join(dir, 'test_batch.bin'), encodeCifarRecords(images([100, 101]), [[7, 9]]));
  return dir;
}

describe('CIFAR-10 binary', () => {
  it('reads the five train batches in order and the test batch', () => {
    const dir = cifar10Dir('c10');
    const train = loadCifar10(dir);
    expect(train.length).toBe(15);
    expect(train.shape).toEqual([3, 32, 32]);
    expect(train.numClasses).toBe(10);
    expect(Array.from(train.labels)).toEqual(range(0, 15).map((i) => i % 10));
    expect(Array.from(train.images)).toEqual(Array.from(images(range(0, 15))));
    expect(train.classNames?.[6]).toBe('frog');
    const test = loadCifar10(dir, { split: 'test' });
    expect(Array.from(test.labels)).toEqual([7, 9]);
    const b = test.batch([1]);
    expect(b.x.shape).toEqual([1, 3, 32, 32]);
    // Record byte 1 + c·1024 + y·32 + x is channel c at (y, x): NCHW without any reordering.
    expect(b.x.toArray()[1024 + 5 * 32 + 7]).toBeCloseTo(((101 * 31 + 1024 + 5 * 32 + 7) % 251) / 255, 6);
  });

  it('finds the official cifar-10-batches-bin/ folder inside the given directory', () => {
    const outer = path.join(root, 'outer');
    mkdirSync(outer);
    const inner = cifar10Dir('outer/cifar-10-batches-bin');
    expect(loadCifar10(outer).length).toBe(15);
    expect(loadCifar10(inner).length).toBe(15);
  });

  it('lists the expected file names when batches are missing (and loads nothing)', () => {
    const dir = cifar10Dir('c10-missing');
    rmSync(path.join(dir, 'data_batch_4.bin'));
    const e = left(readCifar10(dir));
    expect(e.kind).toBe('missing');
    expect(e.message).toContain('data_batch_1.bin … data_batch_5.bin and test_batch.bin');
    expect(e.got).toBe('no data_batch_4.bin');
    expect(E.isRight(readCifar10(dir, { split: 'test' }))).toBe(true);
    expect(left(readCifar10(path.join(root, 'no-such-dir'))).message).toContain('no-such-dir');
    expect(() => loadCifar10(dir)).toThrow(DataLoadError);
  });

  it('rejects a truncated batch with the record size, before reading anything', () => {
    const dir = cifar10Dir('c10-trunc');
    const f = path.join(dir, 'data_batch_5.bin');
    writeFileSync(f, encodeCifarRecords(images([1, 2]), [[1, 2]]).subarray(0, 2 * 3073 - 100));
    const e = left(readCifar10(dir));
    expect(e.kind).toBe('size');
    expect(e.file).toBe(f);
    expect(e.message).toMatch(/positive multiple of 3,073 bytes .* got 6,046 bytes/);
  });

  it('rejects a label outside [0, 10) naming the file and record', () => {
    const dir = cifar10Dir('c10-label');
    writeFileSync(path.join(dir, 'data_batch_3.bin'), encodeCifarRecords(images([1, 2]), [[1, 12]]));
    const e = left(readCifar10(dir));
    expect(e.kind).toBe('label');
    expect(e.message).toMatch(/data_batch_3\.bin: expected labels in \[0, 10\), got 12 in record 1/);
  });
});

describe('CIFAR-100 binary', () => {
  const dir = path.join(root, 'c100');
  mkdirSync(dir);
  const coarse = [3, 19, 0];
  const fine = [42, 99, 7];
  writeFileSync(path.join(dir, 'train.bin'), encodeCifarRecords(images([5, 6, 7]), [coarse, fine]));
  writeFileSync(path.join(dir, 'test.bin'), encodeCifarRecords(images([8]), [[1], [55]]));
  writeFileSync(path.join(dir, 'coarse_label_names.txt'), range(0, 20).map((i) => `super${i}`).join('\n') + '\n');

  it('reads fine labels by default and coarse labels on request', () => {
    const f = E.getOrElseW((e: DataError) => { throw new Error(e.message); })(readCifar100(dir));
    expect(f.numClasses).toBe(100);
    expect(Array.from(f.labels)).toEqual(fine);
    expect(Array.from(f.images)).toEqual(Array.from(images([5, 6, 7])));
    const c = E.getOrElseW((e: DataError) => { throw new Error(e.message); })(readCifar100(dir, { labels: 'coarse' }));
    expect(c.numClasses).toBe(20);
    expect(Array.from(c.labels)).toEqual(coarse);
    expect(c.classNames?.[19]).toBe('super19');
    const t = E.getOrElseW((e: DataError) => { throw new Error(e.message); })(readCifar100(dir, { split: 'test' }));
    expect(Array.from(t.labels)).toEqual([55]);
  });

  it('checks the record size (3,074 bytes) and both label ranges', () => {
    const bad = path.join(root, 'c100-bad');
    mkdirSync(bad);
    writeFileSync(path.join(bad, 'train.bin'), encodeCifarRecords(images([1]), [[1]]));
    expect(left(readCifar100(bad)).message).toContain('positive multiple of 3,074 bytes');
    writeFileSync(path.join(bad, 'train.bin'), encodeCifarRecords(images([1]), [[20], [3]]));
    expect(left(readCifar100(bad)).message).toMatch(/expected coarse labels in \[0, 20\), got 20/);
    writeFileSync(path.join(bad, 'train.bin'), encodeCifarRecords(images([1]), [[2], [100]]));
    expect(left(readCifar100(bad)).message).toMatch(/expected fine labels in \[0, 100\), got 100/);
    expect(left(readCifar100(bad, { split: 'test' })).got).toBe('no test.bin');
  });
});
