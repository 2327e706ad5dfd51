// Test helpers for the rule tables: small-shape arbitraries and a row runner. Not shipped.
import fc from 'fast-check';
import { it } from 'vitest';
import { tensor, tree, type Tensor, type Tree } from '@ssam/tensor';
import { checkJvp, checkVjp, type CheckOptions } from './testing/index.js';
import { vjp } from './vjp.js';

export type Domain = 'any' | 'pos' | 'away' | 'grid' | 'gridOdd' | 'distinct';

/** Values for one tensor: any ∈ [−2, 2]; pos ∈ [0.5, 3]; away: |v| ∈ [0.1, 2]; grid: multiples of
 * 0.1 in [−2, 2]; gridOdd: grid + 0.05 (never equal to a grid value); distinct: all different,
 * 0.05 apart. Margins exceed the finite-difference step (0.01), so no kink is crossed. */
export function values(n: number, d: Domain): fc.Arbitrary<number[]> {
  const arr = (a: fc.Arbitrary<number>) => fc.array(a, { minLength: n, maxLength: n });
  switch (d) {
    case 'any': return arr(fc.double({ min: -2, max: 2, noNaN: true }));
    case 'pos': return arr(fc.double({ min: 0.5, max: 3, noNaN: true }));
    case 'away': return arr(fc.tuple(fc.boolean(), fc.double({ min: 0.1, max: 2, noNaN: true })).map(([s, v]) => (s ? v : -v)));
    case 'grid': return arr(fc.integer({ min: -20, max: 20 }).map((k) => k / 10));
    case 'gridOdd': return arr(fc.integer({ min: -20, max: 19 }).map((k) => k / 10 + 0.05));
    case 'distinct': return fc.uniqueArray(fc.integer({ min: -60, max: 60 }), { minLength: n, maxLength: n }).map((ks) => ks.map((k) => k / 20));
  }
}

const sizeOf = (s: readonly number[]) => s.reduce((a, b) => a * b, 1);

export const arbShape = (maxRank = 3, maxDim = 4, minRank = 0): fc.Arbitrary<number[]> =>
  fc.array(fc.integer({ min: 1, max: maxDim }), { minLength: minRank, maxLength: maxRank });

export const arbTensorOf = (shape: readonly number[], d: Domain = 'any'): fc.Arbitrary<Tensor> =>
  values(sizeOf(shape), d).map((v) => tensor(v, shape));

export const arbTensor = (d: Domain = 'any', maxRank = 3, maxDim = 4): fc.Arbitrary<Tensor> =>
  arbShape(maxRank, maxDim).chain((s) => arbTensorOf(s, d));

/** Two shapes that broadcast: b drops leading axes of a and sets some axes to 1 (or the reverse). */
export const arbBroadcastShapes = (maxRank = 3, maxDim = 3): fc.Arbitrary<[number[], number[]]> =>
  arbShape(maxRank, maxDim).chain((a) =>
    fc.tuple(fc.integer({ min: 0, max: a.length }), fc.array(fc.boolean(), { minLength: a.length, maxLength: a.length }), fc.boolean()).map(([drop, ones, swap]) => {
      const b = a.slice(drop).map((d, i) => (ones[i + drop] ? 1 : d));
      return (swap ? [b, a] : [a, b]) as [number[], number[]];
    }),
  );

export const arbPair = (da: Domain, db: Domain): fc.Arbitrary<[Tensor, Tensor]> =>
  arbBroadcastShapes().chain(([sa, sb]) => fc.tuple(arbTensorOf(sa, da), arbTensorOf(sb, db)));

/** A random cotangent shaped like y (host PRNG from a seed). */
export function randomLike(y: unknown, seed: number): unknown {
  let s = seed >>> 0 || 1;
  const next = () => ((s = Math.imul(s ^ (s >>> 13), 0x5bd1e995) + 0x9e3779b9) >>> 0) / 4294967296 - 0.5;
  return tree.map((l: Tensor) => tensor(Float32Array.from({ length: l.size }, next), l.shape), y as Tree);
}

/** One row of a rule table: how to draw an input and the function to differentiate. */
export interface Case {
  readonly x: unknown;
  readonly f: (x: never) => unknown;
}
export interface Row {
  readonly name: string;
  readonly arb: fc.Arbitrary<Case>;
  readonly tol?: CheckOptions;
  /** Also check second order (the pullback differentiated in x). Default true. */
  readonly second?: boolean;
  readonly runs?: number;
}

export const row = <X>(name: string, arb: fc.Arbitrary<X>, f: (x: X) => unknown, extra: Omit<Row, 'name' | 'arb'> = {}): Row => ({
  name,
  arb: arb.map((x) => ({ x, f: f as (x: never) => unknown })),
  ...extra,
});

/** A row whose arbitrary draws the differentiated tree `x` and a configuration `c` that f closes over. */
export const rowC = <X, C>(name: string, arb: fc.Arbitrary<{ x: X; c: C }>, f: (x: X, c: C) => unknown, extra: Omit<Row, 'name' | 'arb'> = {}): Row => ({
  name,
  arb: arb.map(({ x, c }) => ({ x, f: ((z: X) => f(z, c)) as (x: never) => unknown })),
  ...extra,
});

/** Runs checkVjp (first order), checkJvp (forward mode) and checkVjp of the pullback (second order) per row. */
export function runRows(rows: readonly Row[]): void {
  for (const r of rows) {
    const runs = r.runs ?? 10;
    it(`${r.name}: vjp matches finite differences`, () => {
      fc.assert(fc.property(r.arb, fc.nat(), ({ x, f }, seed) => void checkVjp(f, x as never, { ...r.tol, seed })), { numRuns: runs });
    });
    it(`${r.name}: jvp matches finite differences`, () => {
      fc.assert(fc.property(r.arb, fc.nat(), ({ x, f }, seed) => void checkJvp(f, x as never, { ...r.tol, seed, directions: 1 })), { numRuns: Math.ceil(runs / 2) });
    });
    if (r.second ?? true)
      it(`${r.name}: second order (pullback differentiated again) matches finite differences`, () => {
        fc.assert(
          fc.property(r.arb, fc.nat(), ({ x, f }, seed) => {
            const [y] = vjp(f, x as never);
            const ct = randomLike(y, seed);
            void checkVjp((z: never) => vjp(f, z)[1](ct as never), x as never, { ...r.tol, seed, directions: 1 });
          }),
          { numRuns: Math.ceil(runs / 2) },
        );
      });
  }
}
