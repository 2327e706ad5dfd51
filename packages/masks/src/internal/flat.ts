import { cast, tensor, tree, type Tensor, type Tree, type TreeDef } from '@ssam/tensor';

/** All leaves of a tensor pytree as one float32 array in canonical order, with leaf offsets. */
export interface Flat {
  readonly values: Float32Array;
  /** offsets[i] is where leaf i starts; offsets[leaves] = total size. */
  readonly offsets: readonly number[];
  readonly shapes: readonly (readonly number[])[];
  readonly def: TreeDef;
}

/** Elements of `t` as float32 (a copy; int32 leaves are converted). */
export function floatData(t: Tensor): Float32Array {
  return (t.dtype === 'float32' ? t : cast(t, 'float32')).toArray() as Float32Array;
}

export function flattenValues(t: Tree): Flat {
  const [leaves, def] = tree.flatten(t);
  const offsets = [0];
  for (const l of leaves) offsets.push(offsets[offsets.length - 1]! + l.size);
  const values = new Float32Array(offsets[offsets.length - 1]!);
  leaves.forEach((l, i) => values.set(floatData(l), offsets[i]!));
  return { values, offsets, shapes: leaves.map((l) => l.shape), def };
}

/** 0/1 float32 mask tensor of `shape` from `bits[offset .. offset + size)`. */
export function maskTensor(bits: Uint8Array, offset: number, shape: readonly number[]): Tensor {
  let n = 1;
  for (const d of shape) n *= d;
  const data = new Float32Array(n);
  for (let i = 0; i < n; i++) data[i] = bits[offset + i]!;
  return tensor(data, shape);
}

/** The mask pytree (structure `def`) whose leaf i is bits[offsets[i] ..]. */
export function unflattenMask(bits: Uint8Array, offsets: readonly number[], shapes: readonly (readonly number[])[], def: TreeDef): Tree {
  return tree.unflatten(def, shapes.map((s, i) => maskTensor(bits, offsets[i]!, s)));
}
