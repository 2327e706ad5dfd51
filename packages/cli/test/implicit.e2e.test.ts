import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { parseCsv, ssam, tmpDir, TINY } from './helpers.js';

describe('ssam-f-implicit', () => {
  it('compare runs SAM, explicit and implicit SSAM-F 2:4 side by side; --pattern shapes only the Fisher masks', () => {
    const out = path.join(tmpDir('compare-implicit'), 'report');
    const r = ssam(['compare', ...TINY, '--epochs', '1', '--optimizers', 'sam,ssam-f,ssam-f-implicit', '--pattern', '2:4', '--fisher-samples', '16', '--out', out]);
    expect(r.status, r.stderr).toBe(0);
    for (const o of ['sam', 'ssam-f', 'ssam-f-implicit']) expect(r.stdout).toMatch(new RegExp(`^${o}\\s+1\\s+\\d+\\.\\d+`, 'm')); // seeds, then accuracy
    expect(r.stdout).toContain("ssam-f-implicit: the weights pass 1's input gradients flow through");
    const results = parseCsv(readFileSync(path.join(out, 'results.csv'), 'utf8')).filter((x) => x.row === 'aggregate');
    expect(results.map((x) => x.optimizer)).toEqual(['sam', 'ssam-f', 'ssam-f-implicit']);
    expect(Number(results[0]!.mask_density)).toBe(1);
    // 2:4 on every weight (the MLP fits whole); biases are kept whole, hence a little above 0.5.
    for (const x of results.slice(1)) {
      expect(Number(x.mask_density)).toBeGreaterThanOrEqual(0.5);
      expect(Number(x.mask_density)).toBeLessThan(0.51);
      expect(Number(x.best_acc_mean)).toBeGreaterThan(0.15); // it learns (chance: 0.1)
    }
    const cfg = (o: string) => JSON.parse(readFileSync(path.join(out, 'runs', `${o}-s0`, 'config.json'), 'utf8')).config;
    expect(cfg('sam').pattern).toEqual({ kind: 'unstructured' });
    expect(cfg('ssam-f-implicit')).toMatchObject({ optimizer: 'ssam-f-implicit', pattern: { kind: 'nm', n: 2, m: 4 }, sparsity: 0.5 });
  });

  it('trains the small CNN with 2:4, leaving out the 1-channel first conv, and says so', () => {
    const out = path.join(tmpDir('implicit-cnn'), 'run');
    const r = ssam(['train', '--model', 'cnn', '--optimizer', 'ssam-f-implicit', '--pattern', 'nm:2:4', '--train-subset', '64', '--test-subset', '50',
      '--batch-size', '32', '--epochs', '1', '--fisher-samples', '8', '--out', out]);
    expect(r.status, r.stderr).toBe(0);
    expect(r.stderr).toContain('N:M selection leaves out conv1.w [16, 1, 3, 3] (input size not a multiple of 4; their input gradients stay dense)');
    expect(existsSync(path.join(out, 'model.safetensors'))).toBe(true);
  });

  it('rejects an implicit form without a Fisher mask, and a --pattern no listed optimizer takes, before writing anything', () => {
    const dir = path.join(tmpDir('implicit-bad'), 'r');
    const a = ssam(['train', '--optimizer', 'ssam-d-implicit', '--out', dir]);
    expect(a.status).toBe(2);
    expect(a.stderr).toMatch(/the implicit form needs SSAM-F's Fisher mask; use --optimizer ssam-f-implicit/);
    const b = ssam(['compare', '--optimizers', 'sgd,sam', '--pattern', '2:4', '--out', dir]);
    expect(b.status).toBe(2);
    expect(b.stderr).toMatch(/--pattern 2:4 shapes the mask of ssam-f and ssam-f-implicit; --optimizers lists neither/);
    expect(existsSync(dir)).toBe(false);
  });
});
