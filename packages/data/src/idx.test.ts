import { mkdtempSync, writeFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { gzipSync } from 'node:zlib';
import { afterAll, describe, expect, it } from 'vitest';
import { fc, test } from '@fast-check/vitest';
import * as E from 'fp-ts/lib/Either.js';
import { encodeIdx, parseIdx, readIdx, readIdxDataset } from './idx.js';
import { DataLoadError, getOrThrow, type DataError } from './errors.js';

const dir = mkdtempSync(path.join(tmpdir(), 'ssam-idx-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
const write = (name: string, bytes: Uint8Array) => {
  const f = path.join(dir, name);
  writeFileSync(f, bytes);
  return f;
};
const left = <A>(r: E.Either<DataError, A>): DataError => {
  if (E.isRight(r)) throw new Error('expected a Left, got a loaded value');
  return r.left;
};

/** n images of h×w with pixel (i, y, x) = (i * 7 + y * w + x) mod 256, labels i mod 10. */
function fixture(n: number, h: number, w: number) {
  const images = new Uint8Array(n * h * w).map((_, j) => (Math.floor(j / (h * w)) * 7 + (j % (h * w))) % 256);
  const labels = new Uint8Array(n).map((_, i) => i % 10);
  return { images, labels };
}

describe('IDX', () => {
  it('round-trips raw and gzipped image/label pairs into a [1, H, W] dataset', () => {
    const { images, labels } = fixture(5, 4, 3);
    for (const gz of [false, true]) {
      const enc = (b: Uint8Array) => (gz ? new Uint8Array(gzipSync(b)) : b);
      const im = write(`im${gz}`, enc(encodeIdx(images, [5, 4, 3])));
      const lb = write(`lb${gz}`, enc(encodeIdx(labels, [5])));
      const ds = getOrThrow(readIdxDataset({ images: im, labels: lb }));
      expect(ds.length).toBe(5);
      expect(ds.shape).toEqual([1, 4, 3]);
      expect(Array.from(ds.images)).toEqual(Array.from(images));
      expect(Array.from(ds.labels)).toEqual(Array.from(labels));
      const b = ds.batch([4, 0]);
      expect(b.x.shape).toEqual([2, 1, 4, 3]);
      expect(b.x.toArray()[0]).toBeCloseTo(images[4 * 12]! / 255, 6);
      expect(b.y.toList()).toEqual([4, 0]);
      expect(b.y.dtype).toBe('int32');
    }
  });

  const arrays = fc.oneof(
    fc.tuple(fc.constant('ubyte'), fc.array(fc.integer({ min: 0, max: 255 }), { minLength: 1, maxLength: 24 })),
    fc.tuple(fc.constant('byte'), fc.array(fc.integer({ min: -128, max: 127 }), { minLength: 1, maxLength: 24 })),
    fc.tuple(fc.constant('short'), fc.array(fc.integer({ min: -32768, max: 32767 }), { minLength: 1, maxLength: 24 })),
    fc.tuple(fc.constant('int'), fc.array(fc.integer(), { minLength: 1, maxLength: 24 })),
    fc.tuple(fc.constant('float'), fc.array(fc.float({ noNaN: true }), { minLength: 1, maxLength: 24 })),
    fc.tuple(fc.constant('double'), fc.array(fc.double({ noNaN: true }), { minLength: 1, maxLength: 24 })),
  );
  const ctor = { ubyte: Uint8Array, byte: Int8Array, short: Int16Array, int: Int32Array, float: Float32Array, double: Float64Array } as const;
  test.prop([arrays, fc.boolean()], { numRuns: 60 })('parseIdx inverts encodeIdx for every element type, raw or gzipped', ([type, values], gz) => {
    const data = ctor[type as keyof typeof ctor].from(values);
    const dims = values.length % 2 === 0 ? [2, values.length / 2] : [values.length];
    const bytes = encodeIdx(data, dims);
    const back = getOrThrow(parseIdx(gz ? new Uint8Array(gzipSync(bytes)) : bytes));
    expect(back.type).toBe(type);
    expect(back.dims).toEqual(dims);
    expect(Array.from(back.data)).toEqual(Array.from(data));
  });

  it('names the missing file', () => {
    const e = left(readIdx(path.join(dir, 'nope-idx3-ubyte')));
    expect(e.kind).toBe('missing');
    expect(e.message).toContain('nope-idx3-ubyte');
    expect(() => getOrThrow(readIdx(path.join(dir, 'nope')))).toThrow(DataLoadError);
  });

  it('rejects truncated and padded files with the expected byte count', () => {
    const bytes = encodeIdx(fixture(3, 2, 2).images, [3, 2, 2]);
    const e = left(readIdx(write('trunc', bytes.subarray(0, bytes.length - 5))));
    expect(e.kind).toBe('size');
    expect(e.message).toMatch(/trunc: expected 28 bytes \(16-byte header \+ 3×2×2 ubyte elements\), got 23 bytes \(truncated\)/);
    expect(left(readIdx(write('padded', new Uint8Array([...bytes, 0])))).got).toContain('trailing');
    expect(left(readIdx(write('tiny', new Uint8Array([0, 0])))).kind).toBe('size');
  });

  it('rejects a wrong magic, naming the bytes found', () => {
    const bytes = encodeIdx(new Uint8Array(4), [4]);
    bytes[2] = 0x42;
    const e = left(readIdx(write('magic', bytes)));
    expect(e.kind).toBe('magic');
    expect(e.got).toBe('00 00 42 01');
    expect(left(parseIdx(new TextEncoder().encode('{"not": "idx"}'), 'x.json')).message).toContain('x.json');
  });

  it('rejects a truncated gzip stream', () => {
    const gz = gzipSync(encodeIdx(new Uint8Array(1000).fill(3), [1000]));
    const e = left(readIdx(write('cut.gz', gz.subarray(0, gz.length - 10))));
    expect(e.kind).toBe('format');
    expect(e.message).toContain('cut.gz');
  });

  describe('image/label pairs load all or nothing', () => {
    const { images, labels } = fixture(4, 2, 2);
    const im = write('pair-im', encodeIdx(images, [4, 2, 2]));
    it('mismatched counts name both files', () => {
      const e = left(readIdxDataset({ images: im, labels: write('pair-lb3', encodeIdx(labels.subarray(0, 3), [3])) }));
      expect(e.kind).toBe('shape');
      expect(e.message).toContain('pair-lb3');
      expect(e.message).toContain('pair-im');
    });
    it('a label out of range names the file, the index and the range', () => {
      const bad = labels.slice();
      bad[2] = 10;
      const e = left(readIdxDataset({ images: im, labels: write('pair-bad', encodeIdx(bad, [4])) }));
      expect(e.kind).toBe('label');
      expect(e.message).toMatch(/pair-bad: expected labels in \[0, 10\), got 10 at index 2/);
      expect(E.isRight(readIdxDataset({ images: im, labels: write('pair-bad2', encodeIdx(bad, [4])), numClasses: 11 }))).toBe(true);
    });
    it('swapped files are caught', () => {
      const lb = write('pair-lb', encodeIdx(labels, [4]));
      expect(left(readIdxDataset({ images: lb, labels: im })).kind).toBe('shape');
    });
    it('a corrupt label file after a good image file yields no dataset', () => {
      const r = readIdxDataset({ images: im, labels: write('pair-trunc', encodeIdx(labels, [4]).subarray(0, 10)) });
      expect(E.isLeft(r)).toBe(true);
      expect(() => getOrThrow(r)).toThrow(/pair-trunc: expected 12 bytes/);
    });
  });
});
