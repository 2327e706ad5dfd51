// IDX, the format of MNIST and Fashion-MNIST (LeCun et al.): a 4-byte magic `00 00 TT RR` (type
// code, rank), RR big-endian uint32 dimensions, then the elements big-endian in row-major order.
// Files may be gzipped; we detect that by the gzip magic, not by the file name.
import * as E from 'fp-ts/lib/Either.js';
import { pipe } from 'fp-ts/lib/function.js';
import { dataError, fmtBytes, type DataError } from './errors.js';
import { maybeGunzip, readBytes } from './internal/files.js';
import { makeDataset, type Dataset } from './dataset.js';

export type IdxType = 'ubyte' | 'byte' | 'short' | 'int' | 'float' | 'double';
export type IdxData = Uint8Array | Int8Array | Int16Array | Int32Array | Float32Array | Float64Array;

/** A decoded IDX array: element type, dimensions and elements (row-major). */
export interface IdxArray {
  readonly type: IdxType;
  readonly dims: readonly number[];
  readonly data: IdxData;
}

const TYPES: Record<number, { type: IdxType; bytes: number }> = {
  0x08: { type: 'ubyte', bytes: 1 },
  0x09: { type: 'byte', bytes: 1 },
  0x0b: { type: 'short', bytes: 2 },
  0x0c: { type: 'int', bytes: 4 },
  0x0d: { type: 'float', bytes: 4 },
  0x0e: { type: 'double', bytes: 8 },
};
const CODES: Record<IdxType, number> = { ubyte: 0x08, byte: 0x09, short: 0x0b, int: 0x0c, float: 0x0d, double: 0x0e };

const hex = (b: Uint8Array, n: number) => Array.from(b.subarray(0, n), (v) => v.toString(16).padStart(2, '0')).join(' ');

/**
 * Decodes IDX bytes (raw or gzipped). `file` only labels errors. Ubyte data is a view over `bytes`.
 * @example getOrThrow(parseIdx(encodeIdx(new Uint8Array([1, 2]), [2]))).dims; // [2]
 */
export function parseIdx(bytes: Uint8Array, file = '<bytes>'): E.Either<DataError, IdxArray> {
  const op = 'readIdx';
  return pipe(
    maybeGunzip(op, file, bytes),
    E.chain((b) => {
      if (b.length < 4) return E.left(dataError('size', op, file, 'at least the 4-byte IDX magic', fmtBytes(b.length)));
      const t = TYPES[b[2]!];
      if (b[0] !== 0 || b[1] !== 0 || !t || b[3] === 0)
        return E.left(
          dataError('magic', op, file, 'the IDX magic 00 00 TT RR (TT one of 08 09 0b 0c 0d 0e, rank RR ≥ 1)', hex(b, 4), 'Is this an IDX file (e.g. train-images-idx3-ubyte)?'),
        );
      const rank = b[3]!;
      const header = 4 + 4 * rank;
      if (b.length < header) return E.left(dataError('size', op, file, `a ${header}-byte header for rank ${rank}`, fmtBytes(b.length)));
      const view = new DataView(b.buffer, b.byteOffset, b.byteLength);
      const dims: number[] = [];
      for (let i = 0; i < rank; i++) dims.push(view.getUint32(4 + 4 * i, false));
      const count = dims.reduce((p, d) => p * d, 1);
      const want = header + count * t.bytes;
      if (b.length !== want)
        return E.left(
          dataError('size', op, file, `${fmtBytes(want)} (${header}-byte header + ${dims.join('×')} ${t.type} elements)`, `${fmtBytes(b.length)}${b.length < want ? ' (truncated)' : ' (trailing bytes)'}`),
        );
      return E.right({ type: t.type, dims, data: decode(t.type, view, header, count, b) });
    }),
  );
}

function decode(type: IdxType, view: DataView, off: number, n: number, b: Uint8Array): IdxData {
  switch (type) {
    case 'ubyte':
      return b.subarray(off, off + n);
    case 'byte':
      return new Int8Array(b.buffer, b.byteOffset + off, n);
    case 'short': {
      const out = new Int16Array(n);
      for (let i = 0; i < n; i++) out[i] = view.getInt16(off + 2 * i, false);
      return out;
    }
    case 'int': {
      const out = new Int32Array(n);
      for (let i = 0; i < n; i++) out[i] = view.getInt32(off + 4 * i, false);
      return out;
    }
    case 'float': {
      const out = new Float32Array(n);
      for (let i = 0; i < n; i++) out[i] = view.getFloat32(off + 4 * i, false);
      return out;
    }
    case 'double': {
      const out = new Float64Array(n);
      for (let i = 0; i < n; i++) out[i] = view.getFloat64(off + 8 * i, false);
      return out;
    }
  }
}

