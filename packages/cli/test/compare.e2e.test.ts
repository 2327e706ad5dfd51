import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { parseCsv, ssam, tmpDir, TINY } from './helpers.js';

const PNG_SIGNATURE = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);

describe('ssam compare', () => {
  const out = path.join(tmpDir('compare'), 'report');

  it('runs every optimizer × seed, prints the table and writes a report that parses', () => {
    const r = ssam(['compare', ...TINY, '--epochs', '1', '--optimizers', 'sgd,sam,ssam-f,ssam-d', '--seeds', '2', '--fisher-samples', '16', '--out', out]);
    expect(r.status, r.stderr).toBe(0);
    for (const o of ['sgd', 'sam', 'ssam-f', 'ssam-d']) expect(r.stdout).toMatch(new RegExp(`^${o}\\s+\\d+\\.\\d+ ± \\d+\\.\\d+`, 'm'));
    expect(r.stdout).toContain('best test acc %');
    expect(r.stdout).toContain(`Report: ${path.join(out, 'summary.md')}`);

    const results = parseCsv(readFileSync(path.join(out, 'results.csv'), 'utf8'));
    expect(results.map((x) => x.optimizer)).toEqual(['sgd', 'sam', 'ssam-f', 'ssam-d']);
    for (const x of results) {
      expect(Number(x.seeds)).toBe(2);
      expect(Number(x.best_acc_mean)).toBeGreaterThan(0);
      expect(Number(x.best_acc_std)).toBeGreaterThanOrEqual(0);
      expect(Number(x.step_time_ratio)).toBeGreaterThan(0);
    }
    expect(results[0]!.step_time_ratio).toBe('1');
    expect(results[0]!.mask_density).toBe('');
    expect(Number(results[1]!.mask_density)).toBe(1);
    expect(Number(results[2]!.mask_density)).toBeCloseTo(0.5, 2);
    expect(parseCsv(readFileSync(path.join(out, 'curves.csv'), 'utf8'))).toHaveLength(8);

    const md = readFileSync(path.join(out, 'summary.md'), 'utf8');
    expect(md).toContain('| optimizer | best test acc % |');
    expect(md).toContain('![training loss](loss.svg)');
    for (const f of ['loss', 'accuracy']) {
      const svg = readFileSync(path.join(out, `${f}.svg`), 'utf8');
      expect(svg.startsWith('<svg')).toBe(true);
      expect(svg.trimEnd().endsWith('</svg>')).toBe(true);
      for (const o of ['sgd', 'ssam-d']) expect(svg).toContain(`>${o}<`);
      expect(readFileSync(path.join(out, `${f}.png`)).subarray(0, 8).equals(PNG_SIGNATURE)).toBe(true);
    }
    const compare = JSON.parse(readFileSync(path.join(out, 'compare.json'), 'utf8'));
    expect(compare.optimizers).toEqual(['sgd', 'sam', 'ssam-f', 'ssam-d']);
    for (const run of ['sgd-s0', 'sgd-s1', 'ssam-d-s1']) expect(existsSync(path.join(out, 'runs', run, 'checkpoint', 'state.json'))).toBe(true);
  });

  it('--resume finishes from the saved runs without training again', () => {
    const r = ssam(['compare', '--resume', '--out', out, '--json']);
    expect(r.status, r.stderr).toBe(0);
    const doc = JSON.parse(r.stdout.trim());
    expect(doc.event).toBe('compare');
    expect(doc.rows.map((x: { optimizer: string }) => x.optimizer)).toEqual(['sgd', 'sam', 'ssam-f', 'ssam-d']);
  });

  it('rejects an unknown optimizer in the list before writing anything', () => {
    const dir = path.join(tmpDir('compare-bad'), 'r');
    const r = ssam(['compare', '--optimizers', 'sgd,adam', '--out', dir]);
    expect(r.status).toBe(2);
    expect(r.stderr).toMatch(/--optimizers must list some of sgd, sam, asam, ssam-f, ssam-f-implicit, ssam-d/);
    expect(existsSync(dir)).toBe(false);
  });
});
