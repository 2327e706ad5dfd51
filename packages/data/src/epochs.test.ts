import { describe, expect, it } from 'vitest';
import { fc, test } from '@fast-check/vitest';
import { random } from '@ssam/tensor';
import { makeDataset } from './dataset.js';
import { epochBatches, epochOrder, numBatches } from './epochs.js';
import { cifarTrainAugment } from './augment/presets.js';

const make = (n: number) =>
  makeDataset({ images: Uint8Array.from({ length: n * 3 * 4 * 4 }, (_, i) => (i * 37) % 256), labels: Array.from({ length: n }, (_, i) => i % 10), shape: [3, 4, 4], numClasses: 10 });
const sorted = (a: ArrayLike<number>) => Array.from(a).sort((p, q) => p - q);

describe('epochBatches', () => {
  test.prop([fc.integer({ min: 1, max: 60 }), fc.integer({ min: 1, max: 16 }), fc.nat({ max: 1000 }), fc.nat({ max: 5 }), fc.boolean()], { numRuns: 40 })(
    'an epoch visits a permutation of the examples (minus the dropped tail) in batches of batchSize',
    (n, batchSize, seed, epoch, dropLast) => {
      const ds = make(n);
      const batches = [...epochBatches(ds, { batchSize, key: random.key(seed), epoch, dropLast })];
      expect(batches.length).toBe(numBatches(n, batchSize, dropLast));
      expect(batches.map((b) => b.position)).toEqual(batches.map((_, i) => i));
      const seen = batches.flatMap((b) => Array.from(b.indices));
      const order = epochOrder(n, { key: random.key(seed), epoch });
      expect(sorted(order)).toEqual(Array.from({ length: n }, (_, i) => i));
      expect(seen).toEqual(Array.from(order.subarray(0, seen.length)));
      expect(seen.length).toBe(dropLast ? n - (n % batchSize) : n);
      for (const b of batches) {
        expect(b.x.shape).toEqual([b.indices.length, 3, 4, 4]);
        expect(dropLast ? b.indices.length : b.indices.length <= batchSize).toBe(dropLast ? batchSize : true);
        expect(b.y.toList()).toEqual(Array.from(b.indices, (i) => i % 10));
      }
    },
  );

  test.prop([fc.integer({ min: 1, max: 40 }), fc.integer({ min: 1, max: 8 }), fc.nat({ max: 1000 }), fc.nat({ max: 50 })], { numRuns: 25 })(
    'resuming at position p yields exactly the remaining batches, augmentation included',
    (n, batchSize, seed, at) => {
      const ds = make(n);
      const opts = { batchSize, key: random.key(seed), epoch: 2, augment: cifarTrainAugment({ cutout: true }) };
      const full = [...epochBatches(ds, opts)];
      const start = at % (full.length + 1);
      const resumed = [...epochBatches(ds, { ...opts, start })];
      expect(resumed.length).toBe(full.length - start);
      resumed.forEach((b, i) => {
        const f = full[start + i]!;
        expect(b.position).toBe(f.position);
        expect(Array.from(b.indices)).toEqual(Array.from(f.indices));
        expect(Array.from(b.x.toArray())).toEqual(Array.from(f.x.toArray()));
      });
    },
  );

  it('is deterministic given key and epoch; epochs and keys change the order', () => {
    const n = 200;
    const o = (seed: number, epoch: number) => Array.from(epochOrder(n, { key: random.key(seed), epoch }));
    expect(o(1, 0)).toEqual(o(1, 0));
    expect(o(1, 0)).not.toEqual(o(1, 1));
    expect(o(1, 0)).not.toEqual(o(2, 0));
    expect(Array.from(epochOrder(5, { shuffle: false }))).toEqual([0, 1, 2, 3, 4]);
  });

  it('rejects bad options with the valid range', () => {
    const ds = make(10);
    expect(() => [...epochBatches(ds, { batchSize: 0, key: random.key(0) })]).toThrow(/batchSize must be a positive integer/);
    expect(() => [...epochBatches(ds, { batchSize: 4, key: random.key(0), start: 4 })]).toThrow(/start must be a batch position in \[0, 3\]/);
    expect(() => [...epochBatches(ds, { batchSize: 4 })]).toThrow(/shuffling needs a key/);
    expect([...epochBatches(ds, { batchSize: 4, shuffle: false })].map((b) => b.indices[0])).toEqual([0, 4, 8]);
  });
});
