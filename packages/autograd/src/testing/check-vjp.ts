import { isTensor, tensor, tree, type Tensor, type Tree } from '@ssam/tensor';
import { dataOf } from '@ssam/tensor/trace';
import { jvp } from '../jvp.js';
import { vjp } from '../vjp.js';

export interface CheckOptions {
  /** Absolute tolerance on the difference of the two inner products. Default 1e-4. */
  readonly atol?: number;
  /** Relative tolerance, against the scale Σ|termᵢ| of the inner products (see README). Default 1e-2. */
  readonly rtol?: number;
  /** Number of random directions (t, ct pairs). Default 3. */
  readonly directions?: number;
  /** Finite-difference step h; directions are scaled to max |tᵢ| = 1. Default 1e-2. */
  readonly eps?: number;
  /** Seed of the host PRNG that draws the directions. Default 0. */
  readonly seed?: number;
}

export interface CheckReport {
  /** Per direction: the AD side, the finite-difference side, |difference| and the tolerance. */
  readonly directions: readonly { readonly ad: number; readonly fd: number; readonly err: number; readonly tol: number }[];
}

/** mulberry32 + Box–Muller: a tiny deterministic normal generator for directions. */
function normals(seed: number): () => number {
  let s = seed >>> 0;
  const u = () => {
    s = (s + 0x6d2b79f5) >>> 0;
    let r = Math.imul(s ^ (s >>> 15), 1 | s);
    r = (r + Math.imul(r ^ (r >>> 7), 61 | r)) ^ r;
    return ((r ^ (r >>> 14)) >>> 0) / 4294967296;
  };
  return () => Math.sqrt(-2 * Math.log(1 - u())) * Math.cos(2 * Math.PI * u());
}

const isFloat = (l: unknown): l is Tensor => isTensor(l) && l.dtype === 'float32';
const f64 = (t: Tensor): Float64Array => Float64Array.from(dataOf(t));

function direction(like: readonly unknown[], rnd: () => number): (Float64Array | null)[] {
  const ds = like.map((l) => (isFloat(l) ? Float64Array.from({ length: l.size }, rnd) : null));
  const m = Math.max(1e-30, ...ds.flatMap((d) => (d ? [...d].map(Math.abs) : [])));
  for (const d of ds) if (d) for (let i = 0; i < d.length; i++) d[i]! /= m;
  return ds;
}

interface Sides {
  /** x ± h·t rounded to float32, and the effective t = (x₊ − x₋) / 2h actually applied. */
  readonly plus: Tree<unknown>;
  readonly minus: Tree<unknown>;
  readonly tEff: (Float64Array | null)[];
}

function perturb(x: unknown, t: readonly (Float64Array | null)[], h: number): Sides {
  const [leaves, def] = tree.flatten(x as Tree<unknown>);
  const plus: unknown[] = [], minus: unknown[] = [];
  const tEff = leaves.map((l, i) => {
    const d = t[i];
    if (!isFloat(l) || !d) {
      plus.push(l);
      minus.push(l);
      return null;
    }
    const x0 = dataOf(l);
    const p = new Float32Array(l.size), m = new Float32Array(l.size);
    for (let j = 0; j < l.size; j++) (p[j] = x0[j]! + h * d[j]!), (m[j] = x0[j]! - h * d[j]!);
    plus.push(tensor(p, l.shape));
    minus.push(tensor(m, l.shape));
    return Float64Array.from(p, (v, j) => (v - m[j]!) / (2 * h));
  });
  return { plus: tree.unflatten(def, plus), minus: tree.unflatten(def, minus), tEff };
}

/** ⟨ct, (f(x₊) − f(x₋)) / 2h⟩ and its error scale, including float32 rounding of the outputs. */
function fdSide(f: (x: never) => unknown, s: Sides, ct: readonly (Float64Array | null)[], h: number): [number, number] {
  const yp = tree.leaves(f(s.plus as never) as Tree<unknown>), ym = tree.leaves(f(s.minus as never) as Tree<unknown>);
  let dot = 0, scale = 0;
  yp.forEach((l, i) => {
    const c = ct[i];
    if (!c || !isFloat(l)) return;
    const a = dataOf(l), b = dataOf(ym[i] as Tensor);
    for (let j = 0; j < c.length; j++) {
      const fd = (a[j]! - b[j]!) / (2 * h);
      dot += c[j]! * fd;
      scale += Math.abs(c[j]!) * (Math.abs(fd) + ((Math.abs(a[j]!) + Math.abs(b[j]!)) * 2 ** -24) / (2 * h));
    }
  });
  return [dot, scale];
}

