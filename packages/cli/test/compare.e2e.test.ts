import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { parseCsv, ssam, tmpDir, TINY } from './helpers.js';

const PNG_SIGNATURE = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);

describe('ssam compare', () => {
  const out = path.join(tmpDir('compare'), 'report');

  it('runs every optimizer × seed, prints the table and writes a report that parses', () => {
    // lr 0.3: in 8 steps every run leaves chance behind (at lr 0.1 seed 1 is still at chance, and flagged).
    const r = ssam(['compare', ...TINY, '--epochs', '1', '--lr', '0.3', '--optimizers', 'sgd,sam,ssam-f,ssam-d', '--seeds', '2', '--fisher-samples', '16', '--out', out]);
    expect(r.status, r.stderr).toBe(0);
    // Each row: the seeds, then the final accuracy with its t interval over the two seeds.
    for (const o of ['sgd', 'sam', 'ssam-f', 'ssam-d']) expect(r.stdout).toMatch(new RegExp(`^${o}\\s+2\\s+\\d+\\.\\d+ \\[\\d+\\.\\d+, \\d+\\.\\d+\\]`, 'm'));
    expect(r.stdout).toContain('best test acc %');
    expect(r.stdout).toContain('Paired by seed against sam');
    expect(r.stdout).toMatch(/^ {2}ssam-f − sam: [+−±]\d+\.\d+ pt \[/m);
    expect(r.stdout).toContain(`Report: ${path.join(out, 'summary.md')}`);

    const rows = parseCsv(readFileSync(path.join(out, 'results.csv'), 'utf8'));
    const results = rows.filter((x) => x.row === 'aggregate');
    expect(results.map((x) => x.optimizer)).toEqual(['sgd', 'sam', 'ssam-f', 'ssam-d']);
    // One row per run as well, with its own accuracy.
    expect(rows.filter((x) => x.row === 'run').map((x) => `${x.optimizer}-s${x.seed}`)).toEqual(['sgd-s0', 'sgd-s1', 'sam-s0', 'sam-s1', 'ssam-f-s0', 'ssam-f-s1', 'ssam-d-s0', 'ssam-d-s1']);
    for (const x of rows.filter((y) => y.row === 'run')) expect(Number(x.final_acc_mean)).toBeGreaterThan(0);
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
    expect(md).toContain('| optimizer | seeds | final test acc % | best test acc % |');
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
    const times = JSON.parse(readFileSync(path.join(out, 'runs', 'sam-s1', 'timing.json'), 'utf8'));
    expect(times.cpuMs).toHaveLength(8); // one epoch of 8 steps
  });

  it('at the tiny budget, flags a run forced to collapse, leaves it out of the means and names it', () => {
    const dir = path.join(tmpDir('compare-collapse'), 'r');
    // lr 2 kills SGD on the tiny MLP: its test accuracy stays at chance and its loss at ln 10.
    const r = ssam(['compare', '--budget', 'tiny', '--optimizers', 'sgd,sam', '--seeds', '2', '--lr-for', 'sgd=2', '--quiet', '--out', dir]);
    expect(r.status, r.stderr).toBe(0);
    expect(r.stdout).toMatch(/^sgd\s+2 \(2 collapsed\)\s+n\/a\s+n\/a/m);
    expect(r.stdout).toMatch(/\d+\.\d\/\d+\.\d\*\s+\d+\.\d\/\d+\.\d\*/);
    expect(r.stdout).toContain('Left out of the means (--include-failed keeps them): sgd seed 0 collapsed (from epoch 1: test acc');
    expect(r.stdout).toContain('sgd − sam: no seed where both trained to the end, so no comparison');
    expect(r.stdout).toMatch(/Caveat: the runs are too short to time/);
    const md = readFileSync(path.join(dir, 'summary.md'), 'utf8');
    expect(md).toContain('| sgd | 2 (2 collapsed) | n/a | n/a |');
    expect(md).toContain('sgd seed 1 collapsed');
    expect(readFileSync(path.join(dir, 'accuracy.svg'), 'utf8')).toContain('sgd s0, s1 collapsed');
    const runs = parseCsv(readFileSync(path.join(dir, 'results.csv'), 'utf8')).filter((x) => x.row === 'run' && x.optimizer === 'sgd');
    expect(runs.map((x) => x.status)).toEqual(['collapsed', 'collapsed']);
    expect(Number(runs[0]!.final_acc_mean)).toBeLessThan(0.15);

    // The report again, without training: the failed runs kept in, paired against sgd.
    const again = ssam(['compare', '--resume', '--out', dir, '--include-failed', '--baseline', 'sgd', '--json']);
    expect(again.status, again.stderr).toBe(0);
    const doc = JSON.parse(again.stdout.trim());
    expect(doc).toMatchObject({ reference: 'sgd', includeFailed: true });
    expect(doc.rows[0].metrics.finalAcc.n).toBe(2);
    expect(doc.rows[1].paired.finalAcc.n).toBe(2);
    expect(doc.rows[1].paired.finalAcc.mean).toBeGreaterThan(0.5);
  });

  it('refuses a --baseline or --lr-for outside --optimizers before writing anything', () => {
    const dir = path.join(tmpDir('compare-bad'), 'r');
    const a = ssam(['compare', '--optimizers', 'sgd,sam', '--baseline', 'asam', '--out', dir]);
    expect(a.status).toBe(2);
    expect(a.stderr).toContain('--baseline asam is not among the compared optimizers (sgd,sam)');
    const b = ssam(['compare', '--optimizers', 'sgd,sam', '--lr-for', 'ssam-d=0.1', '--out', dir]);
    expect(b.status).toBe(2);
    expect(b.stderr).toContain('--lr-for names ssam-d, which --optimizers does not list (sgd,sam)');
    expect(existsSync(dir)).toBe(false);
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
