import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { parseCsv, ssam, ssamChild, tmpDir } from './helpers.js';

// 1,000 images in batches of 8: 125 steps per epoch, long enough to be killed in the middle.
const RUN = ['train', '--train-subset', '1000', '--test-subset', '200', '--width', '16', '--batch-size', '8', '--epochs', '2', '--quiet', '--checkpoint-every', '10'];
const stable = (csv: string) => parseCsv(csv).map(({ seconds: _s, step_ms: _m, ...rest }) => rest);

function stateMeta(out: string): { epoch: number; batch: number; step: number; complete: boolean } | undefined {
  try {
    return JSON.parse(readFileSync(path.join(out, 'checkpoint', 'state.json'), 'utf8')).meta;
  } catch {
    return undefined; // not written yet
  }
}

/** Starts a run, SIGKILLs it once a mid-epoch checkpoint exists, and returns that checkpoint's position. */
async function killMidEpoch(args: readonly string[], out: string): Promise<{ step: number }> {
  const child = ssamChild([...args, '--out', out]);
  let exited = false;
  child.on('exit', () => (exited = true));
  const meta = await new Promise<{ step: number }>((resolve, reject) => {
    const poll = setInterval(() => {
      const m = stateMeta(out);
      if (m && m.batch > 0 && m.epoch === 0) {
        clearInterval(poll);
        child.kill('SIGKILL');
        resolve(m);
      } else if (exited) {
        clearInterval(poll);
        reject(new Error('the run finished before it could be killed'));
      }
    }, 5);
  });
  await new Promise((r) => (exited ? r(undefined) : child.on('exit', r)));
  return meta;
}

describe('resume after SIGKILL', () => {
  for (const optimizer of ['ssam-d', 'ssam-f']) {
    it(`${optimizer}: ends bit-identical to an uninterrupted run`, async () => {
      const root = tmpDir(`resume-${optimizer}`);
      const args = [...RUN, '--optimizer', optimizer, '--fisher-samples', '16', '--seed', '3'];
      const whole = path.join(root, 'whole');
      const r0 = ssam([...args, '--out', whole]);
      expect(r0.status, r0.stderr).toBe(0);

      const killed = path.join(root, 'killed');
      const at = await killMidEpoch(args, killed);
      expect(at.step).toBeGreaterThan(0);
      expect(existsSync(path.join(killed, 'model.safetensors'))).toBe(false);
      expect(stateMeta(killed)?.complete).toBe(false);

      const r1 = ssam(['train', '--resume', '--out', killed, '--quiet']);
      expect(r1.status, r1.stderr).toBe(0);
      expect(readFileSync(path.join(killed, 'model.safetensors')).equals(readFileSync(path.join(whole, 'model.safetensors')))).toBe(true);
      expect(stable(readFileSync(path.join(killed, 'metrics.csv'), 'utf8'))).toEqual(stable(readFileSync(path.join(whole, 'metrics.csv'), 'utf8')));
      expect(readFileSync(path.join(killed, 'steps.jsonl'), 'utf8')).toBe(readFileSync(path.join(whole, 'steps.jsonl'), 'utf8'));
    });
  }

  it('refuses a resume that would change the training', () => {
    const root = tmpDir('resume-conflict');
    const out = path.join(root, 'run');
    const r0 = ssam([...RUN, '--epochs', '1', '--train-subset', '64', '--out', out]);
    expect(r0.status, r0.stderr).toBe(0);
    const r = ssam(['train', '--resume', '--out', out, '--lr', '0.5']);
    expect(r.status).toBe(2);
    expect(r.stderr).toMatch(/--lr 0.5 differs from the saved run \(0.1\)/);
  });
});