function dot64(ts: readonly unknown[], ds: readonly (Float64Array | null)[]): [number, number] {
  let dot = 0, scale = 0;
  ts.forEach((l, i) => {
    const d = ds[i];
    if (!d || !isFloat(l)) return;
    const a = dataOf(l);
    for (let j = 0; j < d.length; j++) (dot += a[j]! * d[j]!), (scale += Math.abs(a[j]! * d[j]!));
  });
  return [dot, scale];
}

function verdict(name: string, k: number, ad: number, fd: number, scale: number, o: CheckOptions) {
  const err = Math.abs(ad - fd);
  const tol = (o.atol ?? 1e-4) + (o.rtol ?? 1e-2) * scale;
  if (!(err <= tol))
    throw new Error(`${name}: direction ${k}: the derivative gives ${ad}, finite differences give ${fd} (|difference| ${err.toExponential(2)} > tolerance ${tol.toExponential(2)})`);
  return { ad, fd, err, tol };
}

/**
 * Checks reverse mode against central differences along random directions t (for x) and ct (for
 * the output): ⟨pullback(ct), t⟩ ≈ ⟨ct, (f(x + h t) − f(x − h t)) / 2h⟩. Sums run in float64 on the
 * host; t is the perturbation actually applied after rounding x ± h t to float32. Throws on a
 * mismatch. Integer leaves are not perturbed. Keep inputs away from kinks by more than h.
 */
export function checkVjp<X, Y>(f: (x: X) => Y, x: X, opts: CheckOptions = {}): CheckReport {
  const h = opts.eps ?? 1e-2;
  const rnd = normals(opts.seed ?? 0);
  const [y, pullback] = vjp(f, x);
  const [yLeaves, yDef] = tree.flatten(y as Tree<unknown>);
  const xLeaves = tree.leaves(x as Tree<unknown>);
  const out = [];
  for (let k = 0; k < (opts.directions ?? 3); k++) {
    const s = perturb(x, direction(xLeaves, rnd), h);
    const ct = direction(yLeaves, rnd);
    const ctTree = tree.unflatten(yDef, yLeaves.map((l, i) => (ct[i] ? tensor(Float32Array.from(ct[i]!), (l as Tensor).shape) : l))) as Y;
    const g = pullback(ctTree);
    if (!tree.structureEqual(g as Tree<unknown>, x as Tree<unknown>)) throw new Error('checkVjp: the pullback did not return a tree shaped like x');
    const [ad, sa] = dot64(tree.leaves(g as Tree<unknown>), s.tEff);
    const [fd, sf] = fdSide(f as (x: never) => unknown, s, ct.map((c) => (c ? Float64Array.from(Float32Array.from(c)) : null)), h);
    out.push(verdict('checkVjp', k, ad, fd, Math.max(sa, sf), opts));
  }
  return { directions: out };
}

/** Checks forward mode the same way: ⟨ct, jvp(f, x, t)⟩ ≈ ⟨ct, (f(x + h t) − f(x − h t)) / 2h⟩. */
export function checkJvp<X, Y>(f: (x: X) => Y, x: X, opts: CheckOptions = {}): CheckReport {
  const h = opts.eps ?? 1e-2;
  const rnd = normals(opts.seed ?? 0);
  const [xLeaves, xDef] = tree.flatten(x as Tree<unknown>);
  const out = [];
  for (let k = 0; k < (opts.directions ?? 3); k++) {
    const s = perturb(x, direction(xLeaves, rnd), h);
    const tTree = tree.unflatten(xDef, xLeaves.map((l, i) => (s.tEff[i] ? tensor(Float32Array.from(s.tEff[i]!), (l as Tensor).shape) : l))) as X;
    const [y, tangent] = jvp(f, x, tTree);
    const ct = direction(tree.leaves(y as Tree<unknown>), rnd);
    const [ad, sa] = dot64(tree.leaves(tangent as Tree<unknown>), ct);
    const [fd, sf] = fdSide(f as (x: never) => unknown, s, ct, h);
    out.push(verdict('checkJvp', k, ad, fd, Math.max(sa, sf), opts));
  }
  return { directions: out };
}
