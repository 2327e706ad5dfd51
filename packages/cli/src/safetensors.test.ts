import { describe, expect, it } from 'vitest';
import { tensor } from '@ssam/tensor';
import { decodeSafetensors, encodeSafetensors, SafetensorsError } from './safetensors.js';

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
