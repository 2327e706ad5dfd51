import { random, tensor, tree, type Key, type Tensor, type Tree } from '@ssam/tensor';
import { ShapeError } from './errors.js';

/**
 * The parameters as one flat float64 vector. Iterative eigensolvers keep a handful (power
 * iteration) to a hundred (Lanczos) vectors and take many inner products; doing that algebra on
 * the host in float64 keeps the orthogonalisation at about 1e-16 instead of float32's 1e-7
 * (PyHessian works in float32 on the device), and it costs little next to one Hessian-vector product.
 */
export interface ParamSpace {
  /** Number of scalar parameters. */
  readonly dim: number;
  /** Flattens a tree shaped like the params (leaf order of `tree.flatten`). */
  toFlat(t: Tree): Float64Array;
  /** The inverse: float32 tensors shaped like the params. */
  toTree(v: Float64Array): Tree;
}

/**
 * The flat space of `params`: every leaf must be a float32 tensor (the trainable parameters).
 * @example paramSpace({ w: zeros([2, 3]), b: zeros([3]) }).dim // 9
 */
export function paramSpace(params: Tree): ParamSpace {
  const [leaves, def] = tree.flatten(params);
  leaves.forEach((l, i) => {
    if (l.dtype !== 'float32') throw new ShapeError('paramSpace', `leaf ${i} of params is ${l.dtype}; only float32 parameters can be differentiated`);
  });
  const shapes = leaves.map((l) => l.shape);
  const sizes = leaves.map((l) => l.size);
  const dim = sizes.reduce((a, b) => a + b, 0);
  return {
    dim,
    toFlat(t) {
      const ls = tree.leaves(t);
      if (ls.length !== leaves.length) throw new ShapeError('paramSpace.toFlat', `tree has ${ls.length} leaves, the params have ${leaves.length}`);
      const out = new Float64Array(dim);
      let o = 0;
      ls.forEach((l, i) => {
        if (l.size !== sizes[i]) throw new ShapeError('paramSpace.toFlat', `leaf ${i} has ${l.size} entries, the params' leaf has ${sizes[i]}`);
        out.set(l.toArray() as Float32Array, o);
        o += sizes[i]!;
      });
      return out;
    },
    toTree(v) {
      if (v.length !== dim) throw new ShapeError('paramSpace.toTree', `vector has ${v.length} entries, the params have ${dim}`);
      let o = 0;
      const ts = shapes.map((s, i) => {
        const t = tensor(Float32Array.from(v.subarray(o, o + sizes[i]!)), [...s]);
        o += sizes[i]!;
        return t;
      });
      return tree.unflatten<Tensor>(def, ts);
    },
  };
}

/** ⟨a, b⟩ in float64. */
export function dot(a: Float64Array, b: Float64Array): number {
  let s = 0;
  for (let i = 0; i < a.length; i++) s += a[i]! * b[i]!;
  return s;
}

/** ‖a‖₂ in float64. */
export const norm2 = (a: Float64Array): number => Math.sqrt(dot(a, a));

/** a ← a + c·b, in place. */
export function axpy(a: Float64Array, c: number, b: Float64Array): void {
  for (let i = 0; i < a.length; i++) a[i]! += c * b[i]!;
}

/** a / ‖a‖ (a fresh vector); a zero vector stays zero. */
export function normalised(a: Float64Array): Float64Array {
  const n = norm2(a);
  const out = new Float64Array(a.length);
  if (n > 0) for (let i = 0; i < a.length; i++) out[i] = a[i]! / n;
  return out;
}

/** n standard normal entries from `key` (Threefry, the same on every machine). */
export function gaussianVector(key: Key, n: number): Float64Array {
  return Float64Array.from(random.normal(key, [n]).toArray());
}

/** n independent ±1 entries from `key` (Rademacher). */
export function rademacherVector(key: Key, n: number): Float64Array {
  const b = random.bernoulli(key, 0.5, [n]).toArray();
  const out = new Float64Array(n);
  for (let i = 0; i < n; i++) out[i] = b[i] ? 1 : -1;
  return out;
}
