import { sub, tree, type Tensor } from '@ssam/tensor';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { applyUpdates } from '../combine.js';
import { sam } from '../sam/sam.js';
import { sgd } from '../sgd.js';
import type { GradientTransformation, OptState, Params, Updates } from '../types.js';
import { arbProblem, treesIdentical, type ProblemOptions, type SmoothProblem } from './problems.js';
import { protocolUpdate } from './step.js';

/** What a SAM variant under test is built from. */
export interface SamLawConfig {
  readonly rho: number;
  readonly base: GradientTransformation<any>;
  /** Only for sparse variants. */
  readonly sparsity: number;
}

export interface SamLawOptions {
  /** Does the variant honour `sparsity` (SSAM)? Enables the s = 0, s = 1 and mask laws. */
  readonly sparse?: boolean;
  /** The mask used by the step that produced `after` (default `after.sparse.mask`). */
  readonly maskUsed?: (before: OptState, after: OptState) => Updates;
  readonly numRuns?: number;
  /**
   * Does a dense perturbation have norm exactly ρ (SAM's ρ·g/‖g‖)? Default true. Set false for
   * variants whose ε only satisfies ‖ε‖ ≤ ρ (e.g. an ℓ∞ ascent ρ·sign(g)/√N).
   */
  readonly normalised?: boolean;
  /** Steps compared per law (default 3). */
  readonly steps?: number;
  readonly problems?: ProblemOptions;
  readonly seed?: number;
}

type MakeSam = (cfg: SamLawConfig, params: Params) => GradientTransformation<any>;

interface Run {
  readonly updates: Updates[];
  readonly states: OptState[];
  /** The perturbation ε = (argument of gradFn) − w, one entry per gradFn call (null on steps without one). */
  readonly eps: (Updates | null)[];
}

function run(opt: GradientTransformation<any>, p: SmoothProblem, steps: number): Run {
  let w = p.params;
  let state = opt.init(w);
  const updates: Updates[] = [];
  const states: OptState[] = [state];
  const eps: (Updates | null)[] = [];
  for (let t = 0; t < steps; t++) {
    let e: Updates | null = null;
    const current = w;
    const gradFn = (q: Params) => {
      e = tree.zipMap((a: Tensor, b: Tensor) => sub(a, b), q, current);
      return p.grad(q);
    };
    const [u, s] = protocolUpdate(opt, p.grad(w), state, w, { gradFn, fisher: (q: Params) => p.fisher(q) });
    updates.push(u);
    states.push(s);
    eps.push(e);
    w = applyUpdates(w, u);
    state = s;
  }
  return { updates, states, eps };
}

const base = () => sgd({ lr: 0.05, momentum: 0.9, weightDecay: 1e-3 });

/**
 * The laws of the SAM family (Foret et al.; Mi et al.), as fast-check properties on random smooth
 * non-convex problems. `make({ rho, base, sparsity }, params)` builds the variant under test.
 *   - ρ = 0 is exactly the base optimizer;
 *   - ‖ε‖ ≤ ρ, with equality (up to rounding and δ) for a dense perturbation (unless `normalised: false`);
 *   - sparse variants: s = 0 is exactly SAM; s = 1 is exactly the base optimizer with g' = g;
 *     masked-out entries are never perturbed.
 * @example
 * runSamLaws('my SSAM', (c) => mySsam({ ...c, stepsPerEpoch: 1 }), { sparse: true });
 */
export function runSamLaws(name: string, make: MakeSam, opts: SamLawOptions = {}): void {
  const steps = opts.steps ?? 3;
  const problems = arbProblem(opts.problems ?? { nonConvexity: [0, 3] });
  const cfg = { numRuns: opts.numRuns ?? 8, ...(opts.seed !== undefined ? { seed: opts.seed } : {}) };
  const rhos = fc.double({ min: 0.01, max: 1, noNaN: true });
  const sparsities = fc.double({ min: 0, max: 1, noNaN: true });
  const maskUsed = opts.maskUsed ?? ((_b: OptState, a: OptState) => (a as { sparse: { mask: Updates } }).sparse.mask);

  describe(`${name}: SAM laws`, () => {
    it('ρ = 0 is exactly the base optimizer', () => {
      fc.assert(
        fc.property(problems, sparsities, (p, s) => {
          const got = run(make({ rho: 0, base: base(), sparsity: opts.sparse ? s : 0 }, p.params), p, steps);
          const want = run(base(), p, steps);
          expect(treesIdentical(got.updates, want.updates)).toBe(true);
        }),
        cfg,
      );
    });

    it(opts.normalised === false ? '‖ε‖ ≤ ρ' : '‖ε‖ ≤ ρ, with equality when every entry is perturbed', () => {
      fc.assert(
        fc.property(problems, rhos, sparsities, (p, rho, s) => {
          const sparsity = opts.sparse ? s : 0;
          const r = run(make({ rho, base: base(), sparsity }, p.params), p, steps);
          for (const e of r.eps) {
            if (e === null) continue;
            const n = tree.norm(e).item();
            expect(n).toBeLessThanOrEqual(rho * (1 + 1e-5) + 1e-6);
          }
          if (opts.normalised !== false && sparsity === 0 && tree.norm(p.grad(p.params)).item() > 1e-3) {
            const e0 = r.eps[0];
            expect(e0).not.toBeNull();
            expect(Math.abs(tree.norm(e0!).item() - rho)).toBeLessThanOrEqual(rho * 1e-4 + 1e-6);
          }
        }),
        cfg,
      );
    });

    if (!opts.sparse) return;

    it('s = 0 is exactly SAM', () => {
      fc.assert(
        fc.property(problems, rhos, (p, rho) => {
          const got = run(make({ rho, base: base(), sparsity: 0 }, p.params), p, steps);
          const want = run(sam({ rho, base: base() }), p, steps);
          expect(treesIdentical(got.updates, want.updates)).toBe(true);
        }),
        cfg,
      );
    });

    it("s = 1 is exactly the base optimizer with g' = g", () => {
      fc.assert(
        fc.property(problems, rhos, (p, rho) => {
          const got = run(make({ rho, base: base(), sparsity: 1 }, p.params), p, steps);
          const want = run(base(), p, steps);
          expect(treesIdentical(got.updates, want.updates)).toBe(true);
          for (const e of got.eps) if (e !== null) expect(tree.norm(e).item()).toBe(0);
        }),
        cfg,
      );
    });

    it('never perturbs a masked-out entry', () => {
      fc.assert(
        fc.property(problems, rhos, sparsities, (p, rho, s) => {
          const r = run(make({ rho, base: base(), sparsity: s }, p.params), p, steps);
          r.eps.forEach((e, t) => {
            if (e === null) return;
            const mask = maskUsed(r.states[t]!, r.states[t + 1]!);
            const ml = tree.leaves(mask).map((m) => m.toArray());
            tree.leaves(e).forEach((x, i) => x.toArray().forEach((v, j) => ml[i]![j] === 0 && expect(v).toBe(0)));
          });
        }),
        cfg,
      );
    });
  });
}
