import { existsSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { ssam, tmpDir } from './helpers.js';

describe('ssam sharpness', () => {
  const root = tmpDir('sharpness');
  const run = path.join(root, 'sgd');
  const out = path.join(root, 'sh');
  const small = ['--examples', '128', '--batch-size', '64', '--m', '64', '--iterations', '8', '--trace-samples', '6', '--lanczos-steps', '10', '--ascent-steps', '2', '--points-1d', '5', '--points-2d', '3', '--quiet'];

  it('measures a tiny run and writes sharpness.json with the density, 1-D and 2-D plots (PNG and SVG)', () => {
    const t = ssam(['train', '--train-subset', '128', '--test-subset', '100', '--width', '8', '--batch-size', '32', '--epochs', '1', '--quiet', '--out', run], { env: { SSAM_THREADS: '1' } });
    expect(t.status, t.stderr).toBe(0);
    const r = ssam(['sharpness', '--run', run, '--out', out, ...small, '--json'], { env: { SSAM_THREADS: '1' } });
    expect(r.status, r.stderr).toBe(0);
    const line = JSON.parse(r.stdout.trim());
    expect(line.runs[0].label).toBe('sgd seed 0');
    const doc = JSON.parse(readFileSync(path.join(out, 'sharpness.json'), 'utf8'));
    expect(doc.format).toBe('ssam-sharpness/1');
    const rep = doc.runs[0].report;
    expect(rep.examples).toBe(128);
    expect(rep.eigenvalues.values).toHaveLength(3);
    expect(doc.runs[0].lambdaMax).toBe(rep.eigenvalues.values[0]);
    expect(rep.eigenvalues.values[0]).toBeGreaterThan(0);
    expect(rep.trace.samples).toBeGreaterThanOrEqual(2);
    expect(rep.density.runs[0].nodes.length).toBeGreaterThan(1);
    expect(rep.mSharpness.m).toBe(64);
    expect(rep.mSharpness.perBatch).toHaveLength(2);
    // The centre of each landscape is the loss at the checkpoint itself.
    expect(rep.landscape1d.loss[2]).toBe(rep.loss);
    expect(rep.landscape2d.loss[1][1]).toBe(rep.loss);
    for (const f of ['density', 'landscape-1d', 'landscape-2d-sgd-seed-0']) {
      expect(statSync(path.join(out, `${f}.png`)).size).toBeGreaterThan(5000);
      expect(readFileSync(path.join(out, `${f}.svg`), 'utf8')).toMatch(/^<svg/);
    }
  });

  it('refuses a folder that is not a run with exit code 2 and writes nothing', () => {
    const bad = path.join(root, 'nothing-here');
    const r = ssam(['sharpness', '--run', bad, '--out', path.join(root, 'bad-out'), '--quiet']);
    expect(r.status).toBe(2);
    expect(r.stderr).toMatch(/--run .*nothing-here: no config\.json there/);
    expect(existsSync(path.join(root, 'bad-out'))).toBe(false);
    const m = ssam(['sharpness', '--run', run, '--measures', 'hessian', '--quiet']);
    expect(m.status).toBe(2);
    expect(m.stderr).toMatch(/--measures: unknown measure 'hessian'/);
  });
});
