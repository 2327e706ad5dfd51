import { isTensor, mul, sub, tanh, tensor, tree, type Tensor } from '@ssam/tensor';
import fc from 'fast-check';
import type { Params, Updates } from '../types.js';

/**
 * A smooth test problem f(w) = Σ ½·a⊙(w − c)² − b⊙log cosh(w), leaf by leaf, with a ∈ [aMin, aMax]
 * and b ≥ 0. b = 0 gives a convex quadratic (a-strongly convex, aMax-smooth); b > a makes it
 * non-convex but still (a + b)-smooth and bounded below. ∇f = a⊙(w − c) − b⊙tanh(w).
 */
export interface SmoothProblem {
  readonly params: Params;
  readonly a: Updates;
  readonly c: Updates;
  readonly b: Updates;
  /** f(w), in double precision from the tensor values. */
  loss(w: Params): number;
  /** ∇f(w) as a tree of tensors. */
  grad(w: Params): Updates;
  /** A deterministic stand-in for a Fisher sampler: ∇f(w)². */
  fisher(w: Params): Updates;
  /** The smoothness constant L (max curvature). */
  readonly smoothness: number;
}

export function smoothProblem(params: Params, a: Updates, c: Updates, b?: Updates): SmoothProblem {
  const bb = b ?? tree.zerosLike(params);
  const maxOf = (t: Updates) => Math.max(0, ...tree.leaves(t).flatMap((x) => Array.from(x.toArray())));
  const grad = (w: Params): Updates =>
    tree.map((wi: Tensor, ai: Tensor, ci: Tensor, bi: Tensor) => sub(mul(ai, sub(wi, ci)), mul(bi, tanh(wi))), w, a, c, bb);
  // fast-check prints a counterexample with this: the leaves' values, not the closures.
  const show = (t: Updates) =>
    `{ ${tree.paths(t).map((path, i) => `${path.join('.') || '(root)'}: [${Array.from((tree.leaves(t)[i] as Tensor).toArray()).join(', ')}]`).join(', ')} }`;
  const problem: SmoothProblem = {
    params,
    a,
    c,
    b: bb,
    grad,
    fisher: (w) => tree.map((g: Tensor) => mul(g, g), grad(w)),
    smoothness: maxOf(a) + maxOf(bb),
    loss(w) {
      const [wl] = tree.flatten(w);
      const al = tree.leaves(a);
      const cl = tree.leaves(c);
      const bl = tree.leaves(bb);
      let f = 0;
      wl.forEach((x, i) => {
        const [xs, as, cs, bs] = [x, al[i]!, cl[i]!, bl[i]!].map((t) => t.toArray());
        for (let j = 0; j < xs!.length; j++) {
          const v = xs![j]!;
          f += 0.5 * as![j]! * (v - cs![j]!) ** 2 - bs![j]! * Math.log(Math.cosh(v));
        }
      });
      return f;
    },
  };
  return Object.assign(problem, { [fc.toStringMethod]: () => `smoothProblem(w = ${show(params)}, a = ${show(a)}, c = ${show(c)}, b = ${show(bb)})` });
}

/** The parameter layout of a test problem: leaf shapes, placed in a nested tree. */
export const arbLeafShapes = (maxLeaves = 4, maxDim = 4, dimMultiple = 1): fc.Arbitrary<number[][]> =>
  fc.array(
    fc.array(fc.integer({ min: 1, max: maxDim }).map((d) => d * dimMultiple), { minLength: 0, maxLength: 3 }),
    { minLength: 1, maxLength: maxLeaves },
  );

/** Places leaves in a nested structure (objects, arrays and an empty `null` subtree). */
export function nestLeaves<T>(leaves: readonly T[]): Record<string, unknown> {
  const out: Record<string, unknown> = { empty: null };
  leaves.forEach((t, i) => {
    if (i % 3 === 0) out[`w${i}`] = t;
    else if (i % 3 === 1) ((out.list ??= []) as T[]).push(t);
    else ((out.nested ??= {}) as Record<string, T>)[`n${i}`] = t;
  });
  return out;
}

