/**
 * Errors at the API boundary: they name the operation, the argument and the shapes, and say how to
 * fix the call. Kernels assume valid input and never throw these.
 */

/** The operation the user called, while a composite op (softmax, variance, ...) runs its parts. */
let userOp: string | undefined;

/**
 * The base class of every error @ssam/tensor throws for a bad call. `op` is the operation the
 * user called: an error raised by a part of a composite op (the `max` inside `softmax`) names the
 * composite, so the message speaks of the call the user wrote.
 */
export class SsamError extends Error {
  override readonly name: string = 'SsamError';
  readonly op: string;
  constructor(op: string, message: string) {
    const named = userOp ?? op;
    super(`${named}: ${message}`);
    this.op = named;
  }
}

export class ShapeError extends SsamError {
  override readonly name = 'ShapeError';
}

export class DTypeError extends SsamError {
  override readonly name = 'DTypeError';
}

export class ArgumentError extends SsamError {
  override readonly name = 'ArgumentError';
}

/**
 * Runs `body` as the user-facing op `op`: errors raised inside it (by the primitives it is built
 * from) name `op`. Nested calls keep the outermost name.
 */
export function asOp<T>(op: string, body: () => T): T {
  if (userOp !== undefined) return body();
  userOp = op;
  try {
    return body();
  } finally {
    userOp = undefined;
  }
}

export const fmtShape = (s: readonly number[]): string => `[${s.join(', ')}]`;

/** A short description of a value for an error message: never throws, never prints a huge array. */
export function describeValue(v: unknown): string {
  if (v === null) return 'null';
  if (v === undefined) return 'undefined';
  if (typeof v === 'number') return String(v);
  if (typeof v === 'string') return JSON.stringify(v.length > 40 ? `${v.slice(0, 40)}…` : v);
  if (typeof v === 'bigint') return `${v}n`;
  if (typeof v === 'boolean' || typeof v === 'symbol' || typeof v === 'function') return typeof v === 'symbol' ? 'a symbol' : typeof v === 'function' ? 'a function' : String(v);
  if (Array.isArray(v)) return v.length <= 8 && v.every((e) => typeof e === 'number') ? `[${v.join(', ')}]` : `an array of length ${v.length}`;
  const ctor = (v as { constructor?: { name?: unknown } }).constructor?.name;
  if (ctor === 'Tensor') return String(v);
  return typeof ctor === 'string' && ctor !== 'Object' ? `a ${ctor}` : 'an object';
}
