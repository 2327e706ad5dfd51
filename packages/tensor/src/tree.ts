import { ShapeError } from './errors.js';
import { full, scalar } from './ops/creation.js';
import { add as addT, mul as mulT, sqrt as sqrtT, sub as subT, where as whereT } from './ops/elementwise.js';
import { cast as castT } from './ops/movement.js';
import { sum } from './ops/reduce.js';
import { isTensor, type Tensor } from './tensor.js';

/**
 * Pytrees: nested plain objects (keys visited in sorted order) and arrays; everything else is a
 * leaf (tensors, numbers, keys, strings). `null` and `undefined` are empty subtrees with no
 * leaves, as JAX's None. Functions never mutate their inputs.
 */
export type Tree<L = Tensor> = L | null | undefined | readonly Tree<L>[] | { readonly [k: string]: Tree<L> };

export type TreeDef =
  | { readonly kind: 'leaf' }
  | { readonly kind: 'none'; readonly value: null | undefined }
  | { readonly kind: 'array'; readonly children: readonly TreeDef[] }
  | { readonly kind: 'object'; readonly keys: readonly string[]; readonly children: readonly TreeDef[] };

function isPlainObject(x: unknown): x is Record<string, unknown> {
  if (x === null || typeof x !== 'object') return false;
  const proto = Object.getPrototypeOf(x);
  return proto === Object.prototype || proto === null;
}

/** True for the values that `flatten` treats as leaves. */
export function isLeaf(x: unknown): boolean {
  return !(x === null || x === undefined || Array.isArray(x) || isPlainObject(x));
}

/**
 * The key path of every leaf, in the order of `flatten` (object keys sorted, arrays by index):
 * `{ conv: { w, b }, fc: [w] }` → `[['conv', 'b'], ['conv', 'w'], ['fc', 0]]`. A bare leaf has the
 * path `[]`. Error messages and parameter names are built from these.
 */
export function paths(tree: Tree<unknown>): (string | number)[][] {
  const out: (string | number)[][] = [];
  const walk = (t: unknown, path: (string | number)[]): void => {
    if (t === null || t === undefined) return;
    if (Array.isArray(t)) t.forEach((c, i) => walk(c, [...path, i]));
    else if (isPlainObject(t)) for (const k of Object.keys(t).sort()) walk(t[k], [...path, k]);
    else out.push(path);
  };
  walk(tree, []);
  return out;
}

/** Leaves in canonical order (depth first, object keys sorted) and the structure. */
export function flatten<L = Tensor>(tree: Tree<L>): [L[], TreeDef] {
  const leaves: L[] = [];
  const walk = (t: unknown): TreeDef => {
    if (t === null || t === undefined) return { kind: 'none', value: t };
    if (Array.isArray(t)) return { kind: 'array', children: t.map(walk) };
    if (isPlainObject(t)) {
      const keys = Object.keys(t).sort();
      return { kind: 'object', keys, children: keys.map((k) => walk(t[k])) };
    }
    leaves.push(t as L);
    return { kind: 'leaf' };
  };
  const def = walk(tree);
  return [leaves, def];
}

/** Rebuilds a tree of `def` from leaves in canonical order. */
export function unflatten<L = Tensor>(def: TreeDef, leaves: readonly L[]): Tree<L> {
  let i = 0;
  const build = (d: TreeDef): unknown => {
    switch (d.kind) {
      case 'leaf':
        if (i >= leaves.length) throw new ShapeError('tree.unflatten', `too few leaves: the structure needs more than ${leaves.length}`);
        return leaves[i++];
      case 'none':
        return d.value;
      case 'array':
        return d.children.map(build);
      case 'object': {
        const o: Record<string, unknown> = {};
        d.keys.forEach((k, j) => (o[k] = build(d.children[j]!)));
        return o;
      }
    }
  };
  const out = build(def);
  if (i !== leaves.length) throw new ShapeError('tree.unflatten', `${leaves.length} leaves given, the structure holds ${i}`);
  return out as Tree<L>;
}

export function leaves<L = Tensor>(tree: Tree<L>): L[] {
  return flatten(tree)[0];
}

/** Number of leaves (`count`) — not elements; see `size` for the element count. */
export function count(tree: Tree<unknown>): number {
  return leaves(tree).length;
}

/** Total number of elements over all tensor leaves. */
export function size(tree: Tree<unknown>): number {
  return leaves(tree).reduce<number>((n, l) => n + (isTensor(l) ? l.size : 0), 0);
}

export function defsEqual(a: TreeDef, b: TreeDef): boolean {
  if (a.kind !== b.kind) return false;
  if (a.kind === 'leaf') return true;
  if (a.kind === 'none') return true;
  if (a.kind === 'array') {
    const bb = b as typeof a;
    return a.children.length === bb.children.length && a.children.every((c, i) => defsEqual(c, bb.children[i]!));
  }
  const bb = b as typeof a;
  return a.keys.length === bb.keys.length && a.keys.every((k, i) => k === bb.keys[i]) && a.children.every((c, i) => defsEqual(c, bb.children[i]!));
}