const arbValues = (n: number, min: number, max: number) =>
  fc.array(fc.double({ min, max, noNaN: true, noDefaultInfinity: true }), { minLength: n, maxLength: n });

export interface ProblemOptions {
  readonly maxLeaves?: number;
  readonly maxDim?: number;
  /** Curvature range of the quadratic part (default [0.5, 2]). */
  readonly curvature?: readonly [number, number];
  /** Range of b, the non-convex part (default [0, 0]: convex). */
  readonly nonConvexity?: readonly [number, number];
  /** Range of the initial weights and centres (default [−2, 2]). */
  readonly scale?: number;
  /** Every dimension is a multiple of this (e.g. 4 for a 2:4 N:M mask). Default 1. */
  readonly dimMultiple?: number;
}

/** Random smooth problems (convex quadratics by default) on random nested parameter trees. */
export function arbProblem(o: ProblemOptions = {}): fc.Arbitrary<SmoothProblem> {
  const [aMin, aMax] = o.curvature ?? [0.5, 2];
  const [bMin, bMax] = o.nonConvexity ?? [0, 0];
  const s = o.scale ?? 2;
  return arbLeafShapes(o.maxLeaves, o.maxDim, o.dimMultiple).chain((shapes) => {
    const sizes = shapes.map((sh) => sh.reduce((p, d) => p * d, 1));
    const total = sizes.reduce((p, n) => p + n, 0);
    return fc
      .tuple(arbValues(total, -s, s), arbValues(total, aMin, aMax), arbValues(total, -s, s), arbValues(total, bMin, bMax))
      .map(([w, a, c, b]) => {
        const build = (vals: number[]) => {
          let off = 0;
          return nestLeaves(shapes.map((sh, i) => tensor(Float32Array.from(vals.slice(off, (off += sizes[i]!))), sh))) as Params;
        };
        return smoothProblem(build(w), build(a), build(c), build(b));
      });
  });
}

/** Freezes every container and tensor object of a tree (typed arrays cannot be frozen; see snapshot). */
export function deepFreeze<T>(t: T): T {
  if (t !== null && typeof t === 'object' && !Object.isFrozen(t)) {
    Object.freeze(t);
    if (!isTensor(t)) for (const v of Object.values(t as object)) deepFreeze(v);
  }
  return t;
}

/** Copies of every tensor leaf's elements, to prove later that nothing was written. */
export function snapshot(t: unknown): Float64Array[] {
  return tree.leaves(t as never).filter(isTensor).map((x) => Float64Array.from((x as Tensor).toArray()));
}

/** Exact comparison of two trees of tensors: structure, shapes, dtypes and every element (NaN = NaN, 0 = −0). */
export function treesIdentical(a: unknown, b: unknown): boolean {
  if (!tree.structureEqual(a as never, b as never)) return false;
  const la = tree.leaves(a as never) as unknown[];
  const lb = tree.leaves(b as never) as unknown[];
  return la.every((x, i) => {
    const y = lb[i];
    if (!isTensor(x) || !isTensor(y)) return Object.is(x, y) || JSON.stringify(x) === JSON.stringify(y);
    if (x.dtype !== y.dtype || x.shape.join() !== y.shape.join()) return false;
    const dx = x.toArray();
    const dy = y.toArray();
    for (let j = 0; j < dx.length; j++) if (dx[j] !== dy[j] && !(Number.isNaN(dx[j]) && Number.isNaN(dy[j]))) return false;
    return true;
  });
}

/** Same structure, and every tensor leaf with the same shape and dtype. */
export function sameLayout(a: unknown, b: unknown): boolean {
  if (!tree.structureEqual(a as never, b as never)) return false;
  const lb = tree.leaves(b as never) as unknown[];
  return (tree.leaves(a as never) as unknown[]).every((x, i) => {
    const y = lb[i];
    if (isTensor(x) !== isTensor(y)) return false;
    return !isTensor(x) || (x.dtype === (y as Tensor).dtype && x.shape.join() === (y as Tensor).shape.join());
  });
}

