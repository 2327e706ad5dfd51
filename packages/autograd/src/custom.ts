import { isTensor, tree, zeros, type Tensor, type Tree } from '@ssam/tensor';
import { activeTracers, popTracer, pushTracer, type Tracer } from '@ssam/tensor/trace';
import { fmtShape, leafPaths, leavesAlong, tensorLeaves } from './internal/paths.js';
import { Tape, detached } from './tape.js';

/**
 * Blocks differentiation: returns the same values as constants, so every tape (at every nesting
 * level) gives zero cotangents along this path. Works on pytrees; non-tensor leaves pass through.
 * @example grad((x) => mul(x, stopGradient(x)))(tensor([3])) // [3], not [6]
 */
export function stopGradient<T>(x: T): T {
  return tree.map((l: unknown) => (isTensor(l) ? detached(l) : l), x as Tree<unknown>) as T;
}

/** Tracks the tensors computed from a customVjp's inputs while fwd runs. */
class Derived implements Tracer {
  readonly set: Set<Tensor>;
  constructor(leaves: readonly (Tensor | null)[]) {
    this.set = new Set(leaves.filter((l): l is Tensor => l !== null));
  }
  record(_p: unknown, inputs: readonly Tensor[], _a: unknown, out: Tensor): void {
    if (inputs.some((t) => this.set.has(t))) this.set.add(out);
  }
}

/**
 * bwd only returns cotangents for x, so a value that fwd reads from a closure while a tape
 * differentiates it would silently get no gradient: refuse that, as JAX does.
 */
function checkNoClosure(tape: Tape, from: number, derived: Derived): void {
  for (let n = from; n < tape.nodes.length; n++) {
    const node = tape.nodes[n];
    if (node?.kind !== 'prim') continue;
    if (node.inputs.some((t, i) => node.needs[i] && !derived.set.has(t)))
      throw new Error(
        `customVjp: fwd uses a value that is being differentiated but is not in x (probably captured by a closure; it enters a '${node.prim}'); it would get no gradient, because bwd only returns cotangents for x. Pass that value inside x and return its cotangent from bwd`,
      );
  }
}

/**
 * A function with a user-supplied backward rule, as JAX's custom_vjp. `fwd(x)` returns the output
 * (it must equal `f(x)`) and residuals; `bwd(residuals, ct)` returns x's cotangent (a tree shaped
 * like x; null leaves mean zero). Outside any differentiation `f` runs; under a tape that sees x,
 * `fwd` runs and the tape uses `bwd` instead of differentiating through `fwd`.
 *
 * Higher order: `fwd` runs in view of every enclosing tape, so residuals stay differentiable and an
 * outer derivative of `bwd` (e.g. a Hessian-vector product) differentiates through them.
 * @example
 * // forward exact, backward masked (the implicit SSAM perturbation):
 * const masked = customVjp((w: Tensor) => mul(w, 2), (w) => [mul(w, 2), mask], (m, ct) => mul(mul(ct, 2), m));
 */
export function customVjp<X, Y, R>(
  f: (x: X) => Y,
  fwd: (x: X) => readonly [Y, R],
  bwd: (residuals: R, ct: Y) => X,
): (x: X) => Y {
  return (x: X): Y => {
    const [xAll] = tree.flatten(x as Tree<unknown>);
    const xLeaves = xAll.map((l) => (isTensor(l) ? l : null));
    const tracers = [...activeTracers()];
    const owners = tracers.filter((t): t is Tape => t instanceof Tape && xLeaves.some((l) => l !== null && t.isLive(l)));
    if (owners.length === 0) return f(x);
    const derived = new Derived(xLeaves);
    const marks = owners.map((t) => t.nodes.length);
    pushTracer(derived);
    let y: Y, res: R;
    try {
      [y, res] = fwd(x);
    } finally {
      popTracer(derived);
    }
    owners.forEach((t, k) => checkNoClosure(t, marks[k]!, derived));
    const [yLeaves, yDef] = tensorLeaves('customVjp', y, 'y', 'fwd must return [output, residuals] with a pytree of tensors as output');
    const outs = yLeaves.map(detached);
    const inputs = xLeaves.map((l) => l ?? zeros([]));
    const xPaths = leafPaths(x, 'x');
    const backwardRule = (cts: readonly (Tensor | null)[]): (Tensor | null)[] => {
      const ct = tree.unflatten(yDef, cts.map((c, i) => c ?? zeros(yLeaves[i]!.shape)));
      const gx = bwd(res, ct as Y);
      const gLeaves = leavesAlong('customVjp: bwd must return a tree shaped like x', x, gx, 'x');
      return xLeaves.map((l, i) => {
        const g = gLeaves[i];
        if (l === null || g === null || g === undefined) return null;
        if (!isTensor(g) || g.shape.length !== l.shape.length || g.shape.some((d, j) => d !== l.shape[j]))
          throw new RangeError(`customVjp: bwd returned ${isTensor(g) ? `shape ${fmtShape(g.shape)}` : 'a non-tensor'} for ${xPaths[i]}, which has shape ${fmtShape(l.shape)}`);
        return g;
      });
    };
    for (const t of tracers) {
      if (owners.includes(t as Tape)) (t as Tape).recordCustom(inputs, outs, backwardRule);
      // Tapes that saw fwd only through values f closes over: link each output to fwd's result.
      else yLeaves.forEach((yl, i) => t.record('reshape', [yl], { shape: yl.shape }, outs[i]!));
    }
    return tree.unflatten(yDef, outs) as Y;
  };
}
