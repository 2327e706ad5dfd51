import * as E from 'fp-ts/lib/Either.js';
import { readSafetensors, SafetensorsError, type Decoded } from '@ssam/tensor/io';

/**
 * The safetensors codec lives in the library (`@ssam/tensor/io`, hardened: header length vs file
 * size with a cap, dtype/shape/offset checks, regular files only); the CLI re-exports it and keeps
 * its Either-returning reader for the checkpoint code.
 */
export { encodeSafetensors, decodeSafetensors, SafetensorsError, MAX_HEADER_BYTES, type Decoded } from '@ssam/tensor/io';

/** `readSafetensors` as an Either: a Left is the SafetensorsError naming the file and entry. */
export function readSafetensorsFile(file: string): E.Either<SafetensorsError, Decoded> {
  return E.tryCatch(
    () => readSafetensors(file, 'read checkpoint'),
    (e) => (e instanceof SafetensorsError ? e : new SafetensorsError('read checkpoint', `${file}: ${(e as Error).message}`)),
  );
}
