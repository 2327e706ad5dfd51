import { isTensor, tree } from '@ssam/tensor';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { applyUpdates } from '../combine.js';
import type { GradientTransformation, OptState, Params, UpdateExtra, Updates } from '../types.js';
import { arbProblem, deepFreeze, sameLayout, snapshot, treesIdentical, type ProblemOptions, type SmoothProblem } from './problems.js';
import { protocolUpdate } from './step.js';

export interface ContractOptions {
  /** fast-check runs per property (default 8). */
  readonly numRuns?: number;
  /** Steps of the convergence check (default 300). */
  readonly steps?: number;
  /** Converged means f(w_T) − f* ≤ tolerance·(f(w_0) − f*) (default 1e-2), on problems with f(w_0) − f* ≥ 1. */
  readonly tolerance?: number;
  /** Set false for transformations that are not descent methods on their own. */
  readonly converges?: boolean;
  /** Extra arguments for update; default `{ gradFn: problem.grad, fisher: problem.fisher }`. */
  readonly extra?: (problem: SmoothProblem) => UpdateExtra;
  /** Must every state leaf be a tensor (checkpointable as tensors)? Default true. */
  readonly stateTensorsOnly?: boolean;
  /** The random problems (default: convex quadratics on nested trees of up to 4 small tensors). */
  readonly problems?: ProblemOptions;
  readonly seed?: number;
}

type Make = (params: Params) => GradientTransformation<any>;

const defaultExtra = (p: SmoothProblem): UpdateExtra => ({
  gradFn: (w: Params) => p.grad(w),
  fisher: (w: Params) => p.fisher(w),
});

/** Runs `steps` updates from the problem's start; returns every (updates, state) and the final params. */
export function trajectory(
  make: Make,
  problem: SmoothProblem,
  steps: number,
  extra = defaultExtra,
): { params: Params; states: OptState[]; updates: Updates[] } {
  const opt = make(problem.params);
  let params = problem.params;
  let state = opt.init(params);
  const states: OptState[] = [state];
  const updates: Updates[] = [];
  const ex = extra(problem);
  for (let t = 0; t < steps; t++) {
    const [u, s] = protocolUpdate(opt, problem.grad(params), state, params, ex);
    updates.push(u);
    states.push(s);
    params = applyUpdates(params, u);
    state = s;
  }
  return { params, states, updates };
}

/**
 * The contract every gradient transformation of @ssam/optim passes (after optax's
 * `_common_test.py`); call it inside a test file to hold your own variant to it:
 *   - the updates keep the tree structure, shapes and dtypes of the params;
 *   - it converges on a random convex quadratic;
 *   - it never mutates its inputs (params, grads, state, extra are deep-frozen and snapshotted);
 *   - the same inputs give the same outputs;
 *   - the state keeps its structure (and leaf shapes) across steps, and is made of tensors.
 * `makeTransform(params)` builds a fresh transformation (params let it build a static mask).
 * @example
 * runTransformationContract('my SAM variant', () => mySam({ rho: 0.05, base: sgd({ lr: 0.1 }) }));
 */
export function runTransformationContract(name: string, makeTransform: Make, opts: ContractOptions = {}): void {
  const numRuns = opts.numRuns ?? 8;
  const steps = opts.steps ?? 300;
  const tol = opts.tolerance ?? 1e-2;
  const extra = opts.extra ?? defaultExtra;
  const problems = arbProblem(opts.problems);
  const cfg = { numRuns, ...(opts.seed !== undefined ? { seed: opts.seed } : {}) };

  describe(`${name}: transformation contract`, () => {
    it('keeps the tree structure, leaf shapes and dtypes of the params in its updates', () => {
      fc.assert(
        fc.property(problems, (p) => {
          const { updates } = trajectory(makeTransform, p, 3, extra);
          for (const u of updates) expect(sameLayout(u, p.params)).toBe(true);
        }),
        cfg,
      );
    });

    if (opts.converges !== false)
      it(`converges on a random convex quadratic (f − f* shrinks by ${tol} in ${steps} steps)`, () => {
        fc.assert(
          fc.property(problems, (p) => {
            const fStar = p.loss(p.c); // the minimiser of a convex quadratic is c
            const f0 = p.loss(p.params) - fStar;
            // A start already near the optimum says nothing (and SAM-type methods stall at a
            // distance ~ρ from it, f − f* ≲ ½·L·ρ²), so the problem must start at f − f* ≥ 1.
            fc.pre(f0 >= 1);
            const { params } = trajectory(makeTransform, p, steps, extra);
            const fT = p.loss(params) - fStar;
            expect(Number.isFinite(fT)).toBe(true);
            expect(fT).toBeLessThanOrEqual(tol * f0 + 1e-5);
          }),
          { ...cfg, numRuns: Math.max(1, Math.ceil(numRuns / 2)) },
        );
      });

    it('never mutates its inputs', () => {
      fc.assert(
        fc.property(problems, (p) => {
          const opt = makeTransform(p.params);
          const params = deepFreeze(p.params);
          let state = deepFreeze(opt.init(params));
          let w = params;
          for (let t = 0; t < 3; t++) {
            const grads = deepFreeze(p.grad(w));
            const ex = deepFreeze(extra(p));
            const before = [snapshot(w), snapshot(grads), snapshot(state)];
            const [u, next] = protocolUpdate(opt, grads, state, w, ex);
            expect([snapshot(w), snapshot(grads), snapshot(state)]).toEqual(before);
            w = deepFreeze(applyUpdates(w, u));
            state = deepFreeze(next);
          }
        }),
        cfg,
      );
    });

    it('gives the same outputs for the same inputs', () => {
      fc.assert(
        fc.property(problems, (p) => {
          const a = trajectory(makeTransform, p, 4, extra);
          const b = trajectory(makeTransform, p, 4, extra);
          expect(treesIdentical(a.updates, b.updates)).toBe(true);
          expect(treesIdentical(a.states, b.states)).toBe(true);
          // and the same transformation object reused from the same state gives the same step
          const opt = makeTransform(p.params);
          const s0 = opt.init(p.params);
          const g = p.grad(p.params);
          const ex = extra(p);
          expect(treesIdentical(protocolUpdate(opt, g, s0, p.params, ex), protocolUpdate(opt, g, s0, p.params, ex))).toBe(true);
        }),
        cfg,
      );
    });

    it('keeps the structure and leaf shapes of its state across steps', () => {
      fc.assert(
        fc.property(problems, (p) => {
          const { states } = trajectory(makeTransform, p, 4, extra);
          for (const s of states) expect(sameLayout(s, states[0])).toBe(true);
          if (opts.stateTensorsOnly !== false)
            for (const l of tree.leaves(states[0] as never) as unknown[]) expect(isTensor(l)).toBe(true);
        }),
        cfg,
      );
    });
  });
}
