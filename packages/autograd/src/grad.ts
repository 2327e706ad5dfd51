import { isTensor, ones, type Tensor } from '@ssam/tensor';
import { fmtShape } from './internal/paths.js';
import type { VjpOverride } from './override.js';
import { checkOverride, pullbackOf, record } from './vjp.js';

export interface GradOptions {
  /** f returns [loss, aux]; aux is passed through undifferentiated. */
  readonly hasAux?: boolean;
  /** Replaces chosen reverse-mode rules of this differentiation (see VjpOverride). */
  readonly override?: VjpOverride;
}

function checkLoss(op: string, loss: unknown, hasAux: boolean): Tensor {
  if (!isTensor(loss)) {
    const got = Array.isArray(loss) ? `an array of ${loss.length}` : loss === null ? 'null' : typeof loss;
    throw new TypeError(
      hasAux
        ? `${op}: with { hasAux: true } f must return [loss, aux] with a scalar Tensor loss; the loss is ${got}`
        : `${op}: f must return a scalar Tensor (the loss); got ${got}${Array.isArray(loss) ? '. To return extra values, use { hasAux: true } and return [loss, aux]' : ''}`,
    );
  }
  if (loss.size !== 1) throw new RangeError(`${op} needs a scalar loss; got shape ${fmtShape(loss.shape)}. Reduce it with mean() or sum().`);
  if (loss.dtype !== 'float32') throw new TypeError(`${op} needs a float32 loss; got ${loss.dtype}. Cast it with cast(loss, 'float32').`);
  return loss;
}

function run<X>(op: string, f: (x: X) => unknown, x: X, hasAux: boolean, override?: VjpOverride): [Tensor, unknown, X] {
  const rec = record(op, f, x);
  let loss: unknown = rec.out, aux: unknown;
  if (hasAux) {
    if (!Array.isArray(rec.out) || rec.out.length !== 2)
      throw new TypeError(`${op}: with { hasAux: true } f must return a pair [loss, aux]; got ${Array.isArray(rec.out) ? `an array of ${rec.out.length}` : typeof rec.out}`);
    [loss, aux] = rec.out as [unknown, unknown];
  }
  const l = checkLoss(op, loss, hasAux);
  // The pullback runs once, so the tape may drop each node as soon as it has been used.
  const grads = pullbackOf<X, Tensor>(op, rec, l, true, override)(ones(l.shape));
  return [l, aux, grads];
}

/**
 * Returns a function computing `f(x)` and its gradient with respect to the pytree `x` (same
 * structure as x). `f` must return a scalar loss, or `[loss, aux]` with `{ hasAux: true }`.
 * @example
 * const [loss, grads] = valueAndGrad((p) => sum(square(p.w)))({ w: tensor([1, 2]) }); // grads.w = [2, 4]
 */
export function valueAndGrad<X>(f: (x: X) => Tensor, opts?: { readonly hasAux?: false; readonly override?: VjpOverride }): (x: X) => [Tensor, X];
export function valueAndGrad<X, A>(f: (x: X) => readonly [Tensor, A], opts: { readonly hasAux: true; readonly override?: VjpOverride }): (x: X) => [[Tensor, A], X];
export function valueAndGrad<X>(f: (x: X) => unknown, opts: GradOptions = {}): (x: X) => unknown {
  const hasAux = opts.hasAux ?? false;
  const override = checkOverride('valueAndGrad', opts.override);
  return (x: X) => {
    const [loss, aux, grads] = run('valueAndGrad', f, x, hasAux, override);
    return hasAux ? [[loss, aux], grads] : [loss, grads];
  };
}

/**
 * The gradient of a scalar function of a pytree; with `{ hasAux: true }` returns `[grads, aux]`.
 * @example grad((x) => sum(mul(x, x)))(tensor([3])) // [6]
 */
export function grad<X>(f: (x: X) => Tensor, opts?: { readonly hasAux?: false; readonly override?: VjpOverride }): (x: X) => X;
export function grad<X, A>(f: (x: X) => readonly [Tensor, A], opts: { readonly hasAux: true; readonly override?: VjpOverride }): (x: X) => [X, A];
export function grad<X>(f: (x: X) => unknown, opts: GradOptions = {}): (x: X) => unknown {
  const hasAux = opts.hasAux ?? false;
  const override = checkOverride('grad', opts.override);
  return (x: X) => {
    const [, aux, grads] = run('grad', f, x, hasAux, override);
    return hasAux ? [grads, aux] : grads;
  };
}
