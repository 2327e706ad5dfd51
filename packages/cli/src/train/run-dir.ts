import { appendFileSync, closeSync, constants, existsSync, fstatSync, mkdirSync, openSync, readSync, statSync } from 'node:fs';
import path from 'node:path';
import { writeFileAtomic as writeFileAtomicLib } from '@ssam/tensor/io';

/**
 * The files of a run folder (runs/<name>/):
 * - config.json   everything needed to rerun (config, command, versions, backend)
 * - metrics.csv   one row per finished epoch (rewritten from the checkpoint's history on resume)
 * - steps.jsonl   one JSON line per step (trimmed back to the checkpoint on resume)
 * - summary.json  the outcome (status, best/final accuracy, timings)
 * - model.safetensors  the final params and model state
 * - checkpoint/   the resumable state (see checkpoint.ts)
 */
export const RUN_FILES = {
  config: 'config.json',
  metrics: 'metrics.csv',
  steps: 'steps.jsonl',
  summary: 'summary.json',
  model: 'model.safetensors',
  checkpoint: 'checkpoint',
  lock: 'ssam.lock',
} as const;

/** `writeFileAtomic`'s temporary names: `<file>.tmp-<pid>`. A kill can leave one behind. */
export { isTempFile } from '@ssam/tensor/io';

/** One row of metrics.csv. Times are wall-clock; every other column is a pure function of the seed. */
export interface EpochRecord {
  readonly epoch: number;
  readonly step: number;
  readonly lr: number;
  readonly trainLoss: number;
  readonly trainAcc: number;
  readonly testLoss: number;
  readonly testAcc: number;
  readonly maskDensity: number;
  readonly epsNorm: number;
  /** Wall-clock seconds of the epoch's training (data loading included, evaluation excluded). */
  readonly seconds: number;
  /** Median wall-clock time of one training step (pass 1, pass 2, mask refresh, update). */
  readonly stepMs: number;
}

export const METRICS_COLUMNS = ['epoch', 'step', 'lr', 'train_loss', 'train_acc', 'test_loss', 'test_acc', 'mask_density', 'eps_norm', 'seconds', 'step_ms'] as const;

const cell = (v: number): string => (Number.isNaN(v) ? '' : Number.isInteger(v) ? String(v) : String(Number(v.toPrecision(8))));

export function metricsCsv(rows: readonly EpochRecord[]): string {
  const lines = rows.map((r) => [r.epoch, r.step, r.lr, r.trainLoss, r.trainAcc, r.testLoss, r.testAcc, r.maskDensity, r.epsNorm, r.seconds, r.stepMs].map(cell).join(','));
  return [METRICS_COLUMNS.join(','), ...lines].join('\n') + '\n';
}

/**
 * `mkdir -p`, one level at a time: Node's recursive mkdir spins forever where a parent refuses new
 * entries with ENOENT (under /proc), and a plain error names the level that failed.
 */
export function makeDirs(dir: string): void {
  const abs = path.resolve(dir);
  const parent = path.dirname(abs);
  try {
    mkdirSync(abs);
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    if (code === 'EEXIST') {
      if (!statSync(abs).isDirectory()) throw Object.assign(new Error(`ENOTDIR: not a directory, mkdir '${abs}'`), { code: 'ENOTDIR', syscall: 'mkdir', path: abs });
      return;
    }
    if (code !== 'ENOENT' || parent === abs) throw e;
    makeDirs(parent);
    mkdirSync(abs);
  }
}

/**
 * The library's atomic write (`@ssam/tensor/io`: temporary file, fsync, rename, folder fsync); a
 * failure keeps Node's errno code and gains the path for `describeFsError`.
 */
export function writeFileAtomic(file: string, data: string | Uint8Array): void {
  try {
    writeFileAtomicLib(file, data);
  } catch (e) {
    throw withPath(e, file);
  }
}

export const writeJson = (file: string, value: unknown): void => writeFileAtomic(file, JSON.stringify(value, null, 2) + '\n');

/** A Node file-system error (it has an errno code such as ENOSPC and, usually, the path). */
export const isFsError = (e: unknown): e is NodeJS.ErrnoException =>
  e instanceof Error && typeof (e as NodeJS.ErrnoException).code === 'string' && typeof (e as NodeJS.ErrnoException).syscall === 'string';

