import { tree, type Tensor } from '@ssam/tensor';
import type { Updates } from '../types.js';

// The float64 reference the SAM laws compare against. Every value is read out of the float32
// tensors into plain JS numbers (exact), and the definitions of the papers are evaluated in
// double precision, so the reference's own rounding (≈ 2⁻⁵³) is negligible next to float32's.

/** The unit roundoff of float32 (2⁻²⁴). */
export const U32 = 2 ** -24;

/** A tree's leaves as float64 arrays, in `tree.flatten` order. */
export type Leaves64 = number[][];

export const leaves64 = (t: Updates): Leaves64 => (tree.leaves(t) as Tensor[]).map((x) => Array.from(x.toArray()));

export const size64 = (x: Leaves64): number => x.reduce((n, l) => n + l.length, 0);

/**
 * ‖x‖₂ over every entry of every leaf, accumulated in float64: the norm the laws use. A variant
 * need not match it bit for bit (it may take a float32 norm such as `tree.norm(g).item()`); the
 * laws allow the float32 error bound.
 */
export function norm64(x: Updates | Leaves64): number {
  const ls = Array.isArray(x) && (x.length === 0 || Array.isArray(x[0])) ? (x as Leaves64) : leaves64(x as Updates);
  let s = 0;
  for (const l of ls) for (const v of l) s += v * v;
  return Math.sqrt(s);
}

/** ASAM's scaling T: |w| + η on the selected leaves, 1 elsewhere (Kwon et al. 2021). */
export interface AdaptiveLaw {
  readonly eta: number;
  /** 'all': every leaf (T = |w| + η); 'weights' (default): leaves of rank ≥ 2 only. */
  readonly only?: 'all' | 'weights';
}

/** A reference ascent in float64: ε before the mask, from g, w and ρ (leaves in flatten order). */
export type ReferenceAscent = (g: Leaves64, w: Leaves64, rho: number) => Leaves64;

/**
 * T per entry (1 where T does not apply). `ranks` are the leaf ranks (for `only: 'weights'`).
 */
export function scaling(w: Leaves64, ranks: readonly number[], a: AdaptiveLaw | undefined): Leaves64 {
  return w.map((l, i) => {
    const on = a !== undefined && (a.only === 'all' || ranks[i]! >= 2);
    return l.map((v) => (on ? Math.abs(v) + a!.eta : 1));
  });
}

export interface ReferenceStep {
  /** ε = m ⊙ ρ·T²g/‖Tg‖ (T = 1 for SAM); all zeros when ‖Tg‖ = 0, ρ = 0 or m = 0. */
  readonly eps: Leaves64;
  /** ‖Tg‖, the normaliser (over the FULL, unmasked gradient). */
  readonly normaliser: number;
  /** ρ·‖m ⊙ Tg‖/‖Tg‖: the size of T⁻¹ε the definition gives (‖ε‖ itself for SAM and SSAM). */
  readonly scaledNorm: number;
  readonly t: Leaves64;
}

/**
 * The SAM-family ascent of the definitions (Foret et al.; Kwon et al.; Mi et al.):
 * ε = m ⊙ ρ·T²g/‖Tg‖, the norm over ALL entries of ALL leaves, the mask applied after it.
 */
export function referenceAscent(g: Leaves64, w: Leaves64, ranks: readonly number[], rho: number, mask: Leaves64 | undefined, adaptive?: AdaptiveLaw): ReferenceStep {
  const t = scaling(w, ranks, adaptive);
  const tg = g.map((l, i) => l.map((v, j) => t[i]![j]! * v));
  const normaliser = norm64(tg);
  const m = (i: number, j: number) => (mask ? mask[i]![j]! : 1);
  const c = normaliser > 0 ? rho / normaliser : 0;
  const eps = g.map((l, i) => l.map((v, j) => m(i, j) * c * t[i]![j]! * t[i]![j]! * v));
  const scaledNorm = normaliser > 0 ? rho * norm64(tg.map((l, i) => l.map((v, j) => m(i, j) * v))) / normaliser : 0;
  return { eps, normaliser, scaledNorm, t };
}

/**
 * The per-entry tolerance for an observed ε = (point handed to gradFn) − w, against the float64
 * reference ε*. It is twice the first-order float32 bound of computing ε and w + ε in float32:
 *   - w + ε is rounded once:                                   u·(|w| + |ε*|);
 *   - ‖Tg‖ sums N squares (each positive, so the sum's relative error is ≤ N·u, halved by √),
 *     then T, T², the division, ρ and the mask add a few roundings:  |ε*|·(N + 10)·u;
 *   - δ in ρ·g/(‖Tg‖ + δ) shifts ε by at most |ε*|·δ/‖Tg‖ (δ up to `maxNormEps`);
 *   - 2⁻¹⁴⁰ covers results in the float32 subnormals.
 * This is the model of `expectWithinSumBound` in @ssam/tensor/testing (the error of a float32 sum
 * grows with its number of terms), specialised to one normalisation.
 */
export function ascentBound(w: Leaves64, eps: Leaves64, normaliser: number, maxNormEps: number): Leaves64 {
  const n = size64(w);
  const rel = (n + 10) * U32 + (normaliser > 0 ? maxNormEps / normaliser : 0);
  return w.map((l, i) => l.map((v, j) => 2 * (U32 * (Math.abs(v) + Math.abs(eps[i]![j]!)) + Math.abs(eps[i]![j]!) * rel) + 2 ** -140));
}

/** The first entry where |got − want| > bound, or undefined. */
export function firstOutside(got: Leaves64, want: Leaves64, bound: Leaves64): { leaf: number; index: number } | undefined {
  for (let i = 0; i < want.length; i++)
    for (let j = 0; j < want[i]!.length; j++) {
      const a = got[i]![j]!, b = want[i]![j]!;
      if (!(Math.abs(a - b) <= bound[i]![j]!)) return { leaf: i, index: j };
    }
  return undefined;
}
