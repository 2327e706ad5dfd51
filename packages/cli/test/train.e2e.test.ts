import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { decodeSafetensors } from '../src/safetensors.js';
import { parseCsv, ssam, tmpDir, TINY } from './helpers.js';

const TIME_COLUMNS = ['seconds', 'step_ms'];
const withoutTimes = (csv: string) => parseCsv(csv).map((r) => Object.fromEntries(Object.entries(r).filter(([k]) => !TIME_COLUMNS.includes(k))));

describe('ssam train', () => {
  const root = tmpDir('train');
  const a = path.join(root, 'a');
  const b = path.join(root, 'b');
  const args = ['train', ...TINY, '--optimizer', 'ssam-f', '--fisher-samples', '16', '--seed', '7'];

  it('writes config.json, metrics.csv, steps.jsonl, summary.json, model.safetensors and a checkpoint', () => {
    const r = ssam([...args, '--out', a]);
    expect(r.status, r.stderr).toBe(0);
    expect(r.stdout).toMatch(/test accuracy \d+\.\d+ %/);
    const config = JSON.parse(readFileSync(path.join(a, 'config.json'), 'utf8'));
    expect(config.config).toMatchObject({ optimizer: 'ssam-f', seed: 7, trainSubset: 256, width: [16], epochs: 2 });
    expect(config.backend.description).toMatch(/wasm|reference/);
    expect(config.environment.packages['@ssam/cli']).toMatch(/^\d+\.\d+\.\d+/);
    expect(config.rerun).toMatch(/^ssam train .*--optimizer ssam-f/);
    const metrics = parseCsv(readFileSync(path.join(a, 'metrics.csv'), 'utf8'));
    expect(metrics.map((m) => m.epoch)).toEqual(['1', '2']);
    for (const m of metrics) {
      expect(Number(m.test_acc)).toBeGreaterThan(0);
      expect(Number(m.mask_density)).toBeCloseTo(0.5, 2);
    }
    const steps = readFileSync(path.join(a, 'steps.jsonl'), 'utf8').trim().split('\n').map((l) => JSON.parse(l));
    expect(steps.map((s) => s.step)).toEqual([...Array(16).keys()]);
    const summary = JSON.parse(readFileSync(path.join(a, 'summary.json'), 'utf8'));
    expect(summary.status).toBe('complete');
    expect(summary.finalTestAcc).toBe(Number(metrics[1]!.test_acc));
    const { tensors } = decodeSafetensors(new Uint8Array(readFileSync(path.join(a, 'model.safetensors'))));
    expect(tensors['params.fc1.w']!.shape).toEqual([16, 784]); // PyTorch's Linear layout [out, in]
    const ckpt = JSON.parse(readFileSync(path.join(a, 'checkpoint', 'state.json'), 'utf8'));
    expect(ckpt.meta).toMatchObject({ epoch: 2, batch: 0, step: 16, complete: true });
    // The optimizer state (mask, momentum, counters) rides in the checkpoint.
    const names = Object.keys(decodeSafetensors(new Uint8Array(readFileSync(path.join(a, 'checkpoint', ckpt.tensorFile)))).tensors);
    expect(names.some((n) => n.startsWith('train.optState.sparse.mask.'))).toBe(true);
    expect(names.some((n) => n.startsWith('train.optState.count'))).toBe(true);
  });

  it('gives bit-identical metrics and parameters for the same seed', () => {
    const r = ssam([...args, '--out', b]);
    expect(r.status, r.stderr).toBe(0);
    expect(withoutTimes(readFileSync(path.join(b, 'metrics.csv'), 'utf8'))).toEqual(withoutTimes(readFileSync(path.join(a, 'metrics.csv'), 'utf8')));
    expect(readFileSync(path.join(b, 'steps.jsonl'), 'utf8')).toBe(readFileSync(path.join(a, 'steps.jsonl'), 'utf8'));
    expect(readFileSync(path.join(b, 'model.safetensors')).equals(readFileSync(path.join(a, 'model.safetensors')))).toBe(true);
  });

  it('refuses a resume that would change the training', () => {
    const r = ssam(['train', '--resume', '--out', a, '--lr', '0.5']);
    expect(r.status).toBe(2);
    expect(r.stderr).toMatch(/--lr 0.5 differs from the saved run \(0.1\)/);
  });

  it('prints JSON lines with --json', () => {
    const r = ssam(['train', ...TINY, '--epochs', '1', '--json', '--out', path.join(root, 'json')]);
    expect(r.status, r.stderr).toBe(0);
    const events = r.stdout.trim().split('\n').map((l) => JSON.parse(l));
    expect(events.map((e) => e.event)).toEqual(['epoch', 'summary']);
    expect(events[1].status).toBe('complete');
  });

  it('stops a diverging run with exit code 3 and keeps the last good checkpoint', () => {
    const out = path.join(root, 'diverge');
    const r = ssam(['train', ...TINY, '--epochs', '3', '--lr', '1000', '--schedule', 'constant', '--train-subset', '512', '--checkpoint-every', '4', '--out', out]);
    expect(r.status, r.stderr).toBe(3);
    expect(r.stderr.trim().split('\n')).toHaveLength(1);
    expect(r.stderr).toMatch(/training diverged at epoch \d+, step \d+: the training loss is (NaN|Infinity|-Infinity); the last good checkpoint \(after step \d+\) is kept/);
    expect(existsSync(path.join(out, 'model.safetensors'))).toBe(false);
    const summary = JSON.parse(readFileSync(path.join(out, 'summary.json'), 'utf8'));
    expect(summary.status).toBe('diverged');
    const ckpt = JSON.parse(readFileSync(path.join(out, 'checkpoint', 'state.json'), 'utf8'));
    expect(ckpt.meta.step).toBeGreaterThan(0);
    expect(ckpt.meta.step).toBeLessThanOrEqual(summary.steps);
    const { tensors } = decodeSafetensors(new Uint8Array(readFileSync(path.join(out, 'checkpoint', ckpt.tensorFile))));
    for (const [name, t] of Object.entries(tensors)) if (name.startsWith('train.params.')) expect(t.toArray().every(Number.isFinite)).toBe(true);
  });
});
