import { add, tensor, tree, type Tensor } from '@ssam/tensor';
import { applyUpdates } from '../combine.js';
import type { GradientTransformation, OptState, Params, Updates } from '../types.js';
import type { SmoothProblem } from './problems.js';
import { protocolUpdate } from './step.js';

/** One `gradFn` call a variant made: where, and what the kit handed back as g′. */
export interface GradCall {
  readonly at: Params;
  readonly returned: Updates;
}

/** Everything the laws look at for one step of a variant under test. */
export interface StepRecord {
  readonly step: number;
  /** The params of this step, and the pass-1 gradient the kit handed to `update`. */
  readonly w: Params;
  readonly g: Updates;
  readonly calls: readonly GradCall[];
  readonly update: Updates;
  readonly before: OptState;
  readonly after: OptState;
}

export interface RunOptions {
  /**
   * g′ = ∇f(q) + twist·ζ, with ζ a fixed pattern of unit size: the kit returns a g′ that no
   * variant can recompute on its own, so an update that does not use the returned g′ shows.
   */
  readonly twist: number;
  /** Hand the variant an all-zero pass-1 gradient at these steps (the ‖g‖ = 0 law). */
  readonly zeroGradAt?: readonly number[];
}

const zeta = (like: Params): Updates =>
  tree.unflatten(
    tree.flatten(like)[1],
    (tree.leaves(like) as Tensor[]).map((x, i) => tensor(Float32Array.from({ length: x.size }, (_, j) => Math.cos(1 + j + 7 * i)), x.shape)),
  );

/** Runs `steps` updates of `opt` on `p` from its start, recording every gradFn call. */
export function recordRun(opt: GradientTransformation<any>, p: SmoothProblem, steps: number, o: RunOptions): StepRecord[] {
  const twist = tree.scale(o.twist, zeta(p.params));
  let w = p.params;
  let state = opt.init(w);
  const out: StepRecord[] = [];
  for (let t = 0; t < steps; t++) {
    const calls: GradCall[] = [];
    const gradFn = (q: Params): Updates => {
      const returned = tree.zipMap((a: Tensor, b: Tensor) => add(a, b), p.grad(q), twist);
      calls.push({ at: q, returned });
      return returned;
    };
    const g = o.zeroGradAt?.includes(t) ? tree.zerosLike(w) : p.grad(w);
    const before = state;
    const [u, s] = protocolUpdate(opt, g, state, w, { gradFn, fisher: (q: Params) => p.fisher(q) });
    out.push({ step: t, w, g, calls, update: u, before, after: s });
    w = applyUpdates(w, u);
    state = s;
  }
  return out;
}
