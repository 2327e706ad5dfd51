import { isTensor, tree, zeros, type Tensor, type Tree, type TreeDef } from '@ssam/tensor';
import { popTracer, pushTracer } from '@ssam/tensor/trace';
import { backward } from './backward.js';
import { fmtShape, leafPaths, tensorLeaves } from './internal/paths.js';
import type { VjpOverride } from './override.js';
import { Tape, identity } from './tape.js';

/** Maps a cotangent shaped like f's output to one shaped like f's input. Linear; may be called many times. */
export type Pullback<X, Y> = (ct: Y) => X;

/** A function traced once: its output, its tape and how to rebuild input-shaped results. */
export interface Recording<O> {
  readonly out: O;
  readonly tape: Tape;
  readonly xLeaves: readonly Tensor[];
  readonly xDef: TreeDef;
  /** The leaves f actually saw: fresh tensor objects sharing the storage of `xLeaves`. */
  readonly wrapped: readonly Tensor[];
}

/**
 * Runs `f` on fresh copies (by identity, not by storage) of x's leaves under a new tape. The copies
 * go through a traced identity primitive, so any enclosing tape sees that they depend on x.
 */
export function record<X, O>(op: string, f: (x: X) => O, x: X): Recording<O> {
  const [xLeaves, xDef] = tensorLeaves(op, x, 'x', 'differentiate a pytree of tensors only and let f close over everything else');
  const wrapped = xLeaves.map((t) => (t.dtype === 'float32' ? identity(t) : t));
  const tape = new Tape(wrapped);
  pushTracer(tape);
  let out: O;
  try {
    out = f(tree.unflatten(xDef, wrapped) as X);
  } finally {
    popTracer(tape);
  }
  return { out, tape, xLeaves, xDef, wrapped };
}

/** Zero cotangents (of the leaf's own dtype) where nothing flowed: integer leaves, unused leaves. */
export function fillZeros(gs: readonly (Tensor | null)[], like: readonly Tensor[]): Tensor[] {
  return gs.map((g, i) => g ?? zeros(like[i]!.shape, like[i]!.dtype));
}

/**
 * The pullback of a recording whose differentiated output is `y`. Checks the cotangent's
 * structure and shapes against y and names the offending leaf.
 */
export function pullbackOf<X, Y>(op: string, rec: Recording<unknown>, y: Y, release: boolean, override?: VjpOverride): Pullback<X, Y> {
  const [yLeaves, yDef] = tensorLeaves(op, y, 'y', "f must return a pytree of tensors (use valueAndGrad's hasAux for other outputs)");
  const yLive = rec.tape.close(yLeaves);
  return (ct: Y): X => {
    const [ctLeaves, ctDef] = tree.flatten(ct as Tree<unknown>);
    if (!tree.defsEqual(yDef, ctDef))
      throw new TypeError(
        `${op}: the cotangent's structure does not match f's output: the output has leaves ${list(leafPaths(y, 'y'))}, the cotangent has ${list(leafPaths(ct, 'ct'))}; pass a tree shaped like the output`,
      );
    const paths = leafPaths(ct, 'ct');
    const cts = ctLeaves.map((c, i) => {
      const yi = yLeaves[i]!;
      if (!isTensor(c))
        throw new TypeError(`${op}: the cotangent ${paths[i]} is not a Tensor; pass a tensor of shape ${fmtShape(yi.shape)}`);
      const t = c;
      if (t.shape.length !== yi.shape.length || t.shape.some((d, j) => d !== yi.shape[j]))
        throw new RangeError(
          `${op}: the cotangent ${paths[i]} has shape ${fmtShape(t.shape)}, but the output it pairs with has shape ${fmtShape(yi.shape)}; pass a cotangent of the output's shape`,
        );
      if (yLive[i] && t.dtype !== 'float32') throw new TypeError(`${op}: the cotangent ${paths[i]} is ${t.dtype}; cotangents of float outputs must be float32`);
      return yLive[i] ? t : null;
    });
    const gs = backward(rec.tape, yLeaves, cts, rec.wrapped, release, override);
    return tree.unflatten(rec.xDef, fillZeros(gs, rec.xLeaves)) as X;
  };
}

const list = (paths: readonly string[]): string => (paths.length ? `[${paths.join(', ')}]` : 'none');

/**
 * Reverse mode: evaluates `f(x)` and returns its output with a pullback that maps a cotangent
 * shaped like the output to one shaped like x. `x` and the output are pytrees of tensors; integer
 * leaves of x get zero cotangents. Let `f` close over whatever is not differentiated.
 * @example
 * const [y, pullback] = vjp((w) => mul(w, w), tensor([1, 2]));
 * pullback(tensor([1, 1])); // [2, 4]
 * `options.override` replaces chosen rules of this pullback (see VjpOverride).
 */
export function vjp<X, Y>(f: (x: X) => Y, x: X, options: { readonly override?: VjpOverride } = {}): [Y, Pullback<X, Y>] {
  const rec = record('vjp', f, x);
  return [rec.out, pullbackOf<X, Y>('vjp', rec, rec.out, false, checkOverride('vjp', options.override))];
}

/** Validates the `override` option. */
export function checkOverride(op: string, o: unknown): VjpOverride | undefined {
  if (o !== undefined && typeof o !== 'function') throw new TypeError(`${op}: override must be a function (g, node, needs) => cotangents | undefined; got ${typeof o}`);
  return o as VjpOverride | undefined;
}
