import { closeSync, constants, fstatSync, openSync, readSync } from 'node:fs';
import { ArgumentError } from '../errors.js';
import { tensor } from '../ops/creation.js';
import type { Tensor } from '../tensor.js';

/**
 * The safetensors format (the ecosystem's standard; `safetensors.torch.load_file` reads it):
 * an 8-byte little-endian header length, a JSON header mapping names to
 * `{ dtype, shape, data_offsets: [begin, end] }` (offsets into the byte buffer after the header),
 * optional `__metadata__` of string values, then the raw little-endian data.
 *
 * Nothing read is trusted: the header length is checked against the cap and the data size before
 * the header is parsed, every entry's dtype, shape and offsets before any data is allocated.
 */
const DTYPES = { float32: 'F32', int32: 'I32' } as const;

/** The reference reader's limit on the JSON header (100 MB): a bigger one is corrupt, not data. */
export const MAX_HEADER_BYTES = 100_000_000;

/**
 * Malformed or unreadable safetensors: an ArgumentError (the file is the bad argument) whose message
 * names the operation, the file and the entry.
 */
export class SafetensorsError extends ArgumentError {}

export interface Decoded {
  readonly tensors: Record<string, Tensor>;
  readonly metadata: Record<string, string>;
}

/** Encodes named tensors (sorted by name) and string metadata into safetensors bytes. */
export function encodeSafetensors(tensors: Readonly<Record<string, Tensor>>, metadata: Readonly<Record<string, string>> = {}): Uint8Array {
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
  new DataView(out.buffer).setBigUint64(0, BigInt(headerBytes.length), true);
  out.set(headerBytes, 8);
  let pos = 8 + headerBytes.length;
  for (const name of names) {
    const data = tensors[name]!.toArray();
    out.set(new Uint8Array(data.buffer, data.byteOffset, data.byteLength), pos);
    pos += data.byteLength;
  }
  return out;
}

interface Entry {
  readonly name: string;
  readonly dtype: 'float32' | 'int32';
  readonly shape: readonly number[];
  readonly begin: number;
  readonly end: number;
}

const isCount = (v: unknown): v is number => typeof v === 'number' && Number.isSafeInteger(v) && v >= 0;

function parseHeader(op: string, json: Buffer, dataBytes: number, source: string): { entries: Entry[]; metadata: Record<string, string> } {
  const bad = (m: string) => new SafetensorsError(op, `${source}: ${m}`);
  let header: unknown;
  try {
    header = JSON.parse(json.toString('utf8'));
  } catch (e) {
    throw bad(`the header is not valid JSON (${(e as Error).message})`);
  }
  if (header === null || typeof header !== 'object' || Array.isArray(header)) throw bad('the header is not a JSON object');
  const entries: Entry[] = [];
  let metadata: Record<string, string> = {};
  for (const [name, raw] of Object.entries(header as Record<string, unknown>)) {
    if (name === '__metadata__') {
      if (raw === null || typeof raw !== 'object' || Object.values(raw).some((v) => typeof v !== 'string')) throw bad('__metadata__ must map names to strings');
      metadata = raw as Record<string, string>;
      continue;
    }
    const e = (raw ?? {}) as { dtype?: unknown; shape?: unknown; data_offsets?: unknown };
    const dtype = e.dtype === 'F32' ? 'float32' : e.dtype === 'I32' ? 'int32' : undefined;
    if (!dtype) throw bad(`tensor '${name}' has dtype ${JSON.stringify(e.dtype)}; only F32 and I32 are supported`);
    if (!Array.isArray(e.shape) || !e.shape.every(isCount)) throw bad(`tensor '${name}' has shape ${JSON.stringify(e.shape)}; a shape is a list of non-negative integers`);
    const offs = e.data_offsets;
    if (!Array.isArray(offs) || offs.length !== 2 || !offs.every(isCount) || offs[0] > offs[1])
      throw bad(`tensor '${name}' has data_offsets ${JSON.stringify(offs)}; they must be two integers begin <= end`);
    const shape = e.shape as number[];
    const count = shape.reduce((a, d) => a * d, 1);
    const [begin, end] = offs as [number, number];
    if (end - begin !== count * 4 || end > dataBytes)
      throw bad(`tensor '${name}' [${shape.join(', ')}] expects ${count * 4} bytes at ${begin}..${end}, the file has ${dataBytes} data bytes (truncated?)`);
    entries.push({ name, dtype, shape, begin, end });
  }
  return { entries, metadata };
}

