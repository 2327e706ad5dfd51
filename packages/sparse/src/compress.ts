import { ArgumentError, ShapeError, cast, tensor, type Tensor } from '@ssam/tensor';

/**
 * A weight kept N:M along one axis, stored as its kept values and their positions inside each
 * group (the format of sparse tensor cores: values plus 2-bit metadata for 2:4).
 *
 * Groups are m consecutive entries along `axis` with every other index fixed ('in' = axis 1,
 * cIn of a conv [cOut, cIn, kH, kW] or `in` of a dense [out, in]; 'out' = axis 0), exactly as
 * `nmMask` of @ssam/masks forms them. With `d` the axis length, `outer` the product of the dims
 * before it and `inner` the product of the dims after it, `values` and `indices` are laid out
 * [outer, d / m, inner, n]; the n indices of a group are strictly increasing.
 */
export interface NMCompressed {
  readonly values: Float32Array;
  /** In-group positions (0 ≤ index < m), strictly increasing within a group. */
  readonly indices: Uint8Array;
  /** The dense weight's shape. */
  readonly shape: readonly number[];
  readonly n: number;
  readonly m: number;
  readonly axis: 'in' | 'out';
  /**
   * Flat index into the dense weight of each kept value (same order as `values`). Shared between
   * compressions with the same mask tensor: treat it, and `indices`, as read-only.
   */
  readonly positions: Int32Array;
}

export interface CompressOptions {
  readonly n: number;
  readonly m: number;
  /** Default 'in'. */
  readonly axis?: 'in' | 'out';
}

/** outer, d, inner of a weight shape grouped along `axis` (see NMCompressed). */
export function groupLayout(shape: readonly number[], axis: 'in' | 'out'): { outer: number; d: number; inner: number } {
  const ax = axis === 'out' ? 0 : 1;
  let outer = 1, inner = 1;
  for (let j = 0; j < ax; j++) outer *= shape[j]!;
  for (let j = ax + 1; j < shape.length; j++) inner *= shape[j]!;
  return { outer, d: shape[ax]!, inner };
}

// Read-only views of the elements (no copy: compressNM runs on every implicit pass 1, for every
// masked weight). Never written to.
const f32 = (t: Tensor): Float32Array => (t.dtype === 'float32' ? t : cast(t, 'float32')).storage.read() as Float32Array;
const fmt = (s: readonly number[]): string => `[${s.join(', ')}]`;

/**
 * Compresses `w` with an exact N:M `mask` (0/1, n ones in every group of m along `axis`).
 * Pure: `decompressNM(compressNM(w, mask, o))` equals `w ⊙ mask`.
 * @example compressNM(w, nmMask({ w: scores }, { n: 2, m: 4 }).w, { n: 2, m: 4, axis: 'in' })
 */
export function compressNM(w: Tensor, mask: Tensor, opts: CompressOptions): NMCompressed {
  const { W, pattern, n, m, axis } = validated('compressNM', w, mask, opts);
  return { values: gather(W, pattern.positions), indices: pattern.indices, positions: pattern.positions, shape: [...w.shape], n, m, axis };
}

const gather = (W: Float32Array, P: Int32Array): Float32Array => {
  const values = new Float32Array(P.length);
  for (let q = 0; q < P.length; q++) values[q] = W[P[q]!]!;
  return values;
};

/** Where a compression made by `compressView` keeps its dense weight (see `denseSource`). */
const SOURCE = Symbol('dense weight');

/**
 * @internal compressNM without the gather: the same checks and the same (cached) pattern, but
 * `values` is gathered only when something reads it. The WebAssembly kernels read the dense
 * weight instead (`denseSource`): one copy into wasm memory in place of a gather into a fresh
 * host array, whose page faults cost more than the kernel saves on a 512 × 512 layer.
 */
export function compressView(w: Tensor, mask: Tensor, opts: CompressOptions): NMCompressed {
  const { W, pattern, n, m, axis } = validated('compressNM', w, mask, opts);
  let values: Float32Array | undefined;
  const c = { indices: pattern.indices, positions: pattern.positions, shape: [...w.shape], n, m, axis, [SOURCE]: W };
  Object.defineProperty(c, 'values', { enumerable: true, get: () => (values ??= gather(W, pattern.positions)) });
  return c as unknown as NMCompressed;
}

