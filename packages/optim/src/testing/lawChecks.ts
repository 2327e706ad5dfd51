import { tree, type Tensor } from '@ssam/tensor';
import type { GradientTransformation, OptState, Params, Updates } from '../types.js';
import type { StepRecord } from './lawRun.js';
import { ascentBound, firstOutside, leaves64, norm64, referenceAscent, U32, type AdaptiveLaw, type Leaves64, type ReferenceAscent } from './reference.js';
import type { SparseLaws } from './samLaws.js';

// The checks behind the SAM laws (samLaws.ts), each on one recorded run: they throw a
// LawViolation that names the step, the entry, what the variant did and what the definition gives.

export class LawViolation extends Error {
  override readonly name = 'LawViolation';
}

export const fmt = (x: number) => (Number.isFinite(x) ? x.toPrecision(9) : String(x));

/** What the checks need to know about the variant under test. */
export interface CheckContext {
  readonly sparse: SparseLaws | undefined;
  readonly implicit: boolean;
  readonly maxNormEps: number;
  readonly ascentLaw: 'sam' | AdaptiveLaw | ReferenceAscent;
  readonly maskUsed: (before: OptState, after: OptState) => Updates;
  readonly base: () => GradientTransformation<any>;
}

export function lawChecks({ sparse, implicit, maxNormEps, ascentLaw, maskUsed, base }: CheckContext) {
  const pattern = sparse?.pattern;
  const ranksOf = (p: Params) => (tree.leaves(p) as Tensor[]).map((x) => x.rank);
  const where = (p: Params, leaf: number, index: number) => `${tree.paths(p)[leaf]!.join('.') || '(root)'}[${index}]`;

  /** The mask of a record as float64 leaves, or undefined for a dense variant. */
  const maskOf = (r: StepRecord): Leaves64 | undefined => (sparse ? leaves64(maskUsed(r.before, r.after)) : undefined);

  interface Expected {
    /** Must pass 2 run (true), must it not (false), or is ‖g‖ so small that float32 may see 0 (undefined)? */
    readonly ascends: boolean | undefined;
    readonly eps: Leaves64;
    readonly bound: Leaves64;
    readonly scaledNorm: number | undefined;
    readonly t: Leaves64;
  }

  const expected = (r: StepRecord, rho: number, every: number | undefined): Expected => {
    const g = leaves64(r.g), w = leaves64(r.w);
    const m = maskOf(r);
    const skipped = every !== undefined && r.step % every !== 0;
    const empty = m !== undefined && m.every((l) => l.every((v) => v === 0));
    const epsMask = implicit ? undefined : m;
    let eps: Leaves64, normaliser: number, scaledNorm: number | undefined, t: Leaves64;
    if (typeof ascentLaw === 'function') {
      const e = ascentLaw(g, w, rho);
      eps = e.map((l, i) => l.map((v, j) => (epsMask ? epsMask[i]![j]! * v : v)));
      normaliser = norm64(g);
      scaledNorm = undefined;
      t = g.map((l) => l.map(() => 1));
    } else {
      const ref = referenceAscent(g, w, ranksOf(r.w), rho, epsMask, ascentLaw === 'sam' ? undefined : ascentLaw);
      ({ eps, normaliser, scaledNorm, t } = ref);
    }
    // The implicit form's pass 1 is g̃ (through W ⊙ M): with g̃ = 0 it may fetch the dense
    // gradient at w itself, a call with ε = 0 that the descent then uses.
    if (implicit && normaliser === 0 && !(skipped || rho === 0 || empty))
      return { ascends: undefined, eps: g.map((l) => l.map(() => 0)), bound: g.map((l) => l.map(() => 0)), scaledNorm: 0, t };
    if (skipped || rho === 0 || empty || normaliser === 0) return { ascends: false, eps: g.map((l) => l.map(() => 0)), bound: g.map((l) => l.map(() => 0)), scaledNorm: 0, t };
    const nonZero = eps.some((l) => l.some((v) => v !== 0));
    // Below ~1e-19 the float32 squares of g underflow: no ascent is then as right as one.
    const ascends = normaliser < 1e-18 ? undefined : nonZero;
    return { ascends, eps, bound: ascentBound(w, eps, normaliser, maxNormEps), scaledNorm, t };
  };

  const describeRun = (rho: number, s: number, every: number | undefined, r: StepRecord) =>
    `step ${r.step} (ρ = ${fmt(rho)}${sparse ? `, s = ${fmt(s)}` : ''}${every !== undefined ? `, every ${every}` : ''}, ‖g‖ = ${fmt(norm64(r.g))})`;

  // --- the checks, one per law, on one recorded run -------------------------------------------------

  const checkPasses = (rec: StepRecord[], rho: number, s: number, every: number | undefined) => {
    for (const r of rec) {
      const e = expected(r, rho, every);
      if (e.ascends === true && r.calls.length !== 1)
        throw new LawViolation(`${describeRun(rho, s, every, r)}: an ascent step must call gradFn (pass 2) exactly once; it called it ${r.calls.length} times`);
      if (e.ascends === false && r.calls.length !== 0)
        throw new LawViolation(`${describeRun(rho, s, every, r)}: ε = 0 here, so pass 2 must not run; gradFn was called ${r.calls.length} times`);
    }
  };

  const checkAscent = (rec: StepRecord[], rho: number, s: number, every: number | undefined) => {
    for (const r of rec) {
      const e = expected(r, rho, every);
      if (e.ascends !== true || r.calls.length === 0) continue;
      const at = leaves64(r.calls[0]!.at), w = leaves64(r.w);
      const got = at.map((l, i) => l.map((v, j) => v - w[i]![j]!));
      const bad = firstOutside(got, e.eps, e.bound);
      if (bad) {
        const { leaf, index } = bad;
        const m = maskOf(r);
        throw new LawViolation(
          `${describeRun(rho, s, every, r)}: gradFn was called at w + ε with ε ${where(r.w, leaf, index)} = ${fmt(got[leaf]![index]!)}, ` +
            `but the definition gives ${fmt(e.eps[leaf]![index]!)} (g = ${fmt(leaves64(r.g)[leaf]![index]!)}${m ? `, mask ${m[leaf]![index]}` : ''}; allowed |diff| ≤ ${fmt(e.bound[leaf]![index]!)})`,
        );
      }
    }
  };

  const checkNorm = (rec: StepRecord[], rho: number, s: number, every: number | undefined) => {
    for (const r of rec) {
      const e = expected(r, rho, every);
      if (e.ascends !== true || r.calls.length === 0) continue;
      const at = leaves64(r.calls[0]!.at), w = leaves64(r.w);
      // Entries with T = 0 (ASAM at w = 0) have ε = 0 (the ascent law checks it) and no T⁻¹ε.
      const inv = (i: number, j: number) => (e.t[i]![j]! > 0 ? 1 / e.t[i]![j]! : 0);
      const n = norm64(at.map((l, i) => l.map((v, j) => (v - w[i]![j]!) * inv(i, j))));
      const slack = norm64(e.bound.map((l, i) => l.map((v, j) => v * inv(i, j))));
      if (n > rho + slack)
        throw new LawViolation(`${describeRun(rho, s, every, r)}: ‖ε‖ = ${fmt(n)} exceeds ρ = ${fmt(rho)} (slack ${fmt(slack)})`);
      if (e.scaledNorm !== undefined && !(Math.abs(n - e.scaledNorm) <= slack))
        throw new LawViolation(
          `${describeRun(rho, s, every, r)}: ‖${ascentLaw === 'sam' ? '' : 'T⁻¹'}ε‖ = ${fmt(n)}, but ρ·‖m ⊙ ${ascentLaw === 'sam' ? 'g' : 'Tg'}‖/‖${ascentLaw === 'sam' ? 'g' : 'Tg'}‖ = ${fmt(e.scaledNorm)} (allowed |diff| ≤ ${fmt(slack)})`,
        );
    }
  };

  /** The update must be the base's update, at w, of the g′ gradFn returned (of g without pass 2). */
  const checkDescent = (rec: StepRecord[], rho: number, s: number, every: number | undefined, exact = false) => {
    if (rec.length === 0) return;
    const shadow = base();
    let state = shadow.init(rec[0]!.w);
    for (const r of rec) {
      const used = r.calls.length > 0 ? r.calls[r.calls.length - 1]!.returned : r.g;
      const [want, next] = shadow.update(used, state, r.w);
      state = next;
      const a = leaves64(r.update), b = leaves64(want);
      // Both sides run the same float32 base on the same inputs; 4u·|u*| allows a variant that
      // forms g′ by an equivalent route (a copy, a float64 round trip) to differ in the last bit.
      const bound = b.map((l) => l.map((v) => (exact ? 0 : 4 * U32 * Math.abs(v) + 2 ** -140)));
      const bad = a.length !== b.length || a.some((l, i) => l.length !== b[i]!.length) ? { leaf: 0, index: 0 } : firstOutside(a, b, bound);
      if (bad)
        throw new LawViolation(
          `${describeRun(rho, s, every, r)}: the update ${where(r.w, bad.leaf, bad.index)} is ${fmt(a[bad.leaf]?.[bad.index] ?? NaN)}, but the base optimizer's update of ` +
            `${r.calls.length > 0 ? "the g′ that gradFn returned" : 'g (no pass 2)'}, taken at w, is ${fmt(b[bad.leaf]![bad.index]!)}` +
            `${exact ? ' (bit equality asked)' : ` (allowed |diff| ≤ ${fmt(bound[bad.leaf]![bad.index]!)})`}`,
        );
    }
  };

  const masks = (rec: StepRecord[]) => rec.map((r) => ({ step: r.step, m: leaves64(maskUsed(r.before, r.after)), w: r.w }));

  const checkMaskValues = (rec: StepRecord[], s: number) => {
    for (const { step, m, w } of masks(rec)) {
      for (let i = 0; i < m.length; i++)
        for (let j = 0; j < m[i]!.length; j++)
          if (m[i]![j] !== 0 && m[i]![j] !== 1) throw new LawViolation(`step ${step}: the mask must hold only 0 and 1; ${where(w, i, j)} holds ${m[i]![j]}`);
      if (pattern) continue;
      const sizes = m.map((l) => l.length);
      const total = sizes.reduce((a, b) => a + b, 0);
      const ones = m.reduce((n, l) => n + l.reduce((a, b) => a + b, 0), 0);
      const decl = sparse?.ones?.(total, s, sizes) ?? [Math.floor(total * (1 - s)), Math.ceil(total * (1 - s))];
      const [lo, hi] = typeof decl === 'number' ? [decl, decl] : decl;
      if (!(ones >= lo! && ones <= hi!))
        throw new LawViolation(`step ${step}: a mask of sparsity s = ${fmt(s)} over N = ${total} entries must keep ${lo === hi ? lo : `${lo} to ${hi}`} ones; it keeps ${ones}`);
    }
  };

  const checkPattern = (rec: StepRecord[]) => {
    if (!pattern) return;
    const { n, m: gm } = pattern;
    for (const r of rec) {
      const ms = tree.leaves(maskUsed(r.before, r.after)) as Tensor[];
      ms.forEach((mt, i) => {
        const v = mt.toArray();
        if (mt.rank <= 1) {
          if (Array.from(v).some((x) => x !== 1)) throw new LawViolation(`step ${r.step}: rank-${mt.rank} leaf ${where(r.w, i, 0)} must be fully perturbed under ${n}:${gm}`);
          return;
        }
        const ax = (pattern.axis ?? 'in') === 'in' ? 1 : 0;
        const shape = mt.shape, stride = shape.slice(ax + 1).reduce((a, b) => a * b, 1);
        const len = shape[ax]!;
        for (let flat = 0; flat < v.length; flat++) {
          const k = Math.floor(flat / stride) % len;
          if (k % gm !== 0) continue; // flat is the first entry of its group
          let ones = 0;
          for (let q = 0; q < gm; q++) ones += v[flat + q * stride]!;
          if (ones !== n) throw new LawViolation(`step ${r.step}: the group of ${gm} along axis ${ax} starting at ${where(r.w, i, flat)} keeps ${ones} entries, not ${n}`);
        }
      });
    }
  };

  const checkRefresh = (rec: StepRecord[]) => {
    if (!sparse?.refresh) return;
    const ms = masks(rec);
    for (let t = 1; t < ms.length; t++) {
      if (sparse.refresh(ms[t]!.step)) continue;
      const a = ms[t - 1]!.m, b = ms[t]!.m;
      if (a.some((l, i) => l.some((v, j) => v !== b[i]![j])))
        throw new LawViolation(`step ${ms[t]!.step}: the mask changed, but the declared refresh schedule has no refresh at this step`);
    }
  };

  return { checkPasses, checkAscent, checkNorm, checkDescent, checkMaskValues, checkPattern, checkRefresh, masks, describeRun };
}
