// File access for the readers: every failure becomes a DataError naming the file.
import { readFileSync, statSync } from 'node:fs';
import { gunzipSync } from 'node:zlib';
import * as E from 'fp-ts/lib/Either.js';
import { dataError, type DataError } from '../errors.js';

/** The size of a regular file, or a `missing` error. */
export function fileSize(op: string, file: string, what: string): E.Either<DataError, number> {
  try {
    const st = statSync(file);
    if (!st.isFile()) return E.left(dataError('missing', op, file, `a file (${what})`, 'a directory'));
    return E.right(st.size);
  } catch (e) {
    return E.left(dataError('missing', op, file, `an existing file (${what})`, describeFsError(e)));
  }
}

/** Reads a whole file as bytes (a view over Node's buffer, no copy). */
export function readBytes(op: string, file: string, what: string): E.Either<DataError, Uint8Array> {
  try {
    const buf = readFileSync(file);
    return E.right(new Uint8Array(buf.buffer, buf.byteOffset, buf.byteLength));
  } catch (e) {
    return E.left(dataError('missing', op, file, `a readable file (${what})`, describeFsError(e)));
  }
}

/** True when the bytes start with the gzip magic 1f 8b. */
export const isGzip = (b: Uint8Array): boolean => b.length >= 2 && b[0] === 0x1f && b[1] === 0x8b;

/** Gunzips when the bytes carry the gzip magic; otherwise returns them unchanged. */
export function maybeGunzip(op: string, file: string, bytes: Uint8Array): E.Either<DataError, Uint8Array> {
  if (!isGzip(bytes)) return E.right(bytes);
  try {
    const out = gunzipSync(bytes);
    return E.right(new Uint8Array(out.buffer, out.byteOffset, out.byteLength));
  } catch (e) {
    return E.left(
      dataError('format', op, file, 'a complete gzip stream (the file starts with the gzip magic 1f 8b)', `a gzip error: ${(e as Error).message}`, 'The download is probably truncated; fetch the file again'),
    );
  }
}

/** Directory check with a message listing what the directory should hold. */
export function requireDir(op: string, dir: string, expected: string): E.Either<DataError, string> {
  try {
    if (statSync(dir).isDirectory()) return E.right(dir);
    return E.left(dataError('missing', op, dir, `a directory holding ${expected}`, 'a file'));
  } catch (e) {
    return E.left(dataError('missing', op, dir, `a directory holding ${expected}`, describeFsError(e)));
  }
}

export function exists(p: string): boolean {
  try {
    statSync(p);
    return true;
  } catch {
    return false;
  }
}

function describeFsError(e: unknown): string {
  const code = (e as NodeJS.ErrnoException)?.code;
  if (code === 'ENOENT') return 'no such file or directory';
  if (code === 'EACCES') return 'permission denied';
  return (e as Error)?.message ?? String(e);
}
