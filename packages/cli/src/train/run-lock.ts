import { closeSync, fsyncSync, openSync, readFileSync, rmSync, statSync, writeSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { UsageError } from '../config.js';
import { makeDirs, RUN_FILES } from './run-dir.js';

/**
 * One process per run folder. The lock is `ssam.lock`, created with O_EXCL (so exactly one
 * creator wins) and holding its owner: PID, host, boot id and the kernel's start time of that
 * PID (so a reused PID is not mistaken for the owner). A lock whose owner is gone (SIGKILL,
 * power loss, SIGINT/SIGTERM) is stale and is taken over; a live owner means exit 2 with a
 * message naming it. The lock goes away when the run ends, normally or with an error.
 */
export interface LockOwner {
  readonly pid: number;
  readonly host: string;
  readonly bootId: string | null;
  /** Field 22 of /proc/<pid>/stat (clock ticks after boot), where there is a /proc. */
  readonly procStart: string | null;
  readonly startedAt: string;
  readonly command: string;
}

const readOr = (file: string): string | null => {
  try {
    return readFileSync(file, 'utf8').trim();
  } catch {
    return null;
  }
};

/** The start time of `pid` (null without /proc); the command name may hold spaces and ')'. */
function procStart(pid: number): string | null {
  const stat = readOr(`/proc/${pid}/stat`);
  if (stat === null) return null;
  return stat.slice(stat.lastIndexOf(')') + 2).split(' ')[19] ?? null;
}

const bootId = (): string | null => readOr('/proc/sys/kernel/random/boot_id');

function me(command: string): LockOwner {
  return { pid: process.pid, host: os.hostname(), bootId: bootId(), procStart: procStart(process.pid), startedAt: new Date().toISOString(), command };
}

/** Alive, gone, or not knowable from here (another host). */
export function ownerState(o: LockOwner): 'alive' | 'gone' | 'unknown' {
  if (o.host !== os.hostname()) return 'unknown';
  if (o.bootId && bootId() && o.bootId !== bootId()) return 'gone';
  try {
    process.kill(o.pid, 0);
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code !== 'EPERM') return 'gone';
  }
  const now = procStart(o.pid);
  return o.procStart && now && now !== o.procStart ? 'gone' : 'alive';
}

function parseOwner(text: string): LockOwner | undefined {
  try {
    const o = JSON.parse(text) as Partial<LockOwner>;
    return Number.isSafeInteger(o.pid) && (o.pid as number) > 0 && typeof o.host === 'string' ? (o as LockOwner) : undefined;
  } catch {
    return undefined;
  }
}

export const describeOwner = (o: LockOwner): string => `${o.command} (PID ${o.pid} on ${o.host}, started ${o.startedAt})`;

// An empty lock is a creator between open and write, unless it has been empty for this long.
const HALF_WRITTEN_MS = 10_000;

type Found = { kind: 'none' } | { kind: 'owner'; owner: LockOwner; text: string } | { kind: 'garbled'; text: string; ageMs: number };

function readLock(file: string): Found {
  const text = readOr(file);
  if (text === null) return { kind: 'none' };
  const owner = parseOwner(text);
  if (owner) return { kind: 'owner', owner, text };
  let ageMs = 0;
  try {
    ageMs = Date.now() - statSync(file).mtimeMs;
  } catch {
    return { kind: 'none' };
  }
  return { kind: 'garbled', text, ageMs };
}

/** Who holds `dir`'s lock now, if anyone alive (or unknowable) does: for messages and fresh-folder checks. */
export function liveOwner(dir: string): LockOwner | 'starting' | undefined {
  const f = readLock(path.join(dir, RUN_FILES.lock));
  if (f.kind === 'owner') return ownerState(f.owner) === 'gone' ? undefined : f.owner;
  if (f.kind === 'garbled') return f.ageMs < HALF_WRITTEN_MS ? 'starting' : undefined;
  return undefined;
}

