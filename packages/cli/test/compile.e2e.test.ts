import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { checkKillAndResume } from './resume-helpers.js';
import { parseCsv, ssam, TINY, tmpDir } from './helpers.js';

// `--compile` runs each pass as one compiled plan; @ssam/optim promises it is bit-identical to the
// eager step. These tests hold the CLI to that: same parameters, metrics and step log, and a
// compiled run resumed after SIGKILL ends where an uninterrupted eager run ends.
const stable = (csv: string) => parseCsv(csv).map(({ seconds: _s, step_ms: _m, ...rest }) => rest);
const read = (dir: string, f: string) => readFileSync(path.join(dir, f));

describe('ssam train --compile', () => {
  for (const model of ['mlp', 'cnn']) {
    it(`${model}, SAM: the same model.safetensors, metrics.csv and steps.jsonl as the eager run`, () => {
      const root = tmpDir(`compile-${model}`);
      // The CNN on 128 examples, one epoch (4 steps): the plan is traced once and replayed.
      const args = ['train', ...TINY, '--model', model, '--optimizer', 'sam', '--seed', '2', ...(model === 'cnn' ? ['--train-subset', '128', '--epochs', '1'] : [])];
      const eager = path.join(root, 'eager'), compiled = path.join(root, 'compiled');
      const r0 = ssam([...args, '--out', eager]);
      expect(r0.status, r0.stderr).toBe(0);
      const r1 = ssam([...args, '--compile', '--out', compiled]);
      expect(r1.status, r1.stderr).toBe(0);
      expect(read(compiled, 'model.safetensors').equals(read(eager, 'model.safetensors'))).toBe(true);
      expect(stable(read(compiled, 'metrics.csv').toString())).toEqual(stable(read(eager, 'metrics.csv').toString()));
      expect(read(compiled, 'steps.jsonl').toString()).toBe(read(eager, 'steps.jsonl').toString());
      // Recorded in config.json, outside the fingerprint (how the run computes, not what).
      const [ce, cc] = [eager, compiled].map((d) => JSON.parse(read(d, 'config.json').toString()));
      expect([ce.config.compile, cc.config.compile]).toEqual([false, true]);
      expect(cc.fingerprint).toBe(ce.fingerprint);
      expect(cc.rerun).toMatch(/ --compile /);
    });
  }

  it('SAM, killed mid-epoch and resumed: ends bit-identical to an uninterrupted eager run', () => checkKillAndResume('sam', ['--epochs', '1', '--compile'], { wholeExtra: ['--epochs', '1'] }));

  it('refuses a model with dropout (vgg11), exit 2, nothing written', () => {
    const out = path.join(tmpDir('compile-vgg'), 'run');
    const r = ssam(['train', '--model', 'vgg11', '--data', 'cifar10', '--compile', '--quiet', '--out', out]);
    expect(r.status).toBe(2);
    expect(r.stderr).toBe('ssam: --compile cannot be used with --model vgg11: its classifier uses dropout, which draws random numbers at each step and cannot be compiled; drop --compile (or pass --no-compile)\n');
    expect(existsSync(out)).toBe(false);
  });
});