function validated(op: string, w: Tensor, mask: Tensor, opts: CompressOptions) {
  const { n, m } = opts;
  const axis = opts.axis ?? 'in';
  if (axis !== 'in' && axis !== 'out') throw new ArgumentError(op, `axis must be 'in' or 'out', got ${JSON.stringify(axis)}`);
  if (!Number.isInteger(m) || m < 1 || m > 255) throw new ArgumentError(op, `m must be an integer in [1, 255], got ${m}`);
  if (!Number.isInteger(n) || n < 0 || n > m) throw new ArgumentError(op, `n must be an integer in [0, m = ${m}], got ${n}`);
  if (w.rank !== 2 && w.rank !== 4)
    throw new ShapeError(op, `w must be a dense [out, in] or conv [cOut, cIn, kH, kW] weight, got shape ${fmt(w.shape)}`);
  if (mask.rank !== w.rank || mask.shape.some((d, i) => d !== w.shape[i]))
    throw new ShapeError(op, `mask shape ${fmt(mask.shape)} must equal w shape ${fmt(w.shape)}`);
  const { outer, d, inner } = groupLayout(w.shape, axis);
  if (d % m !== 0)
    throw new ShapeError(op, `axis '${axis}' of w ${fmt(w.shape)} has length ${d}, not divisible by m = ${m}; use the other axis or another m`);
  return { W: f32(w), pattern: patternOf(op, mask, n, m, axis, outer, d, inner), n, m, axis };
}

/** @internal The dense weight behind a `compressView` compression, or undefined. */
export const denseSource = (c: NMCompressed): Float32Array | undefined => (c as { [SOURCE]?: Float32Array })[SOURCE];

type Pattern = { readonly indices: Uint8Array; readonly positions: Int32Array };
// Tensors are immutable, so a mask's validated pattern can be reused while the weights change
// every step (SSAM keeps a mask for many steps): compressNM is then one gather.
const patterns = new WeakMap<Tensor, Map<string, Pattern>>();

function patternOf(op: string, mask: Tensor, n: number, m: number, axis: 'in' | 'out', outer: number, d: number, inner: number): Pattern {
  const key = `${n}:${m}:${axis}`;
  const hit = patterns.get(mask)?.get(key);
  if (hit) return hit;
  const K = f32(mask);
  const G = d / m;
  const indices = new Uint8Array(outer * G * inner * n);
  const positions = new Int32Array(indices.length);
  let q = 0;
  for (let ob = 0; ob < outer; ob++)
    for (let g = 0; g < G; g++)
      for (let t = 0; t < inner; t++) {
        const base = (ob * d + g * m) * inner + t;
        // one pass: write while kept ≤ n; a wrong count throws below.
        let kept = 0;
        for (let j = 0, at = base; j < m; j++, at += inner) {
          const k = K[at]!;
          if (k === 1) {
            if (++kept <= n) {
              positions[q] = at;
              indices[q++] = j;
            }
          } else if (k !== 0) throw new ArgumentError(op, `mask must be 0/1; found ${k} at flat index ${at}`);
        }
        if (kept !== n)
          throw new ArgumentError(
            op,
            `group ${ob * G * inner + g * inner + t} (outer ${ob}, group ${g} along axis '${axis}', inner ${t}) of mask ${fmt(mask.shape)} keeps ${kept} of ${m}; ` +
              `${n}:${m} needs exactly ${n}. Build the mask with nmMask(scores, { n: ${n}, m: ${m}, axis: '${axis}' })`,
          );
      }
  const p = { indices, positions };
  if (!patterns.has(mask)) patterns.set(mask, new Map());
  patterns.get(mask)!.set(key, p);
  return p;
}

/** The dense tensor of a compressed weight: `w ⊙ mask`, zeros where the mask is 0. */
export function decompressNM(c: NMCompressed): Tensor {
  const { outer, d, inner } = groupLayout(c.shape, c.axis);
  const out = new Float32Array(outer * d * inner);
  const G = d / c.m;
  let q = 0;
  for (let ob = 0; ob < outer; ob++)
    for (let g = 0; g < G; g++)
      for (let t = 0; t < inner; t++) {
        const base = (ob * d + g * c.m) * inner + t;
        for (let k = 0; k < c.n; k++, q++) out[base + c.indices[q]! * inner] = c.values[q]!;
      }
  return tensor(out, c.shape);
}
