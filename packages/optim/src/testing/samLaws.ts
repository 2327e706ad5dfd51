import { tree, type Tensor } from '@ssam/tensor';
import fc from 'fast-check';
import { describe, it } from 'vitest';
import { sam } from '../sam/sam.js';
import { sgd } from '../sgd.js';
import type { GradientTransformation, OptState, Params, Updates } from '../types.js';
import { recordRun, type StepRecord } from './lawRun.js';
import { arbProblem, treesIdentical, type ProblemOptions, type SmoothProblem } from './problems.js';
import { ascentBound, firstOutside, leaves64, norm64, referenceAscent, U32, type AdaptiveLaw, type Leaves64, type ReferenceAscent } from './reference.js';

/** What a SAM variant under test is built from. */
export interface SamLawConfig {
  readonly rho: number;
  readonly base: GradientTransformation<any>;
  /** Only for sparse variants (0 for dense ones). */
  readonly sparsity: number;
  /** Set (1, 2 or 3) only with `{ every: true }`: take the ascent every k steps. */
  readonly every?: number;
}

/** What the mask laws of a sparse variant hold it to. */
export interface SparseLaws {
  /**
   * The number of ones a mask of sparsity s over N entries holds: a number or an inclusive
   * range. Default: ⌊N(1 − s)⌋ or ⌈N(1 − s)⌉ (global top-k). SSAM-D keeps N − ⌈N·s⌉.
   */
  readonly ones?: (total: number, sparsity: number, leafSizes: readonly number[]) => number | readonly [number, number];
  /** Every mask keeps n of every m consecutive entries along `axis` of rank ≥ 2 leaves (rank ≤ 1: all ones). The sparsity is then 1 − n/m. */
  readonly pattern?: { readonly n: number; readonly m: number; readonly axis?: 'in' | 'out' };
  /** The steps at which the mask may change (default: any step). */
  readonly refresh?: (step: number) => boolean;
}

export interface SamLawOptions {
  /**
   * The ascent the variant claims, as a float64 reference: 'sam' (default, ε = ρ·g/‖g‖), an ASAM
   * scaling `{ eta, only }` (ε = ρ·T²g/‖Tg‖), or a function (g, w, ρ) → ε of your own, leaves
   * in `tree.flatten` order. Sparse variants apply their mask to it (after the norm).
   */
  readonly ascent?: 'sam' | AdaptiveLaw | ReferenceAscent;
  /** Does the variant honour `sparsity` (SSAM)? `true` or the mask laws it declares. */
  readonly sparse?: boolean | SparseLaws;
  /** The mask used by the step that produced `after` (default `after.sparse.mask`). */
  readonly maskUsed?: (before: OptState, after: OptState) => Updates;
  /** 'implicit': the mask acts on pass 1, ε itself is dense (zero only when the mask is empty). */
  readonly form?: 'explicit' | 'implicit';
  /** Does the variant take `every` (ascent every k steps)? Enables the skipped-step laws. */
  readonly every?: boolean;
  /** The largest δ in ρ·g/(‖g‖ + δ) to allow for (default 1e-7, the SSAM code's). */
  readonly maxNormEps?: number;
  /** Also demand bit equality: ρ = 0 with the base, s = 0 with `sam` (default false). */
  readonly exact?: boolean;
  /** fast-check runs per law (default 12). */
  readonly numRuns?: number;
  /** Steps per run (default 4). */
  readonly steps?: number;
  /** Random problems (default: smooth non-convex, nonConvexity [0, 3]). */
  readonly problems?: ProblemOptions;
  /** fast-check seed (default 1717): a failure prints it with the shrunk counterexample. */
  readonly seed?: number;
  /** The base optimizer handed to the variant (default sgd, lr 0.05, momentum 0.9, weight decay 0.01). */
  readonly base?: () => GradientTransformation<any>;
}

type MakeSam = (cfg: SamLawConfig, params: Params) => GradientTransformation<any>;

