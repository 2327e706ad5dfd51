import { execFileSync } from 'node:child_process';
import { copyFileSync, mkdtempSync, readdirSync, readFileSync, symlinkSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import * as E from 'fp-ts/lib/Either.js';
import { describe, expect, it } from 'vitest';
import { random, tensor } from '@ssam/tensor';
import { decodeState, encodeState, hasCheckpoint, readCheckpoint, saveCheckpoint } from './checkpoint.js';

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
    const loaded = readCheckpoint(dir);
    if (E.isLeft(loaded)) throw loaded.left;
    const { state: s, meta } = loaded.right as { state: typeof state; meta: { epoch: number } };
    expect(meta.epoch).toBe(3);
    expect(s.position).toEqual({ epoch: 3, batch: 0 });
    expect(s.opt.mask.w.dtype).toBe('int32');
    expect(JSON.parse(readFileSync(path.join(dir, 'state.json'), 'utf8')).format).toBe('ssam-checkpoint/1');
  });

  it('refuses to load what is not there', () => {
    const dir = mkdtempSync(path.join(os.tmpdir(), 'ssam-ckpt-'));
    const r = readCheckpoint(dir);
    expect(E.isLeft(r) && r.left.message).toMatch(/nothing to resume/);
  });

  it("loads only a plain, regular file inside the folder as the tensor file", () => {
    const root = mkdtempSync(path.join(os.tmpdir(), 'ssam-ckpt-'));
    const other = path.join(root, 'other');
    saveCheckpoint(other, state);
    const otherDoc = JSON.parse(readFileSync(path.join(other, 'state.json'), 'utf8'));
    copyFileSync(path.join(other, otherDoc.tensorFile), path.join(root, 'outside.safetensors'));
    const dir = path.join(root, 'run', 'checkpoint');
    saveCheckpoint(dir, state);
    const doc = JSON.parse(readFileSync(path.join(dir, 'state.json'), 'utf8'));
    const withTensorFile = (name: string) => {
      writeFileSync(path.join(dir, 'state.json'), JSON.stringify({ ...doc, tensorFile: name }));
      const r = readCheckpoint(dir);
      return E.isLeft(r) ? r.left.message : 'loaded';
    };
    expect(withTensorFile(doc.tensorFile)).toBe('loaded');
    for (const name of ['../../outside.safetensors', '/dev/zero', '..', 'a/b.safetensors', ''])
      expect(withTensorFile(name)).toMatch(/tensorFile .* is not a plain file name in the checkpoint folder/);
    symlinkSync(path.join(root, 'outside.safetensors'), path.join(dir, 'escape.safetensors'));
    expect(withTensorFile('escape.safetensors')).toMatch(/symbolic link/);
    execFileSync('mkfifo', [path.join(dir, 'fifo.safetensors')]);
    expect(withTensorFile('fifo.safetensors')).toMatch(/not a regular file/); // refused, not a hang
  });

  it('reports malformed state.json as a Left naming the field, never a throw', () => {
    const dir = mkdtempSync(path.join(os.tmpdir(), 'ssam-ckpt-'));
    saveCheckpoint(dir, state);
    const doc = JSON.parse(readFileSync(path.join(dir, 'state.json'), 'utf8'));
    const message = (d: unknown) => {
      writeFileSync(path.join(dir, 'state.json'), typeof d === 'string' ? d : JSON.stringify(d));
      const r = readCheckpoint(dir);
      return E.isLeft(r) ? r.left.message : 'loaded';
    };
    expect(message('{"format": "ssam-checkpoint/1", "tensorF')).toMatch(/state\.json: not valid JSON/);
    expect(message([1])).toMatch(/not a JSON object/);
    expect(message({ ...doc, format: 'other/1' })).toMatch(/format is "other\/1"/);
    expect(message({ ...doc, meta: 3 })).toMatch(/meta is not a JSON object/);
    expect(message({ ...doc, state: { ...doc.state, params: { $tensor: 'nope' } } })).toMatch(/state\.params names tensor "nope", which the tensor file does not hold/);
    expect(message({ ...doc, state: { ...doc.state, key: { $key: [1, -1] } } })).toMatch(/state\.key is a PRNG key with words \[1,-1\]/);
    expect(message({ ...doc, state: { ...doc.state, nan: { $num: 'x' } } })).toMatch(/state\.nan is "x"/);
  });
});
