// Test-only arbitraries (not exported from index.ts).
import { fc } from '@fast-check/vitest';
import { tensor, type Tensor } from '@ssam/tensor';
import { nmMask } from '@ssam/masks';

export interface NMCase {
  readonly w: Tensor;
  readonly mask: Tensor;
  readonly n: number;
  readonly m: number;
  readonly axis: 'in' | 'out';
}

const arbRatio = fc.constantFrom([2, 4] as const, [1, 2] as const);
const arbFloats = (size: number) => fc.array(fc.float({ min: -4, max: 4, noNaN: true, noDefaultInfinity: true }), { minLength: size, maxLength: size });

/** A dense or conv weight whose chosen axis is a multiple of m, and an N:M mask of random scores. */
export function arbNMCase(opts: { rank?: 2 | 4; axis?: 'in' | 'out' } = {}): fc.Arbitrary<NMCase> {
  return fc
    .record({
      ratio: arbRatio,
      axis: opts.axis ? fc.constant(opts.axis) : fc.constantFrom('in' as const, 'out' as const),
      rank: opts.rank ? fc.constant(opts.rank) : fc.constantFrom(2 as const, 4 as const),
      groups: fc.integer({ min: 1, max: 3 }),
      other: fc.integer({ min: 1, max: 5 }),
      kh: fc.integer({ min: 1, max: 3 }),
      kw: fc.integer({ min: 1, max: 3 }),
    })
    .chain(({ ratio: [n, m], axis, rank, groups, other, kh, kw }) => {
      const d = groups * m;
      const two = axis === 'in' ? [other, d] : [d, other];
      const shape = rank === 2 ? two : [...two, kh, kw];
      const size = shape.reduce((a, b) => a * b, 1);
      return fc.tuple(arbFloats(size), arbFloats(size)).map(([wv, sv]) => {
        const mask = nmMask({ s: tensor(sv, shape) }, { n, m, axis }).s as Tensor;
        return { w: tensor(wv, shape), mask, n, m, axis };
      });
    });
}
