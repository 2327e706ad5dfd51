import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Writable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { main } from '../main.js';

/** Trains a tiny run in this process (4 steps: 64 examples, batches of 32, 2 epochs); returns its folder. */
async function tinyRun(extra: readonly string[]): Promise<string> {
  const out = path.join(mkdtempSync(path.join(os.tmpdir(), 'ssam-lrrho-')), 'run');
  const sink = new Writable({ write: (_c, _e, cb) => cb() }) as unknown as NodeJS.WriteStream;
  const args = ['train', '--train-subset', '64', '--test-subset', '64', '--batch-size', '32', '--epochs', '2', '--width', '8', '--backend', 'reference', '--quiet', '--out', out, ...extra];
  expect(await main(args, { stdout: sink, stderr: sink })).toBe(0);
  return out;
}

const csvRows = (text: string) => {
  const [head, ...lines] = text.trim().split('\n');
  return lines.map((l) => Object.fromEntries(l.split(',').map((v, i) => [head!.split(',')[i]!, v])));
};

describe('lr and ρ in steps.jsonl and metrics.csv', () => {
  it('records the scheduled lr (cosine from --lr to 0 over the run) and --rho at every step and epoch', async () => {
    const out = await tinyRun(['--optimizer', 'sam', '--lr', '0.2', '--rho', '0.07', '--schedule', 'cosine']);
    const steps = readFileSync(path.join(out, 'steps.jsonl'), 'utf8').trim().split('\n').map((l) => JSON.parse(l) as { step: number; lr: number; rho: number });
    // Cosine decay without warm-up, from its definition: η_t = η (1 + cos(π t / T)) / 2, T = 4 steps.
    const cosine = (t: number) => (0.2 * (1 + Math.cos((Math.PI * t) / 4))) / 2;
    expect(steps.map((s) => s.step)).toEqual([0, 1, 2, 3]);
    for (const s of steps) {
      expect(s.lr).toBeCloseTo(cosine(s.step), 12);
      expect(s.rho).toBe(0.07);
    }
    const rows = csvRows(readFileSync(path.join(out, 'metrics.csv'), 'utf8'));
    expect(rows.map((r) => [Number(r.lr), Number(r.rho)])).toEqual([[Number(cosine(1).toPrecision(8)), 0.07], [Number(cosine(3).toPrecision(8)), 0.07]]);
  });

  it('writes ρ = 0 for sgd, which perturbs nothing', async () => {
    const out = await tinyRun(['--optimizer', 'sgd', '--schedule', 'constant', '--lr', '0.05']);
    const steps = readFileSync(path.join(out, 'steps.jsonl'), 'utf8').trim().split('\n').map((l) => JSON.parse(l) as { lr: number; rho: number });
    expect(steps.map((s) => [s.lr, s.rho])).toEqual(Array(4).fill([0.05, 0]));
    expect(csvRows(readFileSync(path.join(out, 'metrics.csv'), 'utf8')).map((r) => r.rho)).toEqual(['0', '0']);
  });

  it('fills ρ in on resume from a checkpoint written before the column existed', async () => {
    const out = await tinyRun(['--optimizer', 'sam', '--rho', '0.07']);
    const stateFile = path.join(out, 'checkpoint', 'state.json');
    const doc = JSON.parse(readFileSync(stateFile, 'utf8')) as { state: { history: Record<string, unknown>[] } };
    for (const row of doc.state.history) delete row.rho;
    writeFileSync(stateFile, JSON.stringify(doc));
    rmSync(path.join(out, 'metrics.csv'));
    const sink = new Writable({ write: (_c, _e, cb) => cb() }) as unknown as NodeJS.WriteStream;
    expect(await main(['train', '--out', out, '--resume', '--quiet', '--backend', 'reference'], { stdout: sink, stderr: sink })).toBe(0);
    expect(csvRows(readFileSync(path.join(out, 'metrics.csv'), 'utf8')).map((r) => r.rho)).toEqual(['0.07', '0.07']);
  });
});
