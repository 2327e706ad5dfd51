import { mkdtempSync, readFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Writable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { main } from '../main.js';
import { decodeSafetensors } from '../safetensors.js';

/** The parameters after ONE training step (64 examples, one batch of 64, constant lr, ρ = 0). */
async function oneStep(lr: string, extra: readonly string[]): Promise<Float32Array> {
  const out = path.join(mkdtempSync(path.join(os.tmpdir(), 'ssam-base-')), 'run');
  const sink = new Writable({ write: (_c, _e, cb) => cb() }) as unknown as NodeJS.WriteStream;
  const args = ['train', '--optimizer', 'sam', '--rho', '0', '--lr', lr, '--weight-decay', '0', '--schedule', 'constant', '--train-subset', '64', '--test-subset', '64',
    '--batch-size', '64', '--epochs', '1', '--width', '8', '--backend', 'reference', '--quiet', '--out', out, ...extra];
  expect(await main(args, { stdout: sink, stderr: sink })).toBe(0);
  const { tensors } = decodeSafetensors(new Uint8Array(readFileSync(path.join(out, 'model.safetensors'))));
  return Float32Array.from(Object.entries(tensors).filter(([k]) => k.startsWith('params.')).flatMap(([, t]) => Array.from(t.toArray() as ArrayLike<number>)));
  // (the header and the key order of model.safetensors are the same for both runs)
}

describe('--base adamw', () => {
  it('steps by lr · sign(g) on the first step (bias-corrected m̂/√v̂ = ±1), which SGD does not', async () => {
    // Same seed, same gradient at the same init: w(lr) = w0 − lr·u, so w(1e-3) − w(2e-3) = 1e-3·u.
    const [a, b] = [await oneStep('0.001', ['--base', 'adamw']), await oneStep('0.002', ['--base', 'adamw'])];
    const u = a.map((x, i) => (x - b[i]!) / 1e-3);
    const moved = [...u].filter((x) => Math.abs(x) > 0.5);
    expect(moved.length).toBeGreaterThan(1000); // of 6,370: MNIST's blank border pixels have g = 0 and stay
    // |m̂|/(√v̂ + ε) = |g|/(|g| + 1e-8) ≤ 1, and within 1e-3 of 1 wherever |g| ≫ ε.
    for (const x of moved) expect(Math.abs(x)).toBeLessThan(1 + 1e-4);
    expect(moved.filter((x) => Math.abs(Math.abs(x) - 1) < 1e-3).length).toBeGreaterThan(0.9 * moved.length);
    // The SGD base moves by lr·g, whose entries are not all ±1.
    const [c, d] = [await oneStep('0.001', []), await oneStep('0.002', [])];
    const g = c.map((x, i) => Math.abs((x - d[i]!) / 1e-3));
    expect(g.some((x) => x > 0 && Math.abs(x - 1) > 0.1)).toBe(true);
  });
});
