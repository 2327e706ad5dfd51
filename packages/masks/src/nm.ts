import { ArgumentError, ShapeError, tensor, tree, type Tensor, type Tree } from '@ssam/tensor';
import { excludedLeaves, type Exclude } from './exclude.js';
import { floatData } from './internal/flat.js';
import { leafPaths } from './internal/paths.js';
import { checkChoice, checkInt, checkOptions, tensorLeaves } from './internal/validate.js';
import type { Mask } from './mask.js';

export interface NMOptions {
  /** Entries kept per group. */
  readonly n: number;
  /** Group size: m consecutive entries along the axis. */
  readonly m: number;
  /** 'in' (default): groups run along axis 1 (cIn of a conv [cOut, cIn, kH, kW], `in` of a dense [out, in]); 'out': along axis 0. */
  readonly axis?: 'in' | 'out';
  /** Rank ≤ 1 tensors: 'keep' (default, fully perturbed), 'exclude' (mask 0), or 'nm' (grouped along their only axis). */
  readonly vectors?: 'keep' | 'exclude' | 'nm';
  readonly exclude?: Exclude;
}

/**
 * N:M mask (Mi et al., TPAMI 2025): in every group of `m` consecutive entries along the chosen
 * axis, keep the `n` with the largest score (ties: lower index). 2:4 is sparsity 0.5.
 *
 * NOTE: the group is formed along the axis IN PLACE, by strides, with all other indices fixed:
 * for a conv weight and axis 'in', group (o, g, h, w) is w[o, g·m .. g·m+m−1, h, w]. The official
 * code permutes cIn last, groups, and reshapes back WITHOUT the inverse permutation, which keeps
 * n per group of a scrambled grouping; that defect is not reproduced here.
 * @example nmMask(scores, { n: 2, m: 4, axis: 'in' })
 */
export function nmMask(scores: Tree, opts: NMOptions): Mask {
  const op = 'nmMask';
  const o = checkOptions(op, opts);
  const m = checkInt(op, o.m, 'm', 1);
  const n = checkInt(op, o.n, 'n', 0);
  if (n > m) throw new ArgumentError(op, `n must be ≤ m (keep n of every m); got n = ${n}, m = ${m}`);
  const axis = checkChoice(op, o.axis ?? 'in', 'axis', ['in', 'out'] as const);
  const vectors = checkChoice(op, o.vectors ?? 'keep', 'vectors', ['keep', 'exclude', 'nm'] as const);
  const leaves = tensorLeaves(op, scores, 'scores');
  const excluded = excludedLeaves(op, scores, opts.exclude);
  const paths = leafPaths(scores as Tree<unknown>);
  const masks = leaves.map((leaf, i) => {
    const size = leaf.size;
    if (excluded[i]) return tensor(new Float32Array(size), leaf.shape);
    if (leaf.rank <= 1 && vectors !== 'nm') return tensor(new Float32Array(size).fill(vectors === 'keep' ? 1 : 0), leaf.shape);
    const ax = leaf.rank <= 1 ? 0 : axis === 'out' ? 0 : 1;
    const d = leaf.rank === 0 ? 1 : leaf.shape[ax]!;
    if (d % m !== 0)
      throw new ShapeError(
        op,
        `'${paths[i]}' has shape [${leaf.shape.join(', ')}]: its ${leaf.rank <= 1 ? 'length' : `axis '${axis}' (dim ${ax})`} of ${d} is not divisible by m = ${m}. ` +
          `Choose m dividing ${d}, use the other axis, or leave the tensor out with exclude`,
      );
    return tensor(nmLeaf(floatData(leaf), leaf.shape, ax, n, m, op, paths[i]!), leaf.shape);
  });
  return tree.unflatten(tree.flatten(scores)[1], masks);
}

/** The 0/1 N:M mask of one tensor's scores, grouping along axis `ax`. */
export function nmLeaf(v: Float32Array, shape: readonly number[], ax: number, n: number, m: number, op = 'nmMask', path = ''): Float32Array {
  const out = new Float32Array(v.length);
  if (v.length === 0 || n === 0) return out;
  if (n === m) return out.fill(1);
  const d = shape.length === 0 ? 1 : shape[ax]!;
  let inner = 1;
  for (let j = ax + 1; j < shape.length; j++) inner *= shape[j]!;
  const outer = v.length / (d * inner);
  const groups = d / m;
  const picked = new Uint8Array(m);
  for (let ob = 0; ob < outer; ob++) {
    for (let g = 0; g < groups; g++) {
      const base0 = (ob * d + g * m) * inner;
      for (let i = 0; i < inner; i++) {
        const base = base0 + i;
        picked.fill(0);
        // n rounds of "largest remaining, lowest position first": O(n·m) per group, m is small.
        for (let r = 0; r < n; r++) {
          let best = -1;
          let bestV = 0;
          for (let j = 0; j < m; j++) {
            if (picked[j]) continue;
            const x = v[base + j * inner]!;
            if (x !== x) throw new ArgumentError(op, `scores of '${path}' contain NaN; check the loss or gradients that produced them`);
            if (best < 0 || x > bestV) {
              best = j;
              bestV = x;
            }
          }
          picked[best] = 1;
          out[base + best * inner] = 1;
        }
      }
    }
  }
  return out;
}
