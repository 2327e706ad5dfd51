import { ArgumentError, DTypeError, isTensor, ShapeError, tree, type Tree } from '@ssam/tensor';
import type { GradientTransformation, Schedule } from '../types.js';

// Constructor-time checks. Every message names the builder, the argument, the bad value and a fix.

export function checkFinite(op: string, name: string, v: unknown): number {
  if (typeof v !== 'number' || !Number.isFinite(v))
    throw new ArgumentError(op, `${name} must be a finite number, got ${String(v)}`);
  return v;
}

export function checkNonNegative(op: string, name: string, v: unknown): number {
  const x = checkFinite(op, name, v);
  if (x < 0) throw new ArgumentError(op, `${name} must be ≥ 0, got ${x}`);
  return x;
}

export function checkPositive(op: string, name: string, v: unknown): number {
  const x = checkFinite(op, name, v);
  if (x <= 0) throw new ArgumentError(op, `${name} must be > 0, got ${x}`);
  return x;
}

export function checkUnit(op: string, name: string, v: unknown, { open = false }: { open?: boolean } = {}): number {
  const x = checkFinite(op, name, v);
  if (open ? !(x >= 0 && x < 1) : !(x >= 0 && x <= 1))
    throw new ArgumentError(op, `${name} must lie in [0, ${open ? '1)' : '1]'}, got ${x}`);
  return x;
}

export function checkPositiveInt(op: string, name: string, v: unknown): number {
  const x = checkFinite(op, name, v);
  if (!Number.isInteger(x) || x < 1) throw new ArgumentError(op, `${name} must be a positive integer, got ${x}`);
  return x;
}

export function checkNonNegativeInt(op: string, name: string, v: unknown): number {
  const x = checkFinite(op, name, v);
  if (!Number.isInteger(x) || x < 0) throw new ArgumentError(op, `${name} must be a non-negative integer, got ${x}`);
  return x;
}

/**
 * A number or a schedule. A schedule is probed at step 0 so an obviously broken one (negative,
 * NaN) fails when the optimizer is built rather than in the middle of training.
 */
export function checkRateOrSchedule(op: string, name: string, v: unknown): number | Schedule {
  if (typeof v === 'function') {
    const at0 = (v as Schedule)(0);
    if (typeof at0 !== 'number' || !Number.isFinite(at0) || at0 < 0)
      throw new ArgumentError(op, `${name} is a schedule whose value at step 0 is ${String(at0)}; a schedule must return finite numbers ≥ 0`);
    return checkedSchedule(op, name, v as Schedule);
  }
  if (v === undefined) throw new ArgumentError(op, `${name} is required (a number ≥ 0 or a schedule such as warmupCosineSchedule(...))`);
  return checkNonNegative(op, name, v);
}

/**
 * The schedule with every value checked when it is used, not only at step 0: a NaN, ±Inf or
 * negative learning rate at step k would otherwise turn the weights into NaN (or climb the loss)
 * without a word. Wrapping twice is harmless (the inner check names the outer builder).
 */
export function checkedSchedule(op: string, name: string, s: Schedule): Schedule {
  return (step) => {
    const v = s(step);
    if (typeof v !== 'number' || !Number.isFinite(v) || v < 0)
      throw new ArgumentError(op, `${name} schedule returned ${String(v)} at step ${step}; a schedule must return finite numbers ≥ 0 at every step (check its formula and its step range)`);
    return v;
  };
}

const fmt = (s: readonly number[]) => `[${s.join(', ')}]`;
const leaves = (n: number) => `${n} lea${n === 1 ? 'f' : 'ves'}`;
const pathOf = (p: readonly (string | number)[]) => (p.length === 0 ? '(the root)' : `'${p.join('.')}'`);

/**
 * `t` must have exactly the layout of `ref`: the same containers and keys, and at every leaf a
 * tensor of the same shape and dtype. Elementwise ops broadcast, so a [1, 4] gradient for a [2, 4]
 * parameter would otherwise be silently spread over both rows.
 */
export function checkSameLayout(op: string, what: string, t: Tree<unknown>, refName: string, ref: Tree<unknown>): void {
  const [tl, tdef] = tree.flatten(t);
  const [rl, rdef] = tree.flatten(ref);
  if (!tree.defsEqual(tdef, rdef)) {
    const tp = tree.paths(t).map((p) => p.join('.'));
    const rp = tree.paths(ref).map((p) => p.join('.'));
    const missing = rp.filter((p) => !tp.includes(p));
    const extra = tp.filter((p) => !rp.includes(p));
    const diff = [
      missing.length ? `missing ${missing.slice(0, 3).map((p) => `'${p}'`).join(', ')}${missing.length > 3 ? `, … (${missing.length})` : ''}` : '',
      extra.length ? `unexpected ${extra.slice(0, 3).map((p) => `'${p}'`).join(', ')}${extra.length > 3 ? `, … (${extra.length})` : ''}` : '',
    ].filter(Boolean);
    throw new ShapeError(op, `${what} must have the tree structure of ${refName} (${leaves(rl.length)}); ${what} has ${leaves(tl.length)}${diff.length ? `: ${diff.join('; ')}` : ' in other containers'}`);
  }
  let ps: (string | number)[][] | undefined; // only built for an error message
  const at = (i: number) => pathOf((ps ??= tree.paths(ref))[i]!);
  tl.forEach((x, i) => {
    const r = rl[i];
    if (!isTensor(r)) return; // only tensor leaves of the reference constrain t
    if (!isTensor(x)) throw new ShapeError(op, `${what} leaf ${at(i)} is ${String(x)}, not a tensor; ${refName} has a ${r.dtype} tensor of shape ${fmt(r.shape)} there`);
    if (x.shape.length !== r.shape.length || x.shape.some((d, j) => d !== r.shape[j]))
      throw new ShapeError(op, `${what} leaf ${at(i)} has shape ${fmt(x.shape)} but ${refName} has ${fmt(r.shape)}; every leaf must match exactly (no broadcasting)`);
    if (x.dtype !== r.dtype)
      throw new DTypeError(op, `${what} leaf ${at(i)} has dtype ${x.dtype} but ${refName} has ${r.dtype}`);
  });
}

export function checkOneOf<T extends string>(op: string, name: string, v: unknown, options: readonly T[]): T {
  if (typeof v !== 'string' || !options.includes(v as T))
    throw new ArgumentError(op, `${name} must be one of ${options.map((o) => `'${o}'`).join(', ')}, got ${JSON.stringify(v)}`);
  return v as T;
}

/**
 * `t` whose `update` first checks that the gradients have exactly the layout of `params` (when
 * given), so a user-facing optimizer names itself in the error instead of an inner member.
 */
export function withGradLayoutCheck<S>(op: string, t: GradientTransformation<S>): GradientTransformation<S> {
  return {
    ...t,
    update(grads, state, params, extra) {
      if (params !== undefined) checkSameLayout(`${op}.update`, 'grads', grads, 'params', params);
      return t.update(grads, state, params, extra);
    },
  };
}