/** One law: its name and a check that throws a readable counterexample when it fails. */
export interface SamLaw {
  /** A stable key: 'ascent', 'norm', 'descent', 'pass-once', 'pass-never', 'rho-zero', 's-zero', 's-one', 'mask-values', 'nm-pattern', 'refresh'. */
  readonly id: string;
  readonly name: string;
  check(): void;
}

const defaultBase = () => sgd({ lr: 0.05, momentum: 0.9, weightDecay: 0.01 });

class LawViolation extends Error {
  override readonly name = 'LawViolation';
}

const fmt = (x: number) => (Number.isFinite(x) ? x.toPrecision(9) : String(x));

/**
 * The laws of the SAM family (Foret et al.; Kwon et al.; Mi et al.), written from the definitions
 * and checked against a float64 reference step within the float32 error bound (see
 * `ascentBound`), as fast-check properties. Returns them unregistered; `runSamLaws` registers
 * them as vitest tests.
 */
export function samLaws(make: MakeSam, opts: SamLawOptions = {}, run: { readonly shrink?: boolean } = {}): SamLaw[] {
  const steps = opts.steps ?? 4;
  const problems = arbProblem(opts.problems ?? { nonConvexity: [0, 3] });
  const seed = opts.seed ?? 1717;
  const cfg = { numRuns: opts.numRuns ?? 12, seed, ...(run.shrink === false ? { endOnFailure: true } : {}) };
  const base = opts.base ?? defaultBase;
  const sparse = opts.sparse === undefined || opts.sparse === false ? undefined : opts.sparse === true ? {} : opts.sparse;
  const pattern = sparse?.pattern;
  const implicit = opts.form === 'implicit';
  const maxNormEps = opts.maxNormEps ?? 1e-7;
  const ascentLaw = opts.ascent ?? 'sam';
  const maskUsed = opts.maskUsed ?? ((_b: OptState, a: OptState) => (a as { sparse: { mask: Updates } }).sparse.mask);
  // NOTE: fc.double crowds its draws at the ends of the range (subnormals near 0, 1 − 2⁻⁵³), so a
  // sparsity drawn that way is almost always ≈ 0 or ≈ 1, where the mask laws see nothing. Draw
  // on a grid over the whole range instead, with the boundaries as their own cases.
  const grid = (lo: number, hi: number, n: number) => fc.integer({ min: 0, max: n }).map((k) => lo + ((hi - lo) * k) / n);
  const rhos = grid(0.01, 1, 99);
  const sparsities = pattern ? fc.constant(1 - pattern.n / pattern.m) : sparse ? fc.oneof(fc.constantFrom(0, 0.5, 1), grid(0, 1, 1000)) : fc.constant(0);
  const twists = grid(0.1, 1, 90);
  const everys = opts.every ? fc.integer({ min: 1, max: 3 }) : fc.constant(undefined);

  const config = (rho: number, sparsity: number, every: number | undefined): SamLawConfig => ({
    rho, base: base(), sparsity: sparse ? sparsity : 0, ...(every !== undefined ? { every } : {}),
  });
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

  // --- the laws -----------------------------------------------------------------------------------

  const record = (p: SmoothProblem, c: SamLawConfig, twist: number, zeroGradAt?: number[]) =>
    recordRun(make(c, p.params), p, steps, { twist, ...(zeroGradAt ? { zeroGradAt } : {}) });
  const prop = (arbs: [fc.Arbitrary<number>, fc.Arbitrary<number>, fc.Arbitrary<number | undefined>], body: (p: SmoothProblem, rho: number, s: number, every: number | undefined, twist: number) => void) =>
    () => fc.assert(fc.property(problems, ...arbs, twists, body), cfg);
  const laws: SamLaw[] = [];
  const law = (id: string, name: string, check: () => void) => laws.push({ id, name, check });
  const dir = ascentLaw === 'sam' ? 'ρ·g/‖g‖' : typeof ascentLaw === 'function' ? 'the declared reference ascent' : 'ρ·T²g/‖Tg‖';

  law(
    'ascent',
    `ascent: gradFn is called at w + ε, ε = ${sparse && !implicit ? 'm ⊙ ' : ''}${dir} (norm over the full gradient; float64 reference, float32 bound)`,
    prop([rhos, sparsities, everys], (p, rho, s, every, twist) => checkAscent(record(p, config(rho, s, every), twist), rho, s, every)),
  );
  law(
    'norm',
    typeof ascentLaw === 'function' ? '‖ε‖ ≤ ρ' : `‖${ascentLaw === 'sam' ? '' : 'T⁻¹'}ε‖ = ρ·‖m ⊙ ${ascentLaw === 'sam' ? 'g' : 'Tg'}‖/‖${ascentLaw === 'sam' ? 'g' : 'Tg'}‖ ≤ ρ`,
    prop([rhos, sparsities, everys], (p, rho, s, every, twist) => checkNorm(record(p, config(rho, s, every), twist), rho, s, every)),
  );
  law(
    'descent',
    "descent: the update is the base optimizer's update, at w (not w + ε), of the g′ that gradFn returned",
    prop([rhos, sparsities, everys], (p, rho, s, every, twist) => checkDescent(record(p, config(rho, s, every), twist), rho, s, every)),
  );
  law(
    'pass-once',
    'pass 2 runs exactly once on an ascent step',
    prop([rhos, sparsities, everys], (p, rho, s, every, twist) => checkPasses(record(p, config(rho, s, every), twist), rho, s, every)),
  );
  law(
    'pass-never',
    `pass 2 never runs when ε = 0 (ρ = 0, ‖g‖ = 0${sparse ? ', an empty mask' : ''}${opts.every ? ', a skipped step of every: k' : ''})`,
    prop([rhos, sparsities, everys], (p, rho, s, every, twist) => {
      checkPasses(record(p, config(0, s, every), twist), 0, s, every);
      const z = record(p, config(rho, s, every), twist, [0]);
      // (The implicit form may fetch the dense gradient at w when g̃ = 0, as in `expected`.)
      const atW = z[0]!.calls.every((c) => leaves64(c.at).every((l, i) => l.every((v, j) => v === leaves64(z[0]!.w)[i]![j])));
      if (z[0]!.calls.length !== 0 && !(implicit && z[0]!.calls.length === 1 && atW)) throw new LawViolation(`step 0 with an all-zero gradient (ρ = ${fmt(rho)}): ε = 0, so pass 2 must not run; gradFn was called ${z[0]!.calls.length} times`);
      checkDescent(z.slice(0, 1), rho, s, every);
      if (sparse && !pattern) checkPasses(record(p, config(rho, 1, every), twist), rho, 1, every);
      if (opts.every) checkPasses(record(p, config(rho, s, 3), twist), rho, s, 3);
    }),
  );
  law(
    'rho-zero',
    `ρ = 0 is ${opts.exact ? 'exactly ' : ''}the base optimizer`,
    prop([fc.constant(0), sparsities, everys], (p, _r, s, every, twist) => {
      const rec = record(p, config(0, s, every), twist);
      checkPasses(rec, 0, s, every);
      checkDescent(rec, 0, s, every, opts.exact);
    }),
  );
  if (sparse && !pattern) {
    law(
    's-zero',
      `s = 0 is ${opts.exact ? 'exactly ' : ''}SAM (an all-ones mask, and SAM's ascent and descent)`,
      prop([rhos, fc.constant(0), fc.constant(undefined)], (p, rho, _s, _e, twist) => {
        const rec = record(p, config(rho, 0, undefined), twist);
        for (const { step, m } of masks(rec))
          if (m.some((l) => l.some((v) => v !== 1))) throw new LawViolation(`step ${step}: at s = 0 every entry must be perturbed; the mask has zeros`);
        checkPasses(rec, rho, 0, undefined);
        checkAscent(rec, rho, 0, undefined);
        checkDescent(rec, rho, 0, undefined);
        if (opts.exact) {
          const want = recordRun(sam({ rho, base: base() }), p, steps, { twist });
          if (!treesIdentical(rec.map((r) => r.update), want.map((r) => r.update))) throw new LawViolation(`ρ = ${fmt(rho)}: at s = 0 the updates are not bit-identical to sam({ rho, base })'s`);
        }
      }),
    );
    law(
    's-one',
      "s = 1 is the base optimizer with g′ = g (an empty mask, no pass 2)",
      prop([rhos, fc.constant(1), fc.constant(undefined)], (p, rho, _s, _e, twist) => {
        const rec = record(p, config(rho, 1, undefined), twist);
        for (const { step, m } of masks(rec))
          if (m.some((l) => l.some((v) => v !== 0))) throw new LawViolation(`step ${step}: at s = 1 no entry may be perturbed; the mask has ones`);
        checkPasses(rec, rho, 1, undefined);
        checkDescent(rec, rho, 1, undefined, opts.exact);
      }),
    );
  }
  if (sparse) {
    law(
    'mask-values',
      pattern ? 'masks are 0/1' : 'masks are 0/1 and keep the declared number of ones',
      prop([rhos, sparsities, fc.constant(undefined)], (p, rho, s, _e, twist) => checkMaskValues(record(p, config(rho, s, undefined), twist), s)),
    );
    if (pattern)
      law(
    'nm-pattern',
        `masks keep ${pattern.n} of every ${pattern.m} entries along '${pattern.axis ?? 'in'}'`,
        prop([rhos, sparsities, fc.constant(undefined)], (p, rho, s, _e, twist) => checkPattern(record(p, config(rho, s, undefined), twist))),
      );
    if (sparse.refresh)
      law(
    'refresh',
        'the mask changes only on the declared refresh steps',
        prop([rhos, sparsities, fc.constant(undefined)], (p, rho, s, _e, twist) => checkRefresh(record(p, config(rho, s, undefined), twist))),
      );
  }
  return laws;
}

