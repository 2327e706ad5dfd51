// fast-check arbitraries and brute-force references for the mask property tests.
import fc from 'fast-check';
import { random, tensor, type Tensor, type Tree } from '@ssam/tensor';

/** Scores drawn from a few values (so ties are common), including −0, +0 and ±Infinity. */
export const arbScore = fc.oneof(
  { weight: 3, arbitrary: fc.integer({ min: -3, max: 3 }).map((x) => x / 2) },
  { weight: 3, arbitrary: fc.float({ noNaN: true, min: -1e3, max: 1e3 }) },
  { weight: 1, arbitrary: fc.constantFrom(-0, 0, Infinity, -Infinity, 1e-45, -1e-45) },
);

export const arbShape = (maxRank = 3, maxDim = 4): fc.Arbitrary<number[]> =>
  fc.array(fc.integer({ min: 1, max: maxDim }), { minLength: 0, maxLength: maxRank });

export const arbTensorOf = (shape: readonly number[], score: fc.Arbitrary<number> = arbScore): fc.Arbitrary<Tensor> => {
  const n = shape.reduce((a, b) => a * b, 1);
  return fc.array(score, { minLength: n, maxLength: n }).map((v) => tensor(new Float32Array(v), shape));
};

/** A small params-like pytree: an object with 1–4 leaves of random shapes (some vectors). */
export const arbScoreTree = (score: fc.Arbitrary<number> = arbScore): fc.Arbitrary<Record<string, Tensor>> =>
  fc
    .array(arbShape(4, 4), { minLength: 1, maxLength: 4 })
    .chain((shapes) => fc.tuple(...shapes.map((s) => arbTensorOf(s, score))))
    .map((ts) => Object.fromEntries(ts.map((t, i) => [`p${i}`, t])));

export const arbSparsity = fc.oneof(fc.constantFrom(0, 1, 0.5, 0.25, 0.75), fc.double({ min: 0, max: 1, noNaN: true }));
export const arbKey = fc.integer({ min: 0, max: 2 ** 31 - 1 }).map((s) => random.key(s));

/** All leaf elements concatenated in canonical order (plain numbers). */
export function flatValues(t: Tree): number[] {
  const out: number[] = [];
  for (const l of leavesOf(t)) out.push(...Array.from(l.toArray()));
  return out;
}

export function leavesOf(t: Tree): Tensor[] {
  const out: Tensor[] = [];
  const walk = (x: unknown): void => {
    if (x === null || x === undefined) return;
    if (Array.isArray(x)) x.forEach(walk);
    else if (typeof x === 'object' && Object.getPrototypeOf(x) === Object.prototype) {
      for (const k of Object.keys(x).sort()) walk((x as Record<string, unknown>)[k]);
    } else out.push(x as Tensor);
  };
  walk(t);
  return out;
}

/** Brute force: indices of the k largest (or smallest), ties to the lower index, via a full sort. */
export function referenceTopK(values: readonly number[], k: number, smallest = false, eligible?: readonly boolean[]): Set<number> {
  const norm = (x: number) => (x === 0 ? 0 : x); // −0 ties with +0
  const idx = values.map((_, i) => i).filter((i) => eligible === undefined || eligible[i]);
  idx.sort((a, b) => {
    const va = norm(values[a]!);
    const vb = norm(values[b]!);
    if (va !== vb) return smallest ? (va < vb ? -1 : 1) : va > vb ? -1 : 1;
    return a - b;
  });
  return new Set(idx.slice(0, k));
}

export const onesOf = (bits: readonly number[]): Set<number> => new Set(bits.flatMap((b, i) => (b !== 0 ? [i] : [])));
