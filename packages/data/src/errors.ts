import * as E from 'fp-ts/lib/Either.js';

/**
 * What went wrong reading a data file. Every reader returns `Either<DataError, A>` and checks a
 * whole file set before building anything, so a `Left` means nothing was loaded.
 * - `missing`: a file or directory does not exist (or cannot be read);
 * - `size`: the byte count does not match the header or the record size (truncated or padded);
 * - `magic`: the leading bytes are not the expected format signature;
 * - `label`: a label is outside `[0, numClasses)`;
 * - `shape`: the files disagree (image and label counts, image sizes);
 * - `format`: anything else undecodable (broken gzip, broken PNG, bad JSON).
 */
export type DataErrorKind = 'missing' | 'size' | 'magic' | 'label' | 'shape' | 'format';

export interface DataError {
  readonly _tag: 'DataError';
  readonly kind: DataErrorKind;
  /** The reader that failed, e.g. `readIdx`. */
  readonly op: string;
  /** The file (or directory) at fault. */
  readonly file: string;
  readonly expected: string;
  readonly got: string;
  /** How to fix it, when there is something to say. */
  readonly hint: string | undefined;
  /** `op: file: expected ..., got ... . hint` */
  readonly message: string;
}

/** Builds a DataError; the message names the reader, the file, what was expected and what was found. */
export function dataError(kind: DataErrorKind, op: string, file: string, expected: string, got: string, hint?: string): DataError {
  const message = `${op}: ${file}: expected ${expected}, got ${got}${hint ? `. ${hint}` : ''}`;
  return { _tag: 'DataError', kind, op, file, expected, got, hint, message };
}

/** The exception the throwing convenience wrappers (`loadX`) raise; `detail` is the DataError. */
export class DataLoadError extends Error {
  override readonly name = 'DataLoadError';
  constructor(readonly detail: DataError) {
    super(detail.message);
  }
}

/** Unwraps a reader result, throwing `DataLoadError` on `Left`. */
export function getOrThrow<A>(result: E.Either<DataError, A>): A {
  if (E.isLeft(result)) throw new DataLoadError(result.left);
  return result.right;
}

/** Formats a byte count with thousands separators, for error messages. */
export const fmtBytes = (n: number): string => `${n.toLocaleString('en-US')} bytes`;
