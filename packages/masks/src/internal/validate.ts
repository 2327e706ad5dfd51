import { ArgumentError, ShapeError, isTensor, tree, type Tensor, type Tree } from '@ssam/tensor';

// Boundary checks shared by every mask function. Messages name the operation, the argument and
// the offending value, and say how to fix the call.

const show = (v: unknown): string => {
  if (typeof v === 'string') return JSON.stringify(v);
  if (typeof v === 'number' || typeof v === 'boolean' || v === null || v === undefined) return String(v);
  if (isTensor(v)) return `a tensor of shape [${v.shape.join(', ')}]`;
  return Array.isArray(v) ? 'an array' : typeof v;
};

/** The sparsity s ∈ [0, 1]: the fraction of entries NOT perturbed. */
export function checkSparsity(op: string, s: unknown, arg = 'sparsity'): number {
  if (typeof s !== 'number' || !Number.isFinite(s) || s < 0 || s > 1)
    throw new ArgumentError(op, `${arg} must be a number in [0, 1] (the fraction of entries NOT perturbed; 0.5 perturbs half); got ${show(s)}`);
  return s;
}

export function checkRate(op: string, r: unknown, arg: string): number {
  if (typeof r !== 'number' || !Number.isFinite(r) || r < 0 || r > 1)
    throw new ArgumentError(op, `${arg} must be a number in [0, 1]; got ${show(r)}`);
  return r;
}

export function checkInt(op: string, v: unknown, arg: string, min: number, hint = ''): number {
  if (typeof v !== 'number' || !Number.isInteger(v) || v < min)
    throw new ArgumentError(op, `${arg} must be an integer ≥ ${min}; got ${show(v)}${hint ? `. ${hint}` : ''}`);
  return v;
}

export function checkChoice<T extends string>(op: string, v: unknown, arg: string, choices: readonly T[]): T {
  if (typeof v !== 'string' || !(choices as readonly string[]).includes(v))
    throw new ArgumentError(op, `${arg} must be one of ${choices.map((c) => `'${c}'`).join(', ')}; got ${show(v)}`);
  return v as T;
}

export function checkOptions(op: string, opts: unknown): Record<string, unknown> {
  if (opts === null || typeof opts !== 'object' || Array.isArray(opts))
    throw new ArgumentError(op, `options must be an object such as { sparsity: 0.5 }; got ${show(opts)}`);
  return opts as Record<string, unknown>;
}

/** Leaves of `t` must all be tensors; returns them in canonical order. */
export function tensorLeaves(op: string, t: Tree, arg: string): Tensor[] {
  const ls = tree.leaves(t as Tree<unknown>);
  ls.forEach((l, i) => {
    if (!isTensor(l)) throw new ArgumentError(op, `${arg} must be a pytree of tensors; leaf ${i} is ${show(l)}`);
  });
  return ls as Tensor[];
}

/** `b` must have the structure of `a` and the same leaf shapes. */
export function checkSameLayout(op: string, a: Tree, aName: string, b: Tree, bName: string, paths: readonly string[]): void {
  if (!tree.structureEqual(a as Tree<unknown>, b as Tree<unknown>))
    throw new ShapeError(op, `${bName} must have the pytree structure of ${aName} (same keys and leaves); build it from ${aName}, e.g. with fullMask(${aName})`);
  const la = tree.leaves(a);
  const lb = tensorLeaves(op, b, bName);
  la.forEach((x, i) => {
    const y = lb[i]!;
    if (x.shape.length !== y.shape.length || x.shape.some((d, j) => d !== y.shape[j]))
      throw new ShapeError(op, `${bName} at '${paths[i]}' has shape [${y.shape.join(', ')}], ${aName} has [${x.shape.join(', ')}]`);
  });
}
