import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { expect } from 'vitest';
import { parseCsv, ssam, ssamChild, tmpDir } from './helpers.js';

// 640 images in batches of 8: 80 steps per epoch, long enough to be killed in the middle.
export const RUN = ['train', '--train-subset', '640', '--test-subset', '100', '--width', '8', '--batch-size', '8', '--epochs', '2', '--quiet', '--checkpoint-every', '10'];
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

/**
 * Runs `optimizer` once uninterrupted, once SIGKILLed mid-epoch and resumed; the two must end with
 * the same model.safetensors bytes, metrics (time columns aside) and step log. `o.wholeExtra`
 * replaces `extra` for the uninterrupted run (options that must not change the result, such as
 * `--compile`).
 */
export async function checkKillAndResume(optimizer: string, extra: readonly string[] = [], o: { wholeExtra?: readonly string[] } = {}): Promise<void> {
  const root = tmpDir(`resume-${optimizer}`);
  const common = [...RUN, '--optimizer', optimizer, ...(optimizer.startsWith('ssam-f') ? ['--fisher-samples', '16'] : []), '--seed', '3'];
  const args = [...common, ...extra];
  const whole = path.join(root, 'whole');
  const r0 = ssam([...common, ...(o.wholeExtra ?? extra), '--out', whole]);
  expect(r0.status, r0.stderr).toBe(0);

  const killed = path.join(root, 'killed');
  const at = await killMidEpoch(args, killed);
  expect(at.step).toBeGreaterThan(0);
  expect(existsSync(path.join(killed, 'model.safetensors'))).toBe(false);
  const stateMetaBefore = stateMeta(killed)!;
  expect(stateMetaBefore.complete).toBe(false);
  expect(stateMetaBefore.step).toBeGreaterThanOrEqual(at.step);

  const r1 = ssam(['train', '--resume', '--out', killed]);
  expect(r1.status, r1.stderr).toBe(0);
  // It really continued: from the checkpoint the kill left, not from step 0.
  const resumedAt = Number(/resuming from the checkpoint at epoch \d+, batch \d+ \(step (\d+)\)/.exec(r1.stderr)?.[1]);
  expect(resumedAt).toBe(stateMetaBefore.step);
  expect(readFileSync(path.join(killed, 'model.safetensors')).equals(readFileSync(path.join(whole, 'model.safetensors')))).toBe(true);
  expect(stable(readFileSync(path.join(killed, 'metrics.csv'), 'utf8'))).toEqual(stable(readFileSync(path.join(whole, 'metrics.csv'), 'utf8')));
  expect(readFileSync(path.join(killed, 'steps.jsonl'), 'utf8')).toBe(readFileSync(path.join(whole, 'steps.jsonl'), 'utf8'));
}
