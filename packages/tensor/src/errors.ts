/**
 * Errors at the API boundary: they name the operation, the argument and the shapes, and say how to
 * fix the call. Kernels assume valid input and never throw these.
 */
export class ShapeError extends Error {
  override readonly name = 'ShapeError';
  constructor(
    readonly op: string,
    message: string,
  ) {
    super(`${op}: ${message}`);
  }
}

export class DTypeError extends Error {
  override readonly name = 'DTypeError';
  constructor(
    readonly op: string,
    message: string,
  ) {
    super(`${op}: ${message}`);
  }
}

export class ArgumentError extends Error {
  override readonly name = 'ArgumentError';
  constructor(
    readonly op: string,
    message: string,
  ) {
    super(`${op}: ${message}`);
  }
}

export const fmtShape = (s: readonly number[]): string => `[${s.join(', ')}]`;
