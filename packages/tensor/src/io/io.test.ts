import { execFileSync } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, symlinkSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { ArgumentError, DTypeError, ShapeError } from '../errors.js';
import { tensor } from '../ops/creation.js';
import type { Tensor } from '../tensor.js';
import { decodeSafetensors, encodeSafetensors, loadTree, MAX_HEADER_BYTES, readSafetensors, saveTree, SafetensorsError, TREE_KEY, writeFileAtomic } from './index.js';

const dir = mkdtempSync(path.join(os.tmpdir(), 'ssam-io-'));
const f = (name: string) => path.join(dir, name);
const list = (t: unknown): unknown => (t && typeof t === 'object' && 'toList' in t ? (t as Tensor).toList() : Array.isArray(t) ? t.map(list) : t && typeof t === 'object' ? Object.fromEntries(Object.entries(t).map(([k, v]) => [k, list(v)])) : t);

describe('saveTree / loadTree', () => {
  const params = { fc1: { w: tensor([[1, 2], [3, 4]]), b: tensor([0.5, -0.5]) }, blocks: [{ w: tensor([7]) }, null, { n: tensor([3], [1], { dtype: 'int32' }) }] };

  it('round-trips a tree with arrays, nulls, int32 and metadata; names are dotted paths', () => {
    saveTree(f('p.safetensors'), params, { metadata: { step: '10' } });
    const back = loadTree(f('p.safetensors'));
    expect(list(back)).toEqual(list(params));
    const { tensors, metadata } = readSafetensors(f('p.safetensors'));
    expect(Object.keys(tensors).sort()).toEqual(['blocks.0.w', 'blocks.2.n', 'fc1.b', 'fc1.w']);
    expect(metadata.step).toBe('10');
    expect(tensors['blocks.2.n']!.dtype).toBe('int32');
  });

  it('reads files without a stored structure (a PyTorch state dict) as nested objects', () => {
    writeFileSync(f('torch.safetensors'), encodeSafetensors({ 'fc.weight': tensor([[1]]), 'fc.bias': tensor([2]) }));
    expect(list(loadTree(f('torch.safetensors')))).toEqual({ fc: { weight: [[1]], bias: [2] } });
  });

  it('checks the file against a template: names, shapes, dtypes, extra tensors', () => {
    saveTree(f('p.safetensors'), params);
    expect(list(loadTree(f('p.safetensors'), { like: params }))).toEqual(list(params));
    // The values come from the file, only the structure from the template.
    const zeros = { fc1: { w: tensor([[0, 0], [0, 0]]), b: tensor([0, 0]) }, blocks: [{ w: tensor([0]) }, null, { n: tensor([0], [1], { dtype: 'int32' }) }] };
    expect(list(loadTree(f('p.safetensors'), { like: zeros }))).toEqual(list(params));
    const wide = { ...params, fc1: { ...params.fc1, w: tensor([[1, 2, 3]]) } };
    expect(() => loadTree(f('p.safetensors'), { like: wide })).toThrow(ShapeError);
    expect(() => loadTree(f('p.safetensors'), { like: wide })).toThrow("loadTree: 'fc1.w' has shape [2, 2] in " + f('p.safetensors') + ', the template has [1, 3]');
    const asInt = { ...params, fc1: { ...params.fc1, b: tensor([0, 0], [2], { dtype: 'int32' }) } };
    expect(() => loadTree(f('p.safetensors'), { like: asInt })).toThrow(DTypeError);
    expect(() => loadTree(f('p.safetensors'), { like: { ...params, fc2: { w: tensor([1]) } } })).toThrow(/has no tensor 'fc2\.w' \(template \[1\] float32\)/);
    const { blocks: _, ...fewer } = params;
    expect(() => loadTree(f('p.safetensors'), { like: fewer })).toThrow(/holds tensors the template lacks: blocks\.0\.w, blocks\.2\.n/);
  });

  it('refuses what it cannot save, naming the leaf', () => {
    expect(() => saveTree(f('x.safetensors'), { a: { b: 3 } } as never)).toThrow("saveTree: the leaf at 'a.b' is number; only tensors can be saved");
    expect(() => saveTree(f('x.safetensors'), { 'a.b': tensor([1]), a: { b: tensor([2]) } })).toThrow(/two leaves are both named 'a\.b'/);
    expect(() => saveTree(f('x.safetensors'), params, { metadata: { [TREE_KEY]: 'x' } })).toThrow(/reserved/);
    expect(() => saveTree(path.join(dir, 'missing', 'x.safetensors'), params)).toThrow(/saveTree: .*cannot be written \(ENOENT\)/);
  });

  it('finds a stored structure that disagrees with the tensors', () => {
    writeFileSync(f('bad.safetensors'), encodeSafetensors({ a: tensor([1]) }, { [TREE_KEY]: JSON.stringify({ kind: 'object', keys: ['b'], children: [{ kind: 'leaf' }] }) }));
    expect(() => loadTree(f('bad.safetensors'))).toThrow(/missing: b; unexpected: a/);
    writeFileSync(f('bad2.safetensors'), encodeSafetensors({ a: tensor([1]) }, { [TREE_KEY]: '{"kind":"tree"}' }));
    expect(() => loadTree(f('bad2.safetensors'))).toThrow(/is not a tree structure/);
  });
});

