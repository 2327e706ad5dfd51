import fc from 'fast-check';
import { describe, it } from 'vitest';
import { sam } from '../sam/sam.js';
import { sgd } from '../sgd.js';
import type { GradientTransformation, OptState, Params, Updates } from '../types.js';
import { recordRun } from './lawRun.js';
import { arbProblem, treesIdentical, type ProblemOptions, type SmoothProblem } from './problems.js';
import { lawChecks, LawViolation, fmt } from './lawChecks.js';
import { leaves64, type AdaptiveLaw, type ReferenceAscent } from './reference.js';

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
  const { checkPasses, checkAscent, checkNorm, checkDescent, checkMaskValues, checkPattern, checkRefresh, masks } = lawChecks({ sparse, implicit, maxNormEps, ascentLaw, maskUsed, base });

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
