import { tensor, type Tensor } from '@ssam/tensor';

/**
 * The safetensors format (the ecosystem's standard; `safetensors.torch.load_file` reads it):
 * an 8-byte little-endian header length, a JSON header mapping names to
 * `{ dtype, shape, data_offsets: [begin, end] }` (offsets into the byte buffer after the header),
 * optional `__metadata__` of string values, then the raw little-endian data.
 */
const DTYPES = { float32: 'F32', int32: 'I32' } as const;

export function encodeSafetensors(tensors: Readonly<Record<string, Tensor>>, metadata: Record<string, string> = {}): Uint8Array {
  const names = Object.keys(tensors).sort();
  const header: Record<string, unknown> = {};
  if (Object.keys(metadata).length) header.__metadata__ = metadata;
  let offset = 0;
  for (const name of names) {
    const t = tensors[name]!;
    const bytes = t.size * 4;
    header[name] = { dtype: DTYPES[t.dtype], shape: t.shape, data_offsets: [offset, offset + bytes] };
    offset += bytes;
  }
  let json = JSON.stringify(header);
  // Pad the header with spaces to an 8-byte boundary, as the reference writer does.
  while ((8 + Buffer.byteLength(json)) % 8 !== 0) json += ' ';
  const headerBytes = Buffer.from(json, 'utf8');
  const out = new Uint8Array(8 + headerBytes.length + offset);
  const view = new DataView(out.buffer);
  view.setBigUint64(0, BigInt(headerBytes.length), true);
  out.set(headerBytes, 8);
  let pos = 8 + headerBytes.length;
  for (const name of names) {
    const data = tensors[name]!.toArray();
    out.set(new Uint8Array(data.buffer, data.byteOffset, data.byteLength), pos);
    pos += data.byteLength;
  }
  return out;
}

export class SafetensorsError extends Error {
  override readonly name = 'SafetensorsError';
}

export function decodeSafetensors(bytes: Uint8Array, source = 'safetensors data'): { tensors: Record<string, Tensor>; metadata: Record<string, string> } {
  if (bytes.length < 8) throw new SafetensorsError(`${source}: ${bytes.length} bytes is too short for a safetensors header`);
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const n = Number(view.getBigUint64(0, true));
  if (8 + n > bytes.length) throw new SafetensorsError(`${source}: header length ${n} runs past the end of the ${bytes.length}-byte file (truncated?)`);
  let header: Record<string, { dtype: string; shape: number[]; data_offsets: [number, number] } | Record<string, string>>;
  try {
    header = JSON.parse(Buffer.from(bytes.subarray(8, 8 + n)).toString('utf8'));
  } catch (e) {
    throw new SafetensorsError(`${source}: the header is not valid JSON (${(e as Error).message})`);
  }
  const base = 8 + n;
  const tensors: Record<string, Tensor> = {};
  let metadata: Record<string, string> = {};
  for (const [name, entry] of Object.entries(header)) {
    if (name === '__metadata__') {
      metadata = entry as Record<string, string>;
      continue;
    }
    const e = entry as { dtype: string; shape: number[]; data_offsets: [number, number] };
    const dtype = e.dtype === 'F32' ? 'float32' : e.dtype === 'I32' ? 'int32' : undefined;
    if (!dtype) throw new SafetensorsError(`${source}: tensor '${name}' has dtype ${e.dtype}; only F32 and I32 are supported`);
    const [b, end] = e.data_offsets;
    const count = e.shape.reduce((a, d) => a * d, 1);
    if (end - b !== count * 4 || base + end > bytes.length)
      throw new SafetensorsError(`${source}: tensor '${name}' [${e.shape.join(', ')}] expects ${count * 4} bytes at ${b}..${end}, the file has ${bytes.length - base} data bytes`);
    const copy = bytes.slice(base + b, base + end);
    const arr = dtype === 'float32' ? new Float32Array(copy.buffer, 0, count) : new Int32Array(copy.buffer, 0, count);
    tensors[name] = tensor(arr, e.shape, { dtype });
  }
  return { tensors, metadata };
}
