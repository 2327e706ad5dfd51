import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { finished, ssam, ssamChild, tmpDir } from './helpers.js';

describe('Ctrl-C during ssam train', () => {
  it('checkpoints where it is, says how to resume, exits 130 with the lock released; the resume finishes the run', async () => {
    const out = path.join(tmpDir('interrupt'), 'run');
    // 640 images in batches of 8 for 3 epochs: 240 steps, and the signal comes before the first ends.
    const child = ssamChild(['train', '--train-subset', '640', '--test-subset', '100', '--width', '8', '--batch-size', '8', '--epochs', '3', '--backend', 'reference', '--out', out]);
    let err = '';
    child.stderr!.on('data', (d) => {
      err += String(d);
      // The start line comes once the loop is about to run (the handler is installed by then).
      if (/ssam train: sgd on mlp/.test(err) && !child.killed) child.kill('SIGINT');
    });
    const r = await finished(child);
    expect(r.status, err).toBe(130);
    const m = /stopped at step (\d+) of 240; checkpoint at (\S+); resume with: ssam train --out (\S+) --resume\n$/.exec(err);
    expect(m, err).not.toBeNull();
    const meta = JSON.parse(readFileSync(path.join(out, 'checkpoint', 'state.json'), 'utf8')).meta as { step: number };
    expect(meta.step).toBe(Number(m![1])); // the checkpoint is the state at the step named
    expect(path.resolve(m![3]!)).toBe(path.resolve(out));
    expect(existsSync(path.join(out, 'ssam.lock'))).toBe(false);
    const resumed = ssam(['train', '--out', out, '--resume', '--quiet']);
    expect(resumed.stderr).toBe('');
    expect(resumed.status).toBe(0);
  }, 120_000);
});
