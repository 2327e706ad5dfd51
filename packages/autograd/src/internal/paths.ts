import { isTensor, tree, type Tensor, type Tree, type TreeDef } from '@ssam/tensor';

/**
 * Human-readable paths of a pytree's leaves, in the canonical `tree.flatten` order (objects by
 * sorted key, arrays by index, null/undefined empty), so error messages can name a leaf:
 * `x.layers[0].w`.
 */
export function leafPaths(t: unknown, root: string): string[] {
  const step = (acc: string, k: string | number): string =>
    typeof k === 'number' ? `${acc}[${k}]` : /^[A-Za-z_$][\w$]*$/.test(k) ? `${acc}.${k}` : `${acc}[${JSON.stringify(k)}]`;
  return tree.paths(t as Tree<unknown>).map((p) => p.reduce(step, root));
}

function isPlainObject(x: unknown): x is Record<string, unknown> {
  if (x === null || typeof x !== 'object') return false;
  const proto = Object.getPrototypeOf(x);
  return proto === Object.prototype || proto === null;
}

export const fmtShape = (s: readonly number[]): string => `[${s.join(', ')}]`;

function describeValue(v: unknown): string {
  if (typeof v === 'number') return `the number ${v}`;
  if (typeof v === 'string') return `the string ${JSON.stringify(v)}`;
  if (typeof v === 'object' && v !== null) return `an object of class ${v.constructor?.name ?? 'unknown'}`;
  return `a ${typeof v}`;
}

/**
 * Flattens `t` and checks that every leaf is a tensor; otherwise throws naming the leaf's path and
 * what to do instead.
 */
export function tensorLeaves(op: string, t: unknown, root: string, hint: string): [Tensor[], TreeDef] {
  const [leaves, def] = tree.flatten(t as Tree<unknown>);
  for (let i = 0; i < leaves.length; i++) {
    if (!isTensor(leaves[i])) {
      const path = leafPaths(t, root)[i];
      throw new TypeError(`${op}: ${path} is ${describeValue(leaves[i])}, not a Tensor; ${hint}`);
    }
  }
  return [leaves as Tensor[], def];
}

/**
 * The values of `g` at the leaf positions of `x` (canonical order), where `g` mirrors x's
 * containers; a null or undefined `g` (sub)tree stands for all-zero leaves and gives nulls.
 * Throws naming the first path where the containers differ.
 */
export function leavesAlong(op: string, x: unknown, g: unknown, root: string): unknown[] {
  const out: unknown[] = [];
  const walk = (xv: unknown, gv: unknown, path: string): void => {
    if (xv === null || xv === undefined) return;
    const isArr = Array.isArray(xv), isObj = !isArr && isPlainObject(xv);
    if (!isArr && !isObj) {
      out.push(gv ?? null);
      return;
    }
    const nulls = gv === null || gv === undefined;
    if (isArr) {
      if (!nulls && (!Array.isArray(gv) || gv.length !== xv.length))
        throw new TypeError(`${op}: at ${path} expected an array of ${xv.length} like x, got ${Array.isArray(gv) ? `an array of ${gv.length}` : typeof gv}`);
      xv.forEach((c, i) => walk(c, nulls ? null : (gv as unknown[])[i], `${path}[${i}]`));
      return;
    }
    if (!nulls && !isPlainObject(gv)) throw new TypeError(`${op}: at ${path} expected an object like x, got ${Array.isArray(gv) ? 'an array' : typeof gv}`);
    for (const k of Object.keys(xv as object).sort()) walk((xv as Record<string, unknown>)[k], nulls ? null : (gv as Record<string, unknown>)[k], `${path}.${k}`);
  };
  walk(x, g, root);
  return out;
}

/** Checks that `t` (named `tName`) has x's structure and, leaf by leaf, x's shapes. */
export function checkLike(op: string, x: unknown, t: unknown, xName: string, tName: string): Tensor[] {
  const [xl, xDef] = tree.flatten(x as Tree<unknown>);
  const [tl, tDef] = tree.flatten(t as Tree<unknown>);
  if (!tree.defsEqual(xDef, tDef))
    throw new TypeError(`${op}: ${tName} must have the structure of ${xName}: ${xName} has leaves [${leafPaths(x, xName).join(', ')}], ${tName} has [${leafPaths(t, tName).join(', ')}]`);
  const paths = leafPaths(t, tName);
  return tl.map((l, i) => {
    const xi = xl[i] as Tensor;
    if (!isTensor(l)) throw new TypeError(`${op}: ${paths[i]} is ${describeValue(l)}, not a Tensor`);
    if (l.shape.length !== xi.shape.length || l.shape.some((d, j) => d !== xi.shape[j]))
      throw new RangeError(`${op}: ${paths[i]} has shape ${fmtShape(l.shape)}, but ${leafPaths(x, xName)[i]} has shape ${fmtShape(xi.shape)}`);
    return l;
  });
}
