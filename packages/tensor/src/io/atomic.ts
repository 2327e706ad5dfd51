import { closeSync, fsyncSync, openSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';

/** `writeFileAtomic`'s temporary names: `<file>.tmp-<pid>`. A kill can leave one behind. */
export const isTempFile = (name: string): boolean => /\.tmp-\d+$/.test(name);

/**
 * Writes a file under a temporary name, fsyncs it, renames it over `file`, then fsyncs the folder:
 * readers see the old or the new file, never a torn one, and after a power cut the rename holds.
 * A failed write (a full disk) removes its temporary file, leaves the old file as it was and
 * rethrows Node's error (with its errno code).
 */
export function writeFileAtomic(file: string, data: string | Uint8Array): void {
  const tmp = `${file}.tmp-${process.pid}`;
  try {
    writeFileSync(tmp, data);
    const fd = openSync(tmp, 'r');
    try {
      fsyncSync(fd);
    } finally {
      closeSync(fd);
    }
    renameSync(tmp, file);
  } catch (e) {
    rmSync(tmp, { force: true });
    throw e;
  }
  syncDir(path.dirname(file));
}

/** Makes a rename durable: the folder's entry is on disk once its fsync returns. */
function syncDir(dir: string): void {
  let fd: number | undefined;
  try {
    fd = openSync(dir, 'r');
    fsyncSync(fd);
  } catch {
    // Some file systems refuse to fsync a folder; the rename is still atomic there.
  } finally {
    if (fd !== undefined) closeSync(fd);
  }
}