function createExclusive(file: string, text: string): boolean {
  let fd: number;
  try {
    fd = openSync(file, 'wx');
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'EEXIST') return false;
    throw e;
  }
  try {
    writeSync(fd, text);
    fsyncSync(fd);
  } catch (e) {
    closeSync(fd);
    rmSync(file, { force: true });
    throw e;
  }
  closeSync(fd);
  return true;
}

/**
 * Removes a stale lock, but only the one that was judged stale: two processes that both found it
 * stale must not let the slower one delete the lock the faster one has just created. The
 * `.takeover` guard (itself O_EXCL, with a PID) serialises the re-read and the unlink.
 */
export function removeStale(file: string, staleText: string): void {
  const guard = `${file}.takeover`;
  if (!createExclusive(guard, String(process.pid))) {
    const pid = Number(readOr(guard));
    const alive = Number.isSafeInteger(pid) && pid > 0 && ownerState({ pid, host: os.hostname(), bootId: null, procStart: null, startedAt: '', command: '' }) === 'alive';
    if (alive) return; // another process is taking over; the next O_EXCL create decides
    rmSync(guard, { force: true });
    return;
  }
  try {
    if (readOr(file) === staleText) rmSync(file, { force: true });
  } finally {
    rmSync(guard, { force: true });
  }
}

const held = new Map<string, { count: number; file: string; text: string }>();

// NOTE: no signal handlers. Training runs synchronously, so a JS handler for SIGINT/SIGTERM would
// only run once the whole run had finished: installing one would make Ctrl-C and `kill` wait for
// it. A signal kills the process at once, as before, and its lock is stale (dead PID): the next
// run on the folder takes it over, exactly as after a SIGKILL or a power loss.
function releaseAll(): void {
  for (const [key, h] of held) {
    if (readOr(h.file) === h.text) rmSync(h.file, { force: true });
    held.delete(key);
  }
}

/**
 * Takes `dir`'s lock (creating `dir`) and returns its release. Re-entrant within one process:
 * `ssam train` holds it from before config.json is written, and the training loop takes it again
 * (which is how each run of `ssam compare` gets its own). Throws UsageError when a live process
 * holds it; file-system errors (EACCES, ENOTDIR, ENOSPC) propagate for the caller to report.
 */
export function acquireRunLock(dir: string, command = 'ssam'): () => void {
  const key = path.resolve(dir);
  const release = () => {
    const h = held.get(key);
    if (!h || --h.count > 0) return;
    held.delete(key);
    if (readOr(h.file) === h.text) rmSync(h.file, { force: true });
    if (held.size === 0) process.off('exit', releaseAll);
  };
  const h = held.get(key);
  if (h) {
    h.count++;
    return release;
  }
  makeDirs(dir);
  const file = path.join(dir, RUN_FILES.lock);
  const text = JSON.stringify(me(command));
  for (let attempt = 0; attempt < 5; attempt++) {
    if (createExclusive(file, text)) {
      if (held.size === 0) process.on('exit', releaseAll); // process.exit() skips the finally blocks
      held.set(key, { count: 1, file, text });
      return release;
    }
    const f = readLock(file);
    if (f.kind === 'none') continue; // released in between: try again
    if (f.kind === 'owner') {
      const state = ownerState(f.owner);
      if (state === 'alive') throw new UsageError(`--out ${dir} is in use by ${describeOwner(f.owner)}; wait for it to finish or stop it, or choose another --out`);
      if (state === 'unknown')
        throw new UsageError(`--out ${dir} is locked by ${describeOwner(f.owner)}, another host; if no run uses the folder any more, delete ${file}`);
      removeStale(file, f.text);
    } else if (f.ageMs < HALF_WRITTEN_MS) {
      throw new UsageError(`--out ${dir} is in use by a process that is starting (its ${RUN_FILES.lock} is being written); choose another --out`);
    } else removeStale(file, f.text);
  }
  throw new UsageError(`--out ${dir}: could not take ${file} (other processes keep taking it over); choose another --out`);
}
