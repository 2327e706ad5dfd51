import { add, mul, scalar, sum, tree, zeros, type Tensor, type Tree } from '@ssam/tensor';
import { grad } from './grad.js';
import { checkLike } from './internal/paths.js';
import { pullbackOf, record } from './vjp.js';

/**
 * Forward mode: `f(x)` and the directional derivative J·t, exact. Computed by linear
 * transposition: the pullback u ↦ Jᵀu is linear and recorded with @ssam/tensor ops, so the pullback
 * of the pullback is (Jᵀ)ᵀ = J. One table of rules (the VJPs) thus serves both modes; the cost is
 * about one forward and two backward passes.
 * @example jvp((x) => mul(x, x), tensor([3]), tensor([1])) // [[9], [6]]
 */
export function jvp<X, Y>(f: (x: X) => Y, x: X, t: X): [Y, Y] {
  const rec = record('jvp', f, x);
  checkLike('jvp', x, t, 'x', 't');
  const pullback = pullbackOf<X, Y>('jvp', rec, rec.out, true);
  const [yLeaves, yDef] = tree.flatten(rec.out as Tree<Tensor>);
  // The pullback is linear, so the point u0 it is recorded at does not matter.
  const u0 = tree.unflatten(yDef, yLeaves.map((l) => zeros(l.shape, l.dtype))) as Y;
  const transposed = record('jvp', pullback, u0);
  const tangent = pullbackOf<Y, X>('jvp', transposed, transposed.out, true)(t);
  return [rec.out, tangent];
}

/** Σ over the float leaves of ⟨a, b⟩, a rank-0 tensor. */
function vdotFloat(a: Tree, b: Tree): Tensor {
  const al = tree.leaves(a), bl = tree.leaves(b);
  let acc: Tensor = scalar(0);
  al.forEach((l, i) => {
    if (l.dtype === 'float32') acc = add(acc, sum(mul(l, bl[i]!)));
  });
  return acc;
}

/**
 * The Hessian-vector product H·v of a scalar function at x, exact (reverse over reverse:
 * the gradient of x ↦ ⟨∇f(x), v⟩). v and the result are shaped like x.
 * @example hvp((x) => sum(mul(mul(x, x), x)), tensor([2]), tensor([1])) // [12]
 */
export function hvp<X>(f: (x: X) => Tensor, x: X, v: X): X {
  checkLike('hvp', x, v, 'x', 'v');
  return grad((z: X) => vdotFloat(grad(f)(z) as Tree, v as Tree))(x);
}
