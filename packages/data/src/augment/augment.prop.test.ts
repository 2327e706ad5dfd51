import { describe, expect, it } from 'vitest';
import { fc, test } from '@fast-check/vitest';
import { pipe } from 'fp-ts/lib/function.js';
import { random, tensor } from '@ssam/tensor';
import type { Batch } from '../dataset.js';
import { compose } from './augmentation.js';
import { randomCrop } from './crop.js';
import { horizontalFlip } from './flip.js';
import { cutout } from './cutout.js';
import { CIFAR10_MEAN, CIFAR10_STD, normalise } from './normalise.js';
import { cifarTrainAugment } from './presets.js';

/** A batch of n c×h×w images with distinct values in (0, 1] (so zero padding is recognisable). */
function batchOf(n: number, c: number, h: number, w: number, seed: number): Batch {
  const x = random.uniform(random.key(seed), [n, c, h, w], { min: 0.001, max: 1 });
  return { x, y: tensor(Int32Array.from({ length: n }, (_, i) => i % 10), [n], { dtype: 'int32' }) };
}
const arbBatch = fc.record({
  n: fc.integer({ min: 1, max: 6 }),
  c: fc.integer({ min: 1, max: 3 }),
  h: fc.integer({ min: 1, max: 9 }),
  w: fc.integer({ min: 1, max: 9 }),
  seed: fc.nat({ max: 1 << 20 }),
});
const arbKey = fc.nat({ max: 1 << 20 }).map((s) => random.key(s));
const same = (a: Batch, b: Batch) => expect(Array.from(a.x.toArray())).toEqual(Array.from(b.x.toArray()));

/** The padded image value at (ch, y, x) in padded coordinates. */
const padded = (img: ArrayLike<number>, c: number, h: number, w: number, pad: number) => (ch: number, y: number, x: number) => {
  const sy = y - pad;
  const sx = x - pad;
  return sy < 0 || sy >= h || sx < 0 || sx >= w ? 0 : img[(ch * h + sy) * w + sx]!;
};

describe('randomCrop', () => {
  test.prop([arbBatch, fc.integer({ min: 0, max: 4 }), fc.boolean(), arbKey], { numRuns: 60 })(
    'every output image is a size window of the zero-padded input, at an offset in bounds',
    ({ n, c, h, w, seed }, pad, smaller, key) => {
      const size: [number, number] = smaller ? [Math.max(1, h - 1), Math.max(1, w - 1)] : [h, w];
      const b = batchOf(n, c, h, w, seed);
      const out = randomCrop({ padding: pad, size })(b, key);
      const [oh, ow] = size;
      expect(out.x.shape).toEqual([n, c, oh, ow]);
      const xs = b.x.toArray();
      const ys = out.x.toArray();
      for (let i = 0; i < n; i++) {
        const src = padded(xs.subarray(i * c * h * w, (i + 1) * c * h * w), c, h, w, pad);
        const got = ys.subarray(i * c * oh * ow, (i + 1) * c * oh * ow);
        const matches: [number, number][] = [];
        for (let dy = 0; dy <= h + 2 * pad - oh; dy++)
          for (let dx = 0; dx <= w + 2 * pad - ow; dx++) {
            let ok = true;
            for (let ch = 0; ch < c && ok; ch++)
              for (let y = 0; y < oh && ok; y++) for (let x = 0; x < ow && ok; x++) ok = got[(ch * oh + y) * ow + x] === src(ch, y + dy, x + dx);
            if (ok) matches.push([dy, dx]);
          }
        expect(matches.length).toBeGreaterThan(0);
      }
    },
  );

  it('draws every offset in [0, 2·padding] and no other', () => {
    // One bright pixel at (0, 0) of a 1×1 image: the crop shows it at (pad − dy, pad − dx) if at all.
    const n = 4000;
    const b = { x: tensor(new Float32Array(n).fill(1), [n, 1, 1, 1]), y: tensor(new Int32Array(n), [n], { dtype: 'int32' }) };
    const out = randomCrop({ padding: 2, size: 1 })(b, random.key(7)).x.toArray();
    const hits = out.reduce((s, v) => s + v, 0);
    // Offset (2, 2) of 25 keeps the pixel: about n / 25 = 160 hits.
    expect(hits).toBeGreaterThan(100);
    expect(hits).toBeLessThan(230);
  });
});

describe('horizontalFlip', () => {
  test.prop([arbBatch, arbKey, fc.double({ min: 0, max: 1, noNaN: true })], { numRuns: 60 })('flipping twice with the same key is the identity', ({ n, c, h, w, seed }, key, p) => {
    const b = batchOf(n, c, h, w, seed);
    const flip = horizontalFlip({ p });
    same(flip(flip(b, key), key), b);
  });

  test.prop([arbBatch, arbKey], { numRuns: 40 })('each image is either unchanged or mirrored', ({ n, c, h, w, seed }, key) => {
    const b = batchOf(n, c, h, w, seed);
    const xs = b.x.toArray();
    const ys = horizontalFlip()(b, key).x.toArray();
    for (let i = 0; i < n; i++) {
      const at = (a: ArrayLike<number>, ch: number, y: number, x: number) => a[((i * c + ch) * h + y) * w + x];
      let kept = true;
      let mirrored = true;
      for (let ch = 0; ch < c; ch++)
        for (let y = 0; y < h; y++)
          for (let x = 0; x < w; x++) {
            kept &&= at(ys, ch, y, x) === at(xs, ch, y, x);
            mirrored &&= at(ys, ch, y, x) === at(xs, ch, y, w - 1 - x);
          }
      expect(kept || mirrored).toBe(true);
    }
  });

  it('mirrors about half the images at p = 0.5, all at p = 1, none at p = 0', () => {
    const n = 2000;
    const b = { x: tensor(Float32Array.from({ length: 2 * n }, (_, i) => i % 2), [n, 1, 1, 2]), y: tensor(new Int32Array(n), [n], { dtype: 'int32' }) };
    const flipped = (p: number) => {
      const out = horizontalFlip({ p })(b, random.key(3)).x.toArray();
      let k = 0;
      for (let i = 0; i < n; i++) k += out[2 * i]!;
      return k;
    };
    expect(flipped(0)).toBe(0);
    expect(flipped(1)).toBe(n);
    expect(Math.abs(flipped(0.5) - n / 2)).toBeLessThan(4 * Math.sqrt(n / 4));
  });
});

