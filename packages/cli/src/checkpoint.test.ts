import { mkdtempSync, readdirSync, readFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import * as E from 'fp-ts/lib/Either.js';
import { describe, expect, it } from 'vitest';
import { random, tensor } from '@ssam/tensor';
import { decodeState, encodeState, hasCheckpoint, loadCheckpoint, saveCheckpoint } from './checkpoint.js';

describe('checkpoint', () => {
  const state = {
    params: { dense: { w: tensor([[1, 2], [3, 4]]), b: tensor([0.5, -0.5]) } },
    opt: { step: 12, momentum: [tensor([1e-8]), null], mask: { w: tensor([1, 0], [2], { dtype: 'int32' }) } },
    key: random.key(42),
    position: { epoch: 2, batch: 17 },
    nan: Number.NaN,
  };

  it('encodes tensors by path and restores keys, numbers and structure', () => {
    const { json, tensors } = encodeState(state);
    expect(Object.keys(tensors).sort()).toEqual(['opt.mask.w', 'opt.momentum.0', 'params.dense.b', 'params.dense.w']);
    const back = E.getOrElseW((e: Error) => { throw e; })(decodeState(json, tensors)) as typeof state;
    expect(back.key.words).toEqual(state.key.words);
    expect(back.opt.step).toBe(12);
    expect(back.opt.momentum[1]).toBeNull();
    expect(Number.isNaN(back.nan)).toBe(true);
    expect(back.params.dense.w.toList()).toEqual([[1, 2], [3, 4]]);
  });

  it('saves atomically and keeps one tensor file', () => {
    const dir = mkdtempSync(path.join(os.tmpdir(), 'ssam-ckpt-'));
    expect(hasCheckpoint(dir)).toBe(false);
    saveCheckpoint(dir, state, { epoch: 1 });
    saveCheckpoint(dir, { ...state, position: { epoch: 3, batch: 0 } }, { epoch: 3 });
    const files = readdirSync(dir).sort();
    expect(files.filter((f) => f.endsWith('.safetensors'))).toHaveLength(1);
    expect(files.some((f) => f.includes('.tmp-'))).toBe(false);
    const loaded = loadCheckpoint(dir);
    if (E.isLeft(loaded)) throw loaded.left;
    const { state: s, meta } = loaded.right as { state: typeof state; meta: { epoch: number } };
    expect(meta.epoch).toBe(3);
    expect(s.position).toEqual({ epoch: 3, batch: 0 });
    expect(s.opt.mask.w.dtype).toBe('int32');
    expect(JSON.parse(readFileSync(path.join(dir, 'state.json'), 'utf8')).format).toBe('ssam-checkpoint/1');
  });

  it('refuses to load what is not there', () => {
    const dir = mkdtempSync(path.join(os.tmpdir(), 'ssam-ckpt-'));
    const r = loadCheckpoint(dir);
    expect(E.isLeft(r) && r.left.message).toMatch(/nothing to resume/);
  });
});
