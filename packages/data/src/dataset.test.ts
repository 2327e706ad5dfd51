import { describe, expect, it } from 'vitest';
import { fc, test } from '@fast-check/vitest';
import { makeDataset } from './dataset.js';

const ds = makeDataset({ name: 'toy', images: Uint8Array.from({ length: 5 * 4 }, (_, i) => i * 10), labels: [0, 1, 2, 0, 1], shape: [1, 2, 2], numClasses: 3 });

describe('Dataset', () => {
  it('batches by index: float32 NCHW in [0, 1] and int32 labels', () => {
    const b = ds.batch([3, 3, 0]);
    expect(b.x.shape).toEqual([3, 1, 2, 2]);
    expect(b.x.dtype).toBe('float32');
    expect(b.y.dtype).toBe('int32');
    expect(b.y.toList()).toEqual([0, 0, 0]);
    expect(Array.from(b.x.toArray().subarray(0, 4))).toEqual([120, 130, 140, 150].map((v) => Math.fround(v / 255)));
    expect(Array.from(ds.batch([1], { scale: false }).x.toArray())).toEqual([40, 50, 60, 70]);
  });

  it('subsets by count (sharing storage) and by indices (copying)', () => {
    const head = ds.subset(2);
    expect(head.length).toBe(2);
    expect(head.images.buffer).toBe(ds.images.buffer);
    const pick = ds.subset([4, 1]);
    expect(Array.from(pick.labels)).toEqual([1, 1]);
    expect(Array.from(pick.images)).toEqual([160, 170, 180, 190, 40, 50, 60, 70]);
    expect(pick.subset(0).length).toBe(0);
  });

  it('rejects bad indices and inconsistent specs with messages that name the problem', () => {
    expect(() => ds.batch([5])).toThrow(/batch: index 5 at position 0 is outside \[0, 5\)/);
    expect(() => ds.batch([1.5])).toThrow(/index 1.5/);
    expect(() => ds.subset(6)).toThrow(/subset: n must be an integer in \[0, 5\]/);
    expect(() => makeDataset({ images: new Uint8Array(7), labels: [0, 1], shape: [4], numClasses: 2 })).toThrow(/7 values but 2 labels × shape \[4\] need 8/);
    expect(() => makeDataset({ images: new Uint8Array(2), labels: [0, 2], shape: [1], numClasses: 2 })).toThrow(/label 2 at index 1 is outside \[0, 2\)/);
  });

  test.prop([fc.array(fc.nat({ max: 4 }), { maxLength: 12 })], { numRuns: 50 })('batch(indices) row b is example indices[b]', (idx) => {
    const x = ds.batch(idx, { scale: false }).x.toArray();
    idx.forEach((i, b) => expect(Array.from(x.subarray(4 * b, 4 * b + 4))).toEqual(Array.from(ds.images.subarray(4 * i, 4 * i + 4))));
  });
});