describe('cutout', () => {
  test.prop([arbBatch, arbKey, fc.integer({ min: 1, max: 6 })], { numRuns: 60 })(
    'changes at most one clipped size×size square per image, the same in every channel, to the fill value',
    ({ n, c, h, w, seed }, key, size) => {
      const b = batchOf(n, c, h, w, seed);
      const xs = b.x.toArray();
      const ys = cutout({ size, p: 1, fill: 0 })(b, key).x.toArray();
      for (let i = 0; i < n; i++) {
        const cells: [number, number][] = [];
        for (let y = 0; y < h; y++)
          for (let x = 0; x < w; x++) {
            const changed = Array.from({ length: c }, (_, ch) => ys[((i * c + ch) * h + y) * w + x] !== xs[((i * c + ch) * h + y) * w + x]);
            expect(new Set(changed).size).toBe(1);
            if (changed[0]) {
              cells.push([y, x]);
              expect(ys[(i * c * h + y) * w + x]).toBe(0);
            }
          }
        // p = 1: the corner range [−size/2, H − size/2) always overlaps the image.
        expect(cells.length).toBeGreaterThan(0);
        const ysC = cells.map(([y]) => y);
        const xsC = cells.map(([, x]) => x);
        const [y0, y1, x0, x1] = [Math.min(...ysC), Math.max(...ysC), Math.min(...xsC), Math.max(...xsC)];
        expect(y1 - y0 + 1).toBeLessThanOrEqual(size);
        expect(x1 - x0 + 1).toBeLessThanOrEqual(size);
        expect(cells.length).toBe((y1 - y0 + 1) * (x1 - x0 + 1));
      }
    },
  );

  it('p = 0 is the identity', () => {
    const b = batchOf(5, 3, 8, 8, 1);
    same(cutout({ p: 0 })(b, random.key(1)), b);
  });
});

describe('normalise', () => {
  it('computes (x − mean[c]) / std[c] per channel and is undone by its inverse', () => {
    const b = batchOf(3, 3, 4, 5, 9);
    const out = normalise(CIFAR10_MEAN, CIFAR10_STD)(b);
    const xs = b.x.toArray();
    const ys = out.x.toArray();
    for (let j = 0; j < xs.length; j++) {
      const ch = Math.floor(j / 20) % 3;
      expect(ys[j]).toBeCloseTo((xs[j]! - CIFAR10_MEAN[ch]!) / CIFAR10_STD[ch]!, 5);
    }
    const inverse = normalise(CIFAR10_MEAN.map((m, c) => -m / CIFAR10_STD[c]!), CIFAR10_STD.map((s) => 1 / s));
    const back = inverse(out).x.toArray();
    for (let j = 0; j < xs.length; j++) expect(back[j]).toBeCloseTo(xs[j]!, 5);
    expect(() => normalise([0.5], [0.5])(b)).toThrow(/mean\/std have 1 channels but the batch has 3/);
  });
});

describe('composition and keys', () => {
  test.prop([arbBatch, arbKey], { numRuns: 30 })('compose(a, b, c) equals pipe with withKey on the split keys', ({ n, c, h, w, seed }, key) => {
    const b = batchOf(n, c, h, w, seed);
    const steps = [randomCrop({ padding: 2 }), horizontalFlip(), cutout({ size: 3 })] as const;
    const [k0, k1, k2] = random.split(key, 3);
    same(compose(...steps)(b, key), pipe(b, steps[0].withKey(k0), steps[1].withKey(k1), steps[2].withKey(k2)));
  });

  test.prop([arbKey, fc.boolean()], { numRuns: 20 })('same key → same batch; the input batch is never changed', (key, withCutout) => {
    const b = batchOf(8, 3, 32, 32, 5);
    const before = b.x.toArray();
    const aug = cifarTrainAugment({ cutout: withCutout });
    same(aug(b, key), aug(b, key));
    expect(Array.from(b.x.toArray())).toEqual(Array.from(before));
    expect(aug(b, key).y).toBe(b.y);
  });

  test.prop([fc.nat({ max: 1 << 20 }), fc.nat({ max: 1 << 20 })], { numRuns: 20 })('different keys give different batches', (s1, s2) => {
    fc.pre(s1 !== s2);
    const b = batchOf(16, 3, 32, 32, 5);
    const aug = cifarTrainAugment();
    expect(Array.from(aug(b, random.key(s1)).x.toArray())).not.toEqual(Array.from(aug(b, random.key(s2)).x.toArray()));
  });

  it('random augmentations demand a key', () => {
    const b = batchOf(1, 3, 4, 4, 0);
    expect(() => randomCrop()(b)).toThrow(/randomCrop: this augmentation is random and needs a key/);
    expect(() => randomCrop()({ x: tensor(new Float32Array(4), [4]), y: b.y }, random.key(0))).toThrow(/needs an NCHW image batch/);
  });
});
