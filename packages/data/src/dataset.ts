import { ArgumentError, tensor, type Tensor } from '@ssam/tensor';

/** Example storage: bytes (images, scaled by 1/255 into batches) or float32 features. */
export type ExampleStorage = Uint8Array | Float32Array;

/** A batch as the models see it: `x` float32 `[N, ...shape]` (NCHW for images), `y` int32 `[N]`. */
export interface Batch {
  readonly x: Tensor;
  readonly y: Tensor;
}

/** A batch still in host arrays, the form augmentations transform in place (no tensor copies). */
export interface HostBatch {
  readonly x: Float32Array;
  readonly y: Int32Array;
  /** `[N, ...exampleShape]`, e.g. `[128, 3, 32, 32]`. */
  readonly shape: readonly number[];
}

export interface BatchOptions {
  /** Scale byte storage into [0, 1] (divide by 255). Default true; float storage is never scaled. */
  readonly scale?: boolean;
}

/**
 * A labelled data set in host memory: `length` examples of `shape` in one typed array (row-major,
 * NCHW for images) and one int32 label each. Immutable by convention: nothing here writes to
 * `images` or `labels`.
 */
export interface Dataset {
  readonly name: string;
  readonly length: number;
  /** The shape of ONE example, e.g. `[1, 28, 28]`, `[3, 32, 32]`, `[4]`. */
  readonly shape: readonly number[];
  readonly numClasses: number;
  readonly classNames: readonly string[] | undefined;
  readonly images: ExampleStorage;
  readonly labels: Int32Array;
  /** Gathers examples into a float32 batch `x: [n, ...shape]` and int32 labels `y: [n]`. */
  batch(indices: ArrayLike<number>, opts?: BatchOptions): Batch;
  /** Like `batch`, but returns host arrays (for augmentation before the tensor is made). */
  hostBatch(indices: ArrayLike<number>, opts?: BatchOptions): HostBatch;
  /** The first `n` examples (shares storage) or the examples at `indices` (copied). */
  subset(nOrIndices: number | ArrayLike<number>): Dataset;
}

export interface DatasetSpec {
  readonly name?: string;
  readonly images: ExampleStorage;
  readonly labels: Int32Array | Uint8Array | readonly number[];
  readonly shape: readonly number[];
  readonly numClasses: number;
  readonly classNames?: readonly string[];
}

/**
 * Wraps typed arrays as a Dataset after checking that sizes and labels agree.
 * @example
 * const ds = makeDataset({ images: new Uint8Array(2 * 4), labels: [0, 1], shape: [1, 2, 2], numClasses: 2 });
 * ds.batch([1, 0]).x.shape; // [2, 1, 2, 2]
 */
export function makeDataset(spec: DatasetSpec): Dataset {
  const op = 'makeDataset';
  const { images, shape, numClasses } = spec;
  const labels = spec.labels instanceof Int32Array ? spec.labels : Int32Array.from(spec.labels);
  if (!shape.every((d) => Number.isInteger(d) && d > 0))
    throw new ArgumentError(op, `shape must be positive integers, got [${shape.join(', ')}]`);
  if (!Number.isInteger(numClasses) || numClasses < 1)
    throw new ArgumentError(op, `numClasses must be a positive integer, got ${numClasses}`);
  const d = shape.reduce((a, b) => a * b, 1);
  if (images.length !== labels.length * d)
    throw new ArgumentError(op, `images hold ${images.length} values but ${labels.length} labels × shape [${shape.join(', ')}] need ${labels.length * d}`);
  for (let i = 0; i < labels.length; i++)
    if (!(labels[i]! >= 0 && labels[i]! < numClasses))
      throw new ArgumentError(op, `label ${labels[i]} at index ${i} is outside [0, ${numClasses}); pass the right numClasses`);
  if (spec.classNames && spec.classNames.length !== numClasses)
    throw new ArgumentError(op, `classNames has ${spec.classNames.length} names for ${numClasses} classes`);
  return build(spec.name ?? 'dataset', images, labels, [...shape], numClasses, spec.classNames);
}

function build(name: string, images: ExampleStorage, labels: Int32Array, shape: number[], numClasses: number, classNames: readonly string[] | undefined): Dataset {
  const d = shape.reduce((a, b) => a * b, 1);
  const n = labels.length;
  const hostBatch = (indices: ArrayLike<number>, opts: BatchOptions = {}): HostBatch => {
    checkIndices('batch', indices, n);
    const m = indices.length;
    const x = new Float32Array(m * d);
    const y = new Int32Array(m);
    // NOTE: set() converts bytes to float exactly; scaling after, in one pass, keeps both loops
    // monomorphic (a loop reading `images` directly would see two array types).
    for (let b = 0; b < m; b++) {
      const i = indices[b]!;
      y[b] = labels[i]!;
      x.set(images.subarray(i * d, (i + 1) * d), b * d);
    }
    if (images instanceof Uint8Array && opts.scale !== false) scaleInPlace(x, 1 / 255);
    return { x, y, shape: [m, ...shape] };
  };
  const ds: Dataset = {
    name,
    length: n,
    shape: Object.freeze([...shape]),
    numClasses,
    classNames,
    images,
    labels,
    hostBatch,
    batch: (indices, opts) => toBatch(hostBatch(indices, opts)),
    subset(nOrIndices) {
      if (typeof nOrIndices === 'number') {
        if (!Number.isInteger(nOrIndices) || nOrIndices < 0 || nOrIndices > n)
          throw new ArgumentError('subset', `n must be an integer in [0, ${n}], got ${nOrIndices}`);
        return build(name, images.subarray(0, nOrIndices * d), labels.subarray(0, nOrIndices), shape, numClasses, classNames);
      }
      checkIndices('subset', nOrIndices, n);
      const m = nOrIndices.length;
      const im = new (images.constructor as { new (k: number): ExampleStorage })(m * d);
      const lb = new Int32Array(m);
      for (let b = 0; b < m; b++) {
        const i = nOrIndices[b]!;
        im.set(images.subarray(i * d, (i + 1) * d), b * d);
        lb[b] = labels[i]!;
      }
      return build(name, im, lb, shape, numClasses, classNames);
    },
  };
  return Object.freeze(ds);
}

/** Makes tensors of a host batch (one copy each). */
export function toBatch(b: HostBatch): Batch {
  return { x: tensor(b.x, b.shape), y: tensor(b.y, [b.y.length], { dtype: 'int32' }) };
}

/** Reads a batch back into host arrays (one copy each), for augmentations on tensor batches. */
export function toHostBatch(b: Batch): HostBatch {
  if (b.x.dtype !== 'float32') throw new ArgumentError('toHostBatch', `x must be float32, got ${b.x.dtype}`);
  return { x: b.x.toArray() as Float32Array, y: Int32Array.from(b.y.toArray()), shape: [...b.x.shape] };
}

function scaleInPlace(x: Float32Array, s: number): void {
  for (let j = 0; j < x.length; j++) x[j] = x[j]! * s;
}

function checkIndices(op: string, indices: ArrayLike<number>, n: number): void {
  for (let b = 0; b < indices.length; b++) {
    const i = indices[b]!;
    if (!Number.isInteger(i) || i < 0 || i >= n)
      throw new ArgumentError(op, `index ${i} at position ${b} is outside [0, ${n}) (the data set has ${n} examples)`);
  }
}
