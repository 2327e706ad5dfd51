import { describe, expect, it } from 'vitest';
import { fc, test } from '@fast-check/vitest';
import { mul, tensor, type Tensor } from '@ssam/tensor';
import { nmMask } from '@ssam/masks';
import { compressNM, decompressNM } from './compress.js';
import { arbNMCase } from '../test/arb.js';

describe('compressNM / decompressNM', () => {
  test.prop([arbNMCase()], { numRuns: 60 })('round trip: decompress(compress(w, nmMask)) = w ⊙ mask', ({ w, mask, n, m, axis }) => {
    const c = compressNM(w, mask, { n, m, axis });
    expect(c.values.length * m).toBe(w.size * n);
    // + 0 folds -0 (a negative weight times a 0 of the mask) into 0: equal as numbers.
    expect(Array.from(decompressNM(c).toArray(), (v) => v + 0)).toEqual(Array.from(mul(w, mask).toArray(), (v) => v + 0));
  });

  test.prop([arbNMCase()], { numRuns: 40 })('in-group indices are strictly increasing and below m', ({ w, mask, n, m, axis }) => {
    const c = compressNM(w, mask, { n, m, axis });
    for (let q = 0; q < c.indices.length; q += n)
      for (let k = 0; k < n; k++) {
        expect(c.indices[q + k]!).toBeLessThan(m);
        if (k > 0) expect(c.indices[q + k]!).toBeGreaterThan(c.indices[q + k - 1]!);
      }
  });

  it('conv axis in groups run along cIn for each (o, kh, kw)', () => {
    // [1, 4, 1, 2]: group for kw=0 is channels 0..3 at kw 0.
    const w = tensor([1, 2, 3, 4, 5, 6, 7, 8], [1, 4, 1, 2]);
    const scores = tensor([9, 0, 0, 9, 9, 0, 0, 9], [1, 4, 1, 2]);
    const mask = nmMask({ w: scores }, { n: 2, m: 4, axis: 'in' }).w as Tensor;
    const c = compressNM(w, mask, { n: 2, m: 4, axis: 'in' });
    expect(Array.from(c.values)).toEqual([1, 5, 4, 8]);
    expect(Array.from(c.indices)).toEqual([0, 2, 1, 3]);
  });

  it('names the op, the group and the counts when the mask is not N:M', () => {
    const w = tensor([1, 2, 3, 4, 5, 6, 7, 8], [2, 4]);
    const mask = tensor([1, 1, 0, 0, 1, 1, 1, 0], [2, 4]);
    expect(() => compressNM(w, mask, { n: 2, m: 4 })).toThrow(/compressNM.*group 1.*keeps 3 of 4.*2:4 needs exactly 2/);
    expect(() => compressNM(w, mask, { n: 2, m: 3 })).toThrow(/not divisible by m = 3/);
    expect(() => compressNM(w, tensor([1, 1, 0, 0], [1, 4]), { n: 2, m: 4 })).toThrow(/mask shape \[1, 4\] must equal w shape \[2, 4\]/);
  });
});