function headerLength(op: string, prefix: Uint8Array, total: number, source: string): number {
  if (total < 8) throw new SafetensorsError(op, `${source}: ${total} bytes is too short for a safetensors header`);
  const n = new DataView(prefix.buffer, prefix.byteOffset, 8).getBigUint64(0, true);
  if (n > BigInt(MAX_HEADER_BYTES)) throw new SafetensorsError(op, `${source}: header length ${n} exceeds the ${MAX_HEADER_BYTES}-byte limit (not a safetensors file?)`);
  if (8n + n > BigInt(total)) throw new SafetensorsError(op, `${source}: header length ${n} runs past the end of the ${total}-byte file (truncated?)`);
  return Number(n);
}

const toTensor = (e: Entry, bytes: Uint8Array): Tensor => {
  const copy = bytes.slice(); // an own, aligned buffer
  const count = e.shape.reduce((a, d) => a * d, 1);
  const arr = e.dtype === 'float32' ? new Float32Array(copy.buffer, 0, count) : new Int32Array(copy.buffer, 0, count);
  return tensor(arr, [...e.shape], { dtype: e.dtype });
};

/** Decodes safetensors bytes held in memory; throws SafetensorsError on anything malformed. */
export function decodeSafetensors(bytes: Uint8Array, source = 'safetensors data'): Decoded {
  const op = 'decodeSafetensors';
  const base = 8 + headerLength(op, bytes, bytes.length, source);
  const h = parseHeader(op, Buffer.from(bytes.subarray(8, base)), bytes.length - base, source);
  const tensors: Record<string, Tensor> = {};
  for (const e of h.entries) tensors[e.name] = toTensor(e, bytes.subarray(base + e.begin, base + e.end));
  return { tensors, metadata: h.metadata };
}

function readExactly(fd: number, length: number, position: number): Uint8Array {
  const buf = new Uint8Array(length);
  let got = 0;
  while (got < length) {
    const r = readSync(fd, buf, got, length - got, position + got);
    if (r === 0) break;
    got += r;
  }
  return got === length ? buf : buf.subarray(0, got);
}

/**
 * Reads a safetensors file without trusting it: it must be a regular file (symlinks are not
 * followed, a FIFO or device is refused without blocking), and the header length is checked
 * against the file's size and the cap before the header is read, the offsets before the data.
 * `op` names the caller's operation in the error.
 */
export function readSafetensors(file: string, op = 'readSafetensors'): Decoded {
  let fd: number;
  try {
    fd = openSync(file, constants.O_RDONLY | constants.O_NOFOLLOW | constants.O_NONBLOCK);
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    throw new SafetensorsError(op, `${file}: ${code === 'ELOOP' ? 'is a symbolic link; a checkpoint names a regular file' : `cannot be opened (${code ?? (e as Error).message})`}`);
  }
  try {
    const st = fstatSync(fd);
    if (!st.isFile()) throw new SafetensorsError(op, `${file}: is not a regular file`);
    const size = st.size;
    const base = 8 + headerLength(op, readExactly(fd, Math.min(8, size), 0), size, file);
    const h = parseHeader(op, Buffer.from(readExactly(fd, base - 8, 8)), size - base, file);
    const tensors: Record<string, Tensor> = {};
    for (const e of h.entries) {
      const bytes = readExactly(fd, e.end - e.begin, base + e.begin);
      if (bytes.length !== e.end - e.begin) throw new SafetensorsError(op, `${file}: tensor '${e.name}' is cut short (the file changed while it was read?)`);
      tensors[e.name] = toTensor(e, bytes);
    }
    return { tensors, metadata: h.metadata };
  } catch (e) {
    if (e instanceof SafetensorsError) throw e;
    throw new SafetensorsError(op, `${file}: cannot be read (${(e as NodeJS.ErrnoException).code ?? (e as Error).message})`);
  } finally {
    closeSync(fd);
  }
}