const FS_WORDS: Record<string, string> = {
  ENOSPC: 'no space left on the device', EDQUOT: 'the disk quota is exhausted', EACCES: 'permission denied', EPERM: 'operation not permitted',
  EROFS: 'the file system is read-only', ENOTDIR: 'a part of the path is a file, not a folder', EISDIR: 'it is a folder', ENOENT: 'no such file or folder',
  EIO: 'an input/output error', EMFILE: 'too many open files', ENAMETOOLONG: 'the name is too long',
};

/** A write error names no file (`write` has only a descriptor); give it the one being written. */
export function withPath(e: unknown, file: string): unknown {
  if (isFsError(e) && e.path === undefined) e.path = file;
  return e;
}

/** `writing runs/a/steps.jsonl: no space left on the device (ENOSPC)`: one line, no stack. */
export function describeFsError(e: NodeJS.ErrnoException): string {
  const verb = e.syscall === 'mkdir' ? 'creating' : e.syscall === 'open' || e.syscall === 'read' ? 'opening' : e.syscall === 'rename' ? 'renaming' : 'writing';
  const what = e.path ? `${verb} ${e.path}` : `${e.syscall} failed`;
  return `${what}: ${FS_WORDS[e.code!] ?? e.message.split('\n')[0]} (${e.code})`;
}

/** Why reading a run's file failed, in one line (for the message that names the file). */
export class RunFileError extends Error {
  override readonly name = 'RunFileError';
}

/**
 * Reads a file of a run folder without trusting it: a regular file (a symlink is not followed,
 * a FIFO or device is refused without blocking) of at most `maxBytes`.
 */
export function readRegularFile(file: string, maxBytes = 64 * 2 ** 20): Buffer {
  let fd: number;
  try {
    fd = openSync(file, constants.O_RDONLY | constants.O_NOFOLLOW | constants.O_NONBLOCK);
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    throw new RunFileError(`${file} ${code === 'ELOOP' ? 'is a symbolic link; run files are regular files' : `cannot be opened (${code ?? (e as Error).message})`}`);
  }
  try {
    const st = fstatSync(fd);
    if (!st.isFile()) throw new RunFileError(`${file} is not a regular file`);
    if (st.size > maxBytes) throw new RunFileError(`${file} has ${st.size} bytes, more than the ${maxBytes} such a file can hold`);
    const buf = Buffer.alloc(st.size);
    let got = 0;
    for (let r = 1; got < buf.length && r > 0; got += r) r = readSync(fd, buf, got, buf.length - got, got);
    return buf.subarray(0, got);
  } finally {
    closeSync(fd);
  }
}

export function readJson<T>(file: string): T {
  return JSON.parse(readRegularFile(file).toString('utf8')) as T;
}

/** A run folder: where each file goes, and the small writers the training loop uses. */
export class RunDir {
  constructor(readonly dir: string) {}
  file(name: keyof typeof RUN_FILES): string {
    return path.join(this.dir, RUN_FILES[name]);
  }
  create(): void {
    makeDirs(this.dir);
  }
  writeMetrics(rows: readonly EpochRecord[]): void {
    writeFileAtomic(this.file('metrics'), metricsCsv(rows));
  }
  appendSteps(lines: readonly object[]): void {
    if (!lines.length) return;
    try {
      appendFileSync(this.file('steps'), lines.map((l) => JSON.stringify(l)).join('\n') + '\n');
    } catch (e) {
      throw withPath(e, this.file('steps'));
    }
  }
  /** Keeps only the step lines before `step` (a resumed run redoes the ones after its checkpoint). */
  trimSteps(step: number): void {
    const f = this.file('steps');
    if (!existsSync(f)) return;
    const kept = readRegularFile(f, 256 * 2 ** 20).toString('utf8')
      .split('\n')
      .filter((l) => {
        if (!l.trim()) return false;
        try {
          return (JSON.parse(l) as { step: number }).step < step;
        } catch {
          return false; // a line cut short by the kill
        }
      });
    writeFileAtomic(f, kept.length ? kept.join('\n') + '\n' : '');
  }
}