/**
 * Runs the laws and returns the ones that fail, with their counterexamples: a mutant suite's
 * check. `firstOnly` stops at the first failing law, and the counterexample is not shrunk.
 */
export function failingSamLaws(make: MakeSam, opts: SamLawOptions = {}, { firstOnly = false }: { readonly firstOnly?: boolean } = {}): { law: string; error: string }[] {
  const out: { law: string; error: string }[] = [];
  for (const l of samLaws(make, opts, { shrink: !firstOnly })) {
    try {
      l.check();
    } catch (e) {
      out.push({ law: l.name, error: e instanceof Error ? e.message : String(e) });
      if (firstOnly) break;
    }
  }
  return out;
}

/**
 * The laws of the SAM family as vitest tests (one per law), on random smooth non-convex
 * problems, against a float64 reference step within the float32 error bound:
 *   - ascent: gradFn is called at w + ε with ε = m ⊙ ρ·T²g/‖Tg‖ (T = 1: SAM; m = 1: dense);
 *   - ‖T⁻¹ε‖ = ρ·‖m ⊙ Tg‖/‖Tg‖ ≤ ρ;
 *   - descent: the update is the base's update, at w, of the g′ gradFn returned;
 *   - pass 2 runs exactly once on an ascent step and never when ε = 0;
 *   - ρ = 0 is the base; sparse: s = 0 is SAM, s = 1 is the base with g′ = g, the masks are 0/1
 *     with the declared density, N:M pattern and refresh schedule.
 * The seed is fixed (1717 unless `seed` is given); a failure prints it, the shrunk problem and
 * the first entry that breaks the law.
 * @example
 * runSamLaws('my SSAM', (c) => mySsam({ ...c, stepsPerEpoch: 1 }), { sparse: true });
 */
export function runSamLaws(name: string, make: MakeSam, opts: SamLawOptions = {}): void {
  describe(`${name}: SAM laws`, () => {
    for (const l of samLaws(make, opts)) it(l.name, () => l.check());
  });
}
