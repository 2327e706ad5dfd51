import { execFileSync } from 'node:child_process';
import { mkdtempSync, symlinkSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import * as E from 'fp-ts/lib/Either.js';
import { describe, expect, it } from 'vitest';
import { tensor } from '@ssam/tensor';
import { decodeSafetensors, encodeSafetensors, MAX_HEADER_BYTES, readSafetensorsFile, SafetensorsError } from './safetensors.js';

describe('safetensors', () => {
  it('round-trips float32 and int32 tensors with metadata', () => {
    const a = tensor([[1.5, -2], [3, 4.25]]);
    const b = tensor([7, 8, 9], [3], { dtype: 'int32' });
    const bytes = encodeSafetensors({ 'layer.w': a, step: b }, { format: 'x' });
    const { tensors, metadata } = decodeSafetensors(bytes);
    expect(metadata).toEqual({ format: 'x' });
    expect(tensors['layer.w']!.toList()).toEqual([[1.5, -2], [3, 4.25]]);
    expect(tensors.step!.dtype).toBe('int32');
    expect(tensors.step!.toList()).toEqual([7, 8, 9]);
  });

  it('writes the layout the reference reader expects', () => {
    const bytes = encodeSafetensors({ x: tensor([1, 2]) });
    const n = Number(new DataView(bytes.buffer).getBigUint64(0, true));
    expect((8 + n) % 8).toBe(0);
    const header = JSON.parse(Buffer.from(bytes.subarray(8, 8 + n)).toString());
    expect(header.x).toEqual({ dtype: 'F32', shape: [2], data_offsets: [0, 8] });
    expect(new Float32Array(bytes.slice(8 + n).buffer)).toEqual(new Float32Array([1, 2]));
  });

  it('fails cleanly on truncated data', () => {
    const bytes = encodeSafetensors({ x: tensor([1, 2, 3]) });
    expect(() => decodeSafetensors(bytes.subarray(0, bytes.length - 4), 'f.safetensors')).toThrow(SafetensorsError);
    expect(() => decodeSafetensors(bytes.subarray(0, 4), 'f.safetensors')).toThrow(/too short/);
  });
});

describe('reading safetensors that cannot be trusted', () => {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'ssam-st-'));
  const withHeader = (n: bigint, rest: Uint8Array = new Uint8Array(0)) => {
    const b = new Uint8Array(8 + rest.length);
    new DataView(b.buffer).setBigUint64(0, n, true);
    b.set(rest, 8);
    return b;
  };
  const header = (h: unknown, data = 0) => {
    const json = Buffer.from(JSON.stringify(h));
    return withHeader(BigInt(json.length), new Uint8Array([...json, ...new Uint8Array(data)]));
  };

  it('checks the header length against the cap and the file size before reading it', () => {
    expect(() => decodeSafetensors(withHeader(2n ** 62n), 'f')).toThrow(/header length 4611686018427387904 exceeds the 100000000-byte limit/);
    expect(() => decodeSafetensors(withHeader(BigInt(MAX_HEADER_BYTES)), 'f')).toThrow(/runs past the end of the 8-byte file/);
    const f = path.join(dir, 'huge-header.safetensors');
    writeFileSync(f, withHeader(2n ** 40n));
    const r = readSafetensorsFile(f);
    expect(E.isLeft(r) && r.left.message).toMatch(/exceeds the 100000000-byte limit/);
  });

  it('checks every entry: dtype, shape, offsets inside the data', () => {
    expect(() => decodeSafetensors(header({ x: { dtype: 'F32', shape: [2], data_offsets: [0, 8] } }, 4), 'f')).toThrow(/expects 8 bytes at 0\.\.8, the file has 4 data bytes/);
    expect(() => decodeSafetensors(header({ x: { dtype: 'F32', shape: [-1], data_offsets: [0, 0] } }), 'f')).toThrow(/has shape \[-1\]/);
    expect(() => decodeSafetensors(header({ x: { dtype: 'F32', shape: [1], data_offsets: [8, 4] } }, 8), 'f')).toThrow(/data_offsets \[8,4\]/);
    expect(() => decodeSafetensors(header({ x: { dtype: 'F32', shape: [1] } }, 8), 'f')).toThrow(/data_offsets undefined/);
    expect(() => decodeSafetensors(header({ x: null }), 'f')).toThrow(/dtype undefined/);
    expect(() => decodeSafetensors(header([1, 2]), 'f')).toThrow(/not a JSON object/);
  });

  it('reads only regular files: a device, a FIFO and a symbolic link are refused at once', () => {
    const good = path.join(dir, 'good.safetensors');
    writeFileSync(good, encodeSafetensors({ x: tensor([1, 2]) }));
    const r = readSafetensorsFile(good);
    expect(E.isRight(r) && r.right.tensors.x!.toList()).toEqual([1, 2]);
    const link = path.join(dir, 'link.safetensors');
    symlinkSync(good, link);
    const fifo = path.join(dir, 'fifo.safetensors');
    execFileSync('mkfifo', [fifo]);
    for (const [f, why] of [['/dev/zero', /not a regular file/], [fifo, /not a regular file/], [link, /symbolic link/]] as const) {
      const bad = readSafetensorsFile(f);
      expect(E.isLeft(bad) && bad.left.message).toMatch(why);
    }
  });
});
