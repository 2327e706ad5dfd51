import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, utimesSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { UsageError } from '../config.js';
import { acquireRunLock, liveOwner, removeStale } from './run-lock.js';

const dir = () => mkdtempSync(path.join(os.tmpdir(), 'ssam-lock-'));
const lockFile = (d: string) => path.join(d, 'ssam.lock');
const startOf = (pid: number): string | null => {
  try {
    const s = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return s.slice(s.lastIndexOf(')') + 2).split(' ')[19]!;
  } catch {
    return null;
  }
};
const bootId = (): string | null => {
  try {
    return readFileSync('/proc/sys/kernel/random/boot_id', 'utf8').trim();
  } catch {
    return null;
  }
};
const owner = (pid: number, extra: Record<string, unknown> = {}) =>
  JSON.stringify({ pid, host: os.hostname(), bootId: bootId(), procStart: startOf(pid), startedAt: '2026-01-01T00:00:00.000Z', command: 'ssam train', ...extra });
/** A PID that was just used and has exited. */
const deadPid = (): number => spawnSync(process.execPath, ['-e', '']).pid!;

describe('the run-folder lock', () => {
  it('is exclusive, holds the owner, is re-entrant within a process and goes away on release', () => {
    const d = dir();
    const release = acquireRunLock(d, 'ssam train');
    const held = JSON.parse(readFileSync(lockFile(d), 'utf8'));
    expect(held).toMatchObject({ pid: process.pid, host: os.hostname(), command: 'ssam train' });
    const again = acquireRunLock(d); // the training loop takes it again inside `ssam train`
    again();
    expect(existsSync(lockFile(d))).toBe(true);
    release();
    expect(existsSync(lockFile(d))).toBe(false);
  });

  it('refuses a lock held by a live process and names it', () => {
    const d = dir();
    writeFileSync(lockFile(d), owner(process.ppid));
    expect(() => acquireRunLock(d)).toThrow(UsageError);
    expect(() => acquireRunLock(d)).toThrow(new RegExp(`is in use by ssam train \\(PID ${process.ppid} on ${os.hostname()}, started 2026-01-01T00:00:00.000Z\\)`));
    expect(liveOwner(d)).toMatchObject({ pid: process.ppid });
    expect(JSON.parse(readFileSync(lockFile(d), 'utf8')).pid).toBe(process.ppid); // untouched
  });

  it('takes over a stale lock: a dead PID, or a PID reused by another process', () => {
    for (const stale of [owner(deadPid()), owner(process.ppid, { procStart: '1' })]) {
      if (stale.includes('"procStart":"1"') && startOf(process.ppid) === null) continue; // no /proc: no start times
      const d = dir();
      writeFileSync(lockFile(d), stale);
      expect(liveOwner(d)).toBeUndefined();
      const release = acquireRunLock(d);
      expect(JSON.parse(readFileSync(lockFile(d), 'utf8')).pid).toBe(process.pid);
      release();
      expect(existsSync(lockFile(d))).toBe(false);
    }
  });

  it("refuses another host's lock, whose owner it cannot check", () => {
    const d = dir();
    writeFileSync(lockFile(d), owner(1, { host: 'elsewhere.example' }));
    expect(() => acquireRunLock(d)).toThrow(/locked by ssam train \(PID 1 on elsewhere\.example.*another host; if no run uses the folder any more, delete/);
  });

  it('treats a fresh empty lock as a process starting, an old one as stale', () => {
    const d = dir();
    writeFileSync(lockFile(d), '');
    expect(() => acquireRunLock(d)).toThrow(/in use by a process that is starting/);
    const old = (Date.now() - 60_000) / 1000;
    utimesSync(lockFile(d), old, old);
    acquireRunLock(d)();
    expect(existsSync(lockFile(d))).toBe(false);
  });

  it('removes only the lock it judged stale (a racing process may have taken it since)', () => {
    const d = dir();
    const stale = owner(deadPid());
    const fresh = owner(process.ppid);
    writeFileSync(lockFile(d), fresh); // what a faster process wrote after the stale one went
    removeStale(lockFile(d), stale);
    expect(readFileSync(lockFile(d), 'utf8')).toBe(fresh);
    expect(existsSync(`${lockFile(d)}.takeover`)).toBe(false);
    removeStale(lockFile(d), fresh);
    expect(existsSync(lockFile(d))).toBe(false);
  });
});
