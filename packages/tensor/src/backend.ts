import type { PrimAttrs, PrimName } from './primitives.js';
import type { Tensor } from './tensor.js';
import { notifyTracers } from './trace.js';

/**
 * A kernel computes one primitive. Inputs are valid (the op layer checked them) and must not be
 * written to; the result is a new tensor.
 */
export type Kernel<P extends PrimName> = (inputs: readonly Tensor[], attrs: PrimAttrs[P]) => Tensor;

export type Kernels = { readonly [P in PrimName]: Kernel<P> };

/**
 * A backend is a typed record with one kernel per primitive (checked with `satisfies Kernels`, so
 * a missing kernel is a compile error). `describe()` says what actually runs (threads, GPU mode).
 */
export interface Backend {
  readonly name: string;
  readonly kernels: Kernels;
  describe(): string;
}

const stack: Backend[] = [];
let defaultBackend: (() => Backend) | undefined;

/** @internal set by the package entry to the best backend that loads. */
export function setDefaultBackendFactory(f: () => Backend): void {
  defaultBackend = f;
}

/** The backend that ops run on right now: the innermost `withBackend`, else the default. */
export function currentBackend(): Backend {
  const top = stack[stack.length - 1];
  if (top) return top;
  if (!defaultBackend) throw new Error('@ssam/tensor: no backend is available');
  return defaultBackend();
}

/**
 * Runs `fn` with `backend` as the current backend and restores the previous one afterwards, also
 * on throw. Scopes nest. There is no global registry to mutate.
 */
export function withBackend<T>(backend: Backend, fn: () => T): T {
  stack.push(backend);
  try {
    return fn();
  } finally {
    stack.pop();
  }
}

/** Applies a primitive on the current backend and lets active tracers (autograd) record it. */
export function apply<P extends PrimName>(prim: P, inputs: readonly Tensor[], attrs: PrimAttrs[P]): Tensor {
  const kernel = currentBackend().kernels[prim] as Kernel<P>;
  const out = kernel(inputs, attrs);
  notifyTracers(prim, inputs, attrs, out);
  return out;
}
