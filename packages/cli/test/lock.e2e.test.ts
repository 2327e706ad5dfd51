import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { finished, ssamChild, tmpDir, TINY } from './helpers.js';
import { RUN } from './resume-helpers.js';
import { liveOwner } from '../src/train/run-lock.js';

const lockPid = (out: string): number | undefined => {
  try {
    return JSON.parse(readFileSync(path.join(out, 'ssam.lock'), 'utf8')).pid;
  } catch {
    return undefined; // not there yet, or being written
  }
};

describe('one process per run folder', () => {
  it('refuses a second train on a locked --out (fresh or --resume), naming the owner; the lock of a signalled owner is stale', async () => {
    const out = path.join(tmpDir('lock'), 'run');
    // Long enough to be still running while the others start; it is stopped below.
    const a = ssamChild([...RUN, '--epochs', '20', '--optimizer', 'sgd', '--out', out]);
    const aDone = finished(a);
    await new Promise<void>((resolve, reject) => {
      const poll = setInterval(() => {
        if (lockPid(out) === a.pid && existsSync(path.join(out, 'config.json'))) resolve(clearInterval(poll));
        else if (a.exitCode !== null) reject(new Error(`the first run ended early: ${a.exitCode}`));
      }, 10);
    });
    const [fresh, resumed] = await Promise.all([
      finished(ssamChild(['train', ...TINY, '--optimizer', 'sam', '--out', out])),
      finished(ssamChild(['train', '--resume', '--out', out])),
    ]);
    for (const r of [fresh, resumed]) {
      expect(r.status, r.stderr).toBe(2);
      expect(r.stderr.trim().split('\n'), r.stderr).toHaveLength(1);
      expect(r.stderr).toMatch(new RegExp(`^ssam: --out .* is in use by ssam train \\(PID ${a.pid} on .*, started .*\\); wait for it`));
    }
    expect(a.exitCode).toBeNull(); // the owner ran on, undisturbed
    expect(JSON.parse(readFileSync(path.join(out, 'config.json'), 'utf8')).config.optimizer).toBe('sgd');
    a.kill('SIGTERM');
    const r = await aDone;
    expect(r.signal).toBe('SIGTERM'); // at once: the lock does not delay a signal
    // Its lock is left with a dead PID: stale, so the next run takes it over (the SIGKILL resume tests do).
    expect(lockPid(out)).toBe(a.pid);
    expect(liveOwner(out)).toBeUndefined();
  });
});
