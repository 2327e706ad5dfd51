import { describe, expect, it } from 'vitest';
import { fc, test } from '@fast-check/vitest';
import { selectTopK } from './select.js';
import { arbScore, onesOf, referenceTopK } from '../../test/arb.js';

describe('selectTopK', () => {
  test.prop([fc.array(arbScore, { maxLength: 60 }), fc.double({ min: 0, max: 1, noNaN: true }), fc.boolean()], { numRuns: 300 })(
    'selects exactly the k largest (smallest), ties to the lower index, like a full sort',
    (vals, frac, smallest) => {
      const v = new Float32Array(vals);
      const k = Math.floor(frac * v.length);
      const out = selectTopK(v, k, { smallest });
      expect(onesOf(Array.from(out))).toEqual(referenceTopK(Array.from(v), k, smallest));
    },
  );

  test.prop([fc.array(fc.tuple(arbScore, fc.boolean()), { maxLength: 60 }), fc.double({ min: 0, max: 1, noNaN: true }), fc.boolean()], { numRuns: 200 })(
    'respects eligibility',
    (pairs, frac, smallest) => {
      const v = new Float32Array(pairs.map((p) => p[0]));
      const el = pairs.map((p) => p[1]);
      const k = Math.floor(frac * el.filter(Boolean).length);
      const out = selectTopK(v, k, { smallest, eligible: Uint8Array.from(el, Number) });
      expect(onesOf(Array.from(out))).toEqual(referenceTopK(Array.from(v), k, smallest, el));
    },
  );

  it('breaks ties between entries equal in the high 16 bits by the low bits', () => {
    const v = new Float32Array([1, 1 + 2 ** -23, 1 + 2 ** -22, 1, 1 + 2 ** -23]);
    expect(Array.from(selectTopK(v, 2))).toEqual([0, 1, 1, 0, 0]);
    expect(Array.from(selectTopK(v, 3))).toEqual([0, 1, 1, 0, 1]);
    expect(Array.from(selectTopK(v, 4))).toEqual([1, 1, 1, 0, 1]);
  });

  it('treats −0 and +0 as equal and orders ±Infinity', () => {
    expect(Array.from(selectTopK(new Float32Array([-0, 0, -Infinity, Infinity]), 2))).toEqual([1, 0, 0, 1]);
    expect(Array.from(selectTopK(new Float32Array([0, -0, -Infinity]), 1, { smallest: true }))).toEqual([0, 0, 1]);
  });

  it('rejects NaN scores with the operation name', () => {
    expect(() => selectTopK(new Float32Array([1, NaN]), 1, { op: 'topKMask' })).toThrow(/topKMask: scores contain NaN \(flat index 1\)/);
  });
});
