import { random, type Key, type Tree } from '@ssam/tensor';
import { checkInt, checkPositive } from './errors.js';
import { checkProblem, lossAndGrad, evaluate, type KeyedOptions, type Problem } from './problem.js';
import { axpy, gaussianVector, norm2, paramSpace } from './space.js';

export interface MSharpnessOptions extends KeyedOptions {
  /** Radius ρ of the ℓ2 ball (default 0.05, SAM's default). */
  readonly rho?: number;
  /** Projected ascent steps per batch (default 5; 1 gives SAM's first-order ε̂ alone). */
  readonly steps?: number;
  /** Length of each normalised ascent step (default ρ: the first step lands on SAM's ε̂). */
  readonly stepSize?: number;
}

export interface MSharpnessResult {
  /** The mean over batches of each batch's sharpness. */
  readonly sharpness: number;
  /** Per batch: L_B(w), the best L_B(w + ε) − L_B(w) found, and that of SAM's one step ε̂ alone. */
  readonly perBatch: { loss: number; sharpness: number; oneStep: number; examples: number }[];
}

/**
 * SAM's m-sharpness (Foret et al. 2021, §3 and App. C.3): for each batch B of m examples,
 * max over ‖ε‖ ≤ ρ of L_B(w + ε) − L_B(w), averaged over batches. The max is estimated by
 * projected normalised gradient ascent from ε = 0, ε ← Π_ρ(ε + η ∇L_B(w+ε)/‖∇L_B(w+ε)‖), whose
 * first step (η = ρ) is SAM's ε̂ = ρ g/‖g‖. Every iterate is a feasible point, so the value
 * kept, the largest seen, is a lower bound of the true max that only grows with more steps.
 * Choose m through the batch sizes: sharpness over small batches is what SAM minimises.
 * @example mSharpness(problem, { key: random.key(3), rho: 0.05 }).sharpness
 */
export function mSharpness(problem: Problem, opts: MSharpnessOptions): MSharpnessResult {
  checkProblem('mSharpness', problem);
  const rho = checkPositive('mSharpness', 'rho', opts.rho ?? 0.05);
  const steps = checkInt('mSharpness', 'steps', opts.steps ?? 5, 1);
  const eta = checkPositive('mSharpness', 'stepSize', opts.stepSize ?? rho);
  const space = paramSpace(problem.params);
  const w = space.toFlat(problem.params);
  const perBatch: MSharpnessResult['perBatch'] = [];
  problem.batches.forEach((b, bi) => {
    const one: Problem = { ...problem, batches: [b] };
    const eps = new Float64Array(space.dim);
    const at = (e: Float64Array): Tree => {
      const p = Float64Array.from(w);
      axpy(p, 1, e);
      return space.toTree(p);
    };
    const [base, g0] = lossAndGrad(one);
    let g = g0;
    let best = -Infinity, oneStep = NaN;
    for (let s = 0; s < steps; s++) {
      let gf = space.toFlat(g);
      let gn = norm2(gf);
      // NOTE: at a stationary point of L_B the gradient gives no direction; a random one (from the
      // key, per batch) starts the ascent, which then follows the curvature like power iteration.
      if (!(gn > 0)) {
        gf = gaussianVector(random.foldIn(opts.key, bi) as Key, space.dim);
        gn = norm2(gf);
      }
      axpy(eps, eta / gn, gf);
      const en = norm2(eps);
      if (en > rho) for (let i = 0; i < eps.length; i++) eps[i]! *= rho / en;
      const last = s === steps - 1;
      const p = at(eps);
      let l: number;
      if (last) l = evaluate(one, p).loss;
      else [l, g] = lossAndGrad(one, p);
      if (s === 0) oneStep = l - base;
      best = Math.max(best, l - base);
      opts.onProgress?.({ phase: 'm-sharpness', done: bi * steps + s + 1, total: problem.batches.length * steps });
    }
    perBatch.push({ loss: base, sharpness: best, oneStep, examples: b.x.shape[0]! });
  });
  const total = perBatch.reduce((a, r) => a + r.examples, 0);
  // Batches weigh by size, so unequal last batches do not skew the mean.
  return { sharpness: perBatch.reduce((a, r) => a + (r.sharpness * r.examples) / total, 0), perBatch };
}
