import { ArgumentError } from '@ssam/tensor';
import type { Schedule } from '../types.js';

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
    return v as Schedule;
  }
  if (v === undefined) throw new ArgumentError(op, `${name} is required (a number ≥ 0 or a schedule such as warmupCosineSchedule(...))`);
  return checkNonNegative(op, name, v);
}

export function checkOneOf<T extends string>(op: string, name: string, v: unknown, options: readonly T[]): T {
  if (typeof v !== 'string' || !options.includes(v as T))
    throw new ArgumentError(op, `${name} must be one of ${options.map((o) => `'${o}'`).join(', ')}, got ${JSON.stringify(v)}`);
  return v as T;
}
