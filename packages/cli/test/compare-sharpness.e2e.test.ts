import { readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { parseCsv, ssam, tmpDir, TINY } from './helpers.js';

const PNG_SIGNATURE = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);
const SMALL = 'examples=128,batch-size=64,m=64,iterations=8,trace-samples=6,ascent-steps=2,points-1d=5,points-2d=5';

describe('ssam compare --sharpness', () => {
  const root = tmpDir('compare-sharpness');
  const out = path.join(root, 'report');
  const runs = ['sgd-s0', 'sam-s0'];
  const sharpnessFile = (r: string) => path.join(out, 'runs', r, 'sharpness.json');

  it('adds λmax, trace and m-sharpness to the table and results.csv, and the landscapes to summary.md', () => {
    const r = ssam(['compare', ...TINY, '--epochs', '1', '--lr', '0.3', '--optimizers', 'sgd,sam', '--sharpness', SMALL, '--out', out], { env: { SSAM_THREADS: '1' } });
    expect(r.status, r.stderr).toBe(0);
    expect(r.stdout).toMatch(/λmax\s+Hessian trace\s+m-sharpness/);
    // One seed (intervals and paired differences over seeds: src/compare/sharpness.test.ts): λmax with 3 decimals.
    for (const o of ['sgd', 'sam']) expect(r.stdout).toMatch(new RegExp(`^${o}\\s+1\\s.*\\s\\d+\\.\\d{3}\\s`, 'm'));

    const rows = parseCsv(readFileSync(path.join(out, 'results.csv'), 'utf8'));
    const perRun = rows.filter((x) => x.row === 'run');
    expect(perRun).toHaveLength(2);
    for (const x of perRun) {
      expect(Number(x.lambda_max_mean)).toBeGreaterThan(0);
      expect(Number.isFinite(Number(x.hessian_trace_mean)) && x.hessian_trace_mean !== '').toBe(true);
      expect(x.m_sharpness_mean).not.toBe('');
    }
    // The run rows are the runs' own sharpness.json numbers; the paired difference is there for sgd.
    const doc = JSON.parse(readFileSync(sharpnessFile('sgd-s0'), 'utf8'));
    expect(doc.format).toBe('ssam-sharpness/1');
    expect(doc.settings.iterations).toBe(8);
    const sgd0 = perRun.find((x) => x.optimizer === 'sgd' && x.seed === '0')!;
    expect(Number(sgd0.lambda_max_mean)).toBeCloseTo(doc.runs[0].report.eigenvalues.values[0], 6);
    expect(rows.find((x) => x.row === 'aggregate' && x.optimizer === 'sgd')!.lambda_max_diff_seeds).toBe('1');

    const md = readFileSync(path.join(out, 'summary.md'), 'utf8');
    expect(md).toContain('| λmax | Hessian trace | m-sharpness |');
    expect(md).toContain('## Sharpness');
    expect(md).toContain('![1-D loss landscapes](landscape-1d.svg)');
    expect(md).toContain('![2-D loss landscapes, one per run](landscape-2d.svg)');
    for (const f of ['landscape-1d', 'landscape-2d']) {
      expect(readFileSync(path.join(out, `${f}.svg`), 'utf8')).toMatch(/^<svg/);
      expect(readFileSync(path.join(out, `${f}.png`)).subarray(0, 8).equals(PNG_SIGNATURE)).toBe(true);
    }
    // The side-by-side figure holds one titled contour per run.
    const plane = readFileSync(path.join(out, 'landscape-2d.svg'), 'utf8');
    for (const label of ['sgd', 'sam']) expect(plane).toContain(`>${label}<`);
  });

  it('--resume of the finished comparison reads each sharpness.json back instead of measuring again', () => {
    const before = runs.map((r) => statSync(sharpnessFile(r)).mtimeMs);
    const r = ssam(['compare', '--resume', '--out', out, '--json']);
    expect(r.status, r.stderr).toBe(0);
    expect(runs.map((x) => statSync(sharpnessFile(x)).mtimeMs)).toEqual(before);
    const line = JSON.parse(r.stdout.trim());
    expect(line.rows[0].metrics.lambdaMax.n).toBe(1);
  });
});