describe('hardened reading', () => {
  const withHeader = (n: bigint, rest: Uint8Array = new Uint8Array(0)) => {
    const b = new Uint8Array(8 + rest.length);
    new DataView(b.buffer).setBigUint64(0, n, true);
    b.set(rest, 8);
    return b;
  };

  it('checks the header length against the cap and the file size, and every entry', () => {
    writeFileSync(f('huge.safetensors'), withHeader(2n ** 40n));
    expect(() => loadTree(f('huge.safetensors'))).toThrow(SafetensorsError);
    expect(() => loadTree(f('huge.safetensors'))).toThrow(/^loadTree: .* exceeds the 100000000-byte limit/);
    expect(() => decodeSafetensors(withHeader(BigInt(MAX_HEADER_BYTES)), 'f')).toThrow(/runs past the end of the 8-byte file/);
    const json = Buffer.from(JSON.stringify({ x: { dtype: 'F32', shape: [2], data_offsets: [0, 8] } }));
    expect(() => decodeSafetensors(withHeader(BigInt(json.length), new Uint8Array([...json, 0, 0, 0, 0])), 'f')).toThrow(/expects 8 bytes at 0\.\.8, the file has 4 data bytes/);
    expect(new SafetensorsError('op', 'm')).toBeInstanceOf(ArgumentError);
  });

  it('reads only regular files: a device, a FIFO and a symbolic link are refused at once', () => {
    saveTree(f('good.safetensors'), { x: tensor([1, 2]) });
    symlinkSync(f('good.safetensors'), f('link.safetensors'));
    execFileSync('mkfifo', [f('fifo.safetensors')]);
    expect(() => loadTree(f('link.safetensors'))).toThrow(/symbolic link/);
    expect(() => loadTree(f('fifo.safetensors'))).toThrow(/not a regular file/);
    expect(() => loadTree('/dev/zero')).toThrow(/not a regular file/);
  });
});

describe('writeFileAtomic', () => {
  it('replaces the file and leaves no temporary file, also when the write fails', () => {
    writeFileAtomic(f('a.txt'), 'one');
    writeFileAtomic(f('a.txt'), 'two');
    expect(readFileSync(f('a.txt'), 'utf8')).toBe('two');
    // A folder where the file should go: the rename fails, the old content and no temp file remain.
    expect(() => writeFileAtomic(dir, 'x')).toThrow();
    expect(readdirSync(dir).filter((n) => n.includes('.tmp-'))).toEqual([]);
    expect(readdirSync(path.dirname(dir)).filter((n) => n.startsWith(path.basename(dir)) && n.includes('.tmp-'))).toEqual([]);
  });
});
