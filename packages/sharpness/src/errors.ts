import { ArgumentError, ShapeError } from '@ssam/tensor';

/**
 * The package reports bad input with @ssam/tensor's error types, so a caller catches one family
 * of errors across the whole stack. Messages name the operation, the argument and the value.
 */
export { ArgumentError, ShapeError };

/** Throws an ArgumentError unless `v` is an integer in [min, max]. */
export function checkInt(op: string, name: string, v: number, min: number, max = Number.MAX_SAFE_INTEGER): number {
  if (!Number.isInteger(v) || v < min || v > max)
    throw new ArgumentError(op, `${name} must be an integer in [${min}, ${max === Number.MAX_SAFE_INTEGER ? '∞' : max}], got ${v}`);
  return v;
}

/** Throws an ArgumentError unless `v` is a finite number > 0 (or ≥ 0 with `allowZero`). */
export function checkPositive(op: string, name: string, v: number, allowZero = false): number {
  if (!Number.isFinite(v) || v < 0 || (!allowZero && v === 0))
    throw new ArgumentError(op, `${name} must be a finite number ${allowZero ? '≥' : '>'} 0, got ${v}`);
  return v;
}

/** Throws an ArgumentError unless `r` is a finite [lo, hi] with lo < hi. */
export function checkRange(op: string, name: string, r: readonly [number, number]): readonly [number, number] {
  if (!Array.isArray(r) || r.length !== 2 || !Number.isFinite(r[0]) || !Number.isFinite(r[1]) || !(r[0] < r[1]))
    throw new ArgumentError(op, `${name} must be [lo, hi] with finite lo < hi, got ${JSON.stringify(r)}`);
  return r;
}
