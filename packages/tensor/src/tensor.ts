import type { DType, TypedArray } from './dtype.js';
import { ArgumentError } from './errors.js';
import { sizeOf, type Shape } from './shape.js';

/**
 * Where a tensor's elements live. CPU backends (reference, wasm) keep a typed array; a GPU backend
 * keeps a handle and materialises the array on demand (`read`). Kernels of a backend may look
 * inside storage they own and call `read()` on anything else.
 */
export interface Storage {
  readonly backend: string;
  read(): TypedArray;
  /** Optional: release device memory early. Host arrays are left to the garbage collector. */
  dispose?(): void;
}

class HostStorage implements Storage {
  readonly backend = 'host';
  constructor(private readonly data: TypedArray) {}
  read(): TypedArray {
    return this.data;
  }
}

let nextId = 0;

/** @internal set by `compile` while it traces: throws when a traced tensor's values are read on the host. */
export let hostReadGuard: ((t: Tensor, what: string) => void) | undefined;
/** @internal */
export function setHostReadGuard(g: ((t: Tensor, what: string) => void) | undefined): void {
  hostReadGuard = g;
}

/**
 * An immutable n-d array. There is no public way to change its elements: `toArray()` returns a
 * copy. Create tensors with `tensor`, `zeros`, `ones`, ... and transform them with the ops.
 */
export class Tensor {
  /** A process-unique id, handy for tapes and debugging. */
  readonly id: number = nextId++;
  readonly shape: readonly number[];
  readonly size: number;

  /** @internal use `tensor(...)` and the ops */
  constructor(
    readonly storage: Storage,
    shape: Shape,
    readonly dtype: DType,
  ) {
    this.shape = Object.freeze([...shape]);
    this.size = sizeOf(shape);
  }

  get rank(): number {
    return this.shape.length;
  }

  /** A copy of the elements in row-major order. */
  toArray(): TypedArray {
    hostReadGuard?.(this, 'toArray()');
    return this.storage.read().slice();
  }

  /** Elements as a (nested) JavaScript array, for printing and tests. */
  toList(): number | unknown[] {
    hostReadGuard?.(this, 'toList()');
    const data = this.storage.read();
    if (this.shape.length === 0) return data[0]!;
    const build = (dim: number, offset: number): unknown[] => {
      const n = this.shape[dim]!;
      const inner = sizeOf(this.shape.slice(dim + 1));
      const out: unknown[] = new Array(n);
      for (let i = 0; i < n; i++)
        out[i] = dim === this.shape.length - 1 ? data[offset + i] : build(dim + 1, offset + i * inner);
      return out;
    };
    return build(0, 0);
  }

  /** The single element of a size-1 tensor as a number. */
  item(): number {
    hostReadGuard?.(this, 'item()');
    if (this.size !== 1)
      throw new ArgumentError('item', `needs a tensor with exactly one element; got shape [${this.shape.join(', ')}]`);
    return this.storage.read()[0]!;
  }

  toString(): string {
    return `Tensor(${this.dtype}, [${this.shape.join(', ')}])`;
  }
}

/** @internal wraps a host array WITHOUT copying; the caller gives up the array. */
export function fromHost(data: TypedArray, shape: Shape, dtype: DType): Tensor {
  // NOTE: an invariant of every kernel and op, checked because it is cheap: a malformed tensor
  // (shape [NaN], a buffer that does not match) would otherwise surface far from its cause.
  if (data.length !== sizeOf(shape) || (dtype === 'int32') !== data instanceof Int32Array)
    throw new Error(`@ssam/tensor internal error: a ${data.constructor.name} of ${data.length} elements cannot be a ${dtype} tensor of shape [${shape.join(', ')}]`);
  return new Tensor(new HostStorage(data), shape, dtype);
}

/** @internal the elements without a copy. Never write to the result. */
export function dataOf(t: Tensor): TypedArray {
  return t.storage.read();
}

export function isTensor(x: unknown): x is Tensor {
  return x instanceof Tensor;
}