function describe(d: TreeDef): string {
  switch (d.kind) {
    case 'leaf': return '*';
    case 'none': return String(d.value);
    case 'array': return `[${d.children.map(describe).join(', ')}]`;
    case 'object': return `{${d.keys.map((k, i) => `${k}: ${describe(d.children[i]!)}`).join(', ')}}`;
  }
}

/** Same containers, keys and leaf positions (leaf values are not compared). */
export function structureEqual(a: Tree<unknown>, b: Tree<unknown>): boolean {
  return defsEqual(flatten(a)[1], flatten(b)[1]);
}

/** Applies `f` to every leaf of `tree` (and the matching leaves of `rest`, which must share the structure). */
export function map<L, R>(f: (leaf: L, ...rest: L[]) => R, tree: Tree<L>, ...rest: Tree<L>[]): Tree<R> {
  return mapAs('tree.map', [], f, tree, ...rest);
}

/** `map` whose structure-mismatch error names `op` (the tree function called) and its arguments. */
function mapAs<L, R>(op: string, names: readonly string[], f: (leaf: L, ...rest: L[]) => R, tree: Tree<L>, ...rest: Tree<L>[]): Tree<R> {
  const [ls, def] = flatten(tree);
  const name = (i: number): string => names[i] ?? `tree ${i}`;
  const others = rest.map((r, j) => {
    const [rl, rd] = flatten(r);
    if (!defsEqual(def, rd))
      throw new ShapeError(op, `${name(j + 1)} has structure ${describe(rd)}, ${name(0)} has ${describe(def)}; both need the same containers, keys and leaf positions`);
    return rl;
  });
  return unflatten(def, ls.map((l, i) => f(l, ...others.map((o) => o[i]!))));
}

/** `map` over two trees with a binary function. */
export function zipMap<A, B, R>(f: (a: A, b: B) => R, a: Tree<A>, b: Tree<B>): Tree<R> {
  return zipAs('tree.zipMap', f, a, b, []);
}

function zipAs<A, B, R>(op: string, f: (a: A, b: B) => R, a: Tree<A>, b: Tree<B>, names: readonly string[] = ['a', 'b']): Tree<R> {
  return mapAs(op, names, (x: unknown, y: unknown) => f(x as A, y as B), a as Tree<unknown>, b as Tree<unknown>) as Tree<R>;
}

// Tree maths over tensor leaves. Leaves combine with the elementwise ops, so they broadcast.
export const add = (a: Tree, b: Tree): Tree => zipAs('tree.add', addT, a, b);
export const sub = (a: Tree, b: Tree): Tree => zipAs('tree.sub', subT, a, b);
export const mul = (a: Tree, b: Tree): Tree => zipAs('tree.mul', mulT, a, b);
export const scale = (s: number | Tensor, a: Tree): Tree => map((x: Tensor) => mulT(x, s), a);
export const zerosLike = (a: Tree): Tree => map((x: Tensor) => full(x.shape, 0, x.dtype), a);
export const onesLike = (a: Tree): Tree => map((x: Tensor) => full(x.shape, 1, x.dtype), a);
/** Leafwise select: mask leaves (0/1 tensors) pick `a` where non-zero. */
export const where = (mask: Tree, a: Tree, b: Tree): Tree => mapAs('tree.where', ['mask', 'a', 'b'], (m: Tensor, x: Tensor, y: Tensor) => whereT(m, x, y), mask, a, b);

/**
 * Σ over leaves of ⟨a_i, b_i⟩, a rank-0 tensor (0 for an empty tree). Matching leaves must have
 * equal shapes (no broadcasting). int32 trees give an int32 result; mixed dtypes sum in float32.
 */
export function vdot(a: Tree, b: Tree): Tensor {
  let i = 0;
  const parts = leaves(zipAs('tree.vdot', (x: Tensor, y: Tensor) => {
    if (x.shape.length !== y.shape.length || x.shape.some((d, k) => d !== y.shape[k]))
      throw new ShapeError('tree.vdot', `leaf ${i} has shape [${x.shape.join(', ')}] in a but [${y.shape.join(', ')}] in b; vdot needs equal shapes`);
    i++;
    return sum(mulT(x, y));
  }, a, b) as Tree);
  if (parts.length === 0) return scalar(0);
  const mixed = parts.some((p) => p.dtype !== parts[0]!.dtype);
  const terms = mixed ? parts.map((p) => castT(p, 'float32')) : parts;
  return terms.slice(1).reduce((acc, p) => addT(acc, p), terms[0]!);
}

/** Global L2 norm over all leaves, a float32 rank-0 tensor. */
export function norm(a: Tree): Tensor {
  return sqrtT(castT(vdot(a, a), 'float32'));
}