/** Reads an IDX file (raw or gzipped). */
export function readIdx(file: string): E.Either<DataError, IdxArray> {
  return pipe(readBytes('readIdx', file, 'an IDX array'), E.chain((b) => parseIdx(b, file)));
}

/** Encodes an array as IDX bytes (not gzipped; pipe through zlib.gzipSync for .gz). */
export function encodeIdx(data: IdxData, dims: readonly number[]): Uint8Array {
  const type: IdxType =
    data instanceof Uint8Array ? 'ubyte' : data instanceof Int8Array ? 'byte' : data instanceof Int16Array ? 'short' : data instanceof Int32Array ? 'int' : data instanceof Float32Array ? 'float' : 'double';
  const size = { ubyte: 1, byte: 1, short: 2, int: 4, float: 4, double: 8 }[type];
  const header = 4 + 4 * dims.length;
  const out = new Uint8Array(header + data.length * size);
  const view = new DataView(out.buffer);
  out[2] = CODES[type];
  out[3] = dims.length;
  dims.forEach((d, i) => view.setUint32(4 + 4 * i, d, false));
  for (let i = 0; i < data.length; i++) {
    const o = header + i * size;
    if (type === 'ubyte') out[o] = data[i]!;
    else if (type === 'byte') view.setInt8(o, data[i]!);
    else if (type === 'short') view.setInt16(o, data[i]!, false);
    else if (type === 'int') view.setInt32(o, data[i]!, false);
    else if (type === 'float') view.setFloat32(o, data[i]!, false);
    else view.setFloat64(o, data[i]!, false);
  }
  return out;
}

export interface IdxPairOptions {
  readonly images: string;
  readonly labels: string;
  readonly numClasses?: number;
  readonly name?: string;
  readonly classNames?: readonly string[];
}

/**
 * Reads an image file (ubyte, `[N, H, W]` or `[N, C, H, W]`) and a label file (ubyte, `[N]`) into a
 * Dataset of shape `[1, H, W]` (or `[C, H, W]`). Both are checked before the dataset is made.
 */
export function readIdxDataset(opts: IdxPairOptions): E.Either<DataError, Dataset> {
  const op = 'readIdxDataset';
  const numClasses = opts.numClasses ?? 10;
  return pipe(
    E.Do,
    E.bind('im', () => readIdx(opts.images)),
    E.bind('lb', () => readIdx(opts.labels)),
    E.chain(({ im, lb }) => {
      if (im.type !== 'ubyte' || (im.dims.length !== 3 && im.dims.length !== 4))
        return E.left(dataError('shape', op, opts.images, 'ubyte images of rank 3 [N, H, W] or 4 [N, C, H, W]', `${im.type} of dims [${im.dims.join(', ')}]`, 'Is this the images file?'));
      if (lb.type !== 'ubyte' || lb.dims.length !== 1)
        return E.left(dataError('shape', op, opts.labels, 'ubyte labels of rank 1 [N]', `${lb.type} of dims [${lb.dims.join(', ')}]`, 'Is this the labels file?'));
      if (lb.dims[0] !== im.dims[0])
        return E.left(dataError('shape', op, opts.labels, `${im.dims[0]} labels, one per image of ${opts.images}`, `${lb.dims[0]}`, 'The two files come from different splits'));
      const labels = lb.data as Uint8Array;
      for (let i = 0; i < labels.length; i++)
        if (labels[i]! >= numClasses)
          return E.left(dataError('label', op, opts.labels, `labels in [0, ${numClasses})`, `${labels[i]} at index ${i}`, 'The file is corrupt or numClasses is wrong'));
      const shape = im.dims.length === 3 ? [1, im.dims[1]!, im.dims[2]!] : im.dims.slice(1);
      return E.right(
        makeDataset({ name: opts.name ?? 'idx', images: im.data as Uint8Array, labels, shape, numClasses, ...(opts.classNames ? { classNames: opts.classNames } : {}) }),
      );
    }),
  );
}
