import { ShapeError, cast, tensor, type Tensor } from '@ssam/tensor';
import type { NMCompressed } from './compress.js';

/*
 * Products with a compressed N:M weight W ⊙ M (W [out, in]) that touch only the kept entries.
 *   forward-shaped  y = x · (W ⊙ M)ᵀ, y[b, o] = Σ_i x[b, i] W[o, i]: reduces over 'in';
 *   input gradient  dx = dy · (W ⊙ M), dx[b, i] = Σ_o dy[b, o] W[o, i]: reduces over 'out'.
 * Groups along the REDUCED axis give the gather form of sparse tensor cores (each output is a
 * dot product over n of every m inputs). Groups along the other axis give a scatter form that
 * skips the same work. Both are supported for both products, so the mask's axis is free.
 * NOTE: sums run in float64 over the reduced index in increasing order, as the reference backend's
 * gemm does, so with an all-ones mask the results equal the dense reference bit for bit.
 */

const f32 = (t: Tensor): Float32Array => (t.dtype === 'float32' ? t : cast(t, 'float32')).toArray() as Float32Array;
const fmt = (s: readonly number[]): string => `[${s.join(', ')}]`;

function checkDense(op: string, c: NMCompressed): void {
  if (c.shape.length !== 2) throw new ShapeError(op, `needs a compressed dense weight [out, in], got shape ${fmt(c.shape)}; for a conv filter use nmConv2dBackInput`);
}

function rows2d(op: string, x: Tensor, k: number, what: string): [number, Float32Array] {
  if (x.rank < 1 || x.shape[x.rank - 1] !== k)
    throw new ShapeError(op, `${what} must have shape [..., ${k}] to match the weight, got ${fmt(x.shape)}`);
  return [x.shape.slice(0, -1).reduce((a, b) => a * b, 1), f32(x)]; // x.size / k, also when k = 0
}

/** y = x · (W ⊙ M)ᵀ for a compressed dense W [out, in]; x [..., in] → y [..., out]. */
export function nmMatmul(x: Tensor, c: NMCompressed): Tensor {
  const op = 'nmMatmul';
  checkDense(op, c);
  const [R, C] = c.shape as [number, number];
  const [B, X] = rows2d(op, x, C, 'x');
  const y = new Float32Array(B * R);
  const { n, m, values: V, indices: I } = c;
  const G = (c.axis === 'in' ? C : R) / m;
  if (c.axis === 'in') {
    // gather: row o holds G·n kept entries, in increasing column order.
    const per = G * n;
    for (let b = 0; b < B; b++) {
      const xo = b * C;
      for (let o = 0; o < R; o++) {
        let acc = 0;
        const q0 = o * per;
        for (let g = 0, q = q0; g < G; g++) {
          const col = xo + g * m;
          for (let k = 0; k < n; k++, q++) acc += V[q]! * X[col + I[q]!]!;
        }
        y[b * R + o] = acc;
      }
    }
  } else {
    // scatter: entry (g, i, k) is W[g·m + idx, i]; y[b, row] += W · x[b, i], i increasing per row.
    const acc = new Float64Array(R);
    for (let b = 0; b < B; b++) {
      acc.fill(0);
      const xo = b * C;
      for (let g = 0, q = 0; g < G; g++) {
        const r0 = g * m;
        for (let i = 0; i < C; i++) {
          const xv = X[xo + i]!;
          for (let k = 0; k < n; k++, q++) acc[r0 + I[q]!] += V[q]! * xv;
        }
      }
      for (let o = 0; o < R; o++) y[b * R + o] = acc[o]!;
    }
  }
  return tensor(y, [...x.shape.slice(0, -1), R]);
}

/** dx = dy · (W ⊙ M) for a compressed dense W [out, in]; dy [..., out] → dx [..., in]. */
export function nmMatmulT(dy: Tensor, c: NMCompressed): Tensor {
  const op = 'nmMatmulT';
  checkDense(op, c);
  const [R, C] = c.shape as [number, number];
  const [B, D] = rows2d(op, dy, R, 'dy');
  const z = new Float32Array(B * C);
  const { n, m, values: V, indices: I } = c;
  const acc = new Float64Array(C);
  if (c.axis === 'out') {
    // gather along the reduced axis: dx[b, i] = Σ_g Σ_k W[g·m + idx, i] dy[b, g·m + idx].
    const G = R / m;
    for (let b = 0; b < B; b++) {
      acc.fill(0);
      const dro = b * R;
      for (let g = 0, q = 0; g < G; g++) {
        const r0 = dro + g * m;
        for (let i = 0; i < C; i++) {
          let s = acc[i]!;
          for (let k = 0; k < n; k++, q++) s += V[q]! * D[r0 + I[q]!]!;
          acc[i] = s;
        }
      }
      for (let i = 0; i < C; i++) z[b * C + i] = acc[i]!;
    }
  } else {
    // scatter: row o's kept entries add W[o, col] · dy[b, o] into dx[b, col].
    const G = C / m, per = G * n;
    for (let b = 0; b < B; b++) {
      acc.fill(0);
      for (let o = 0; o < R; o++) {
        const d = D[b * R + o]!;
        if (d === 0) continue;
        for (let g = 0, q = o * per; g < G; g++) {
          const c0 = g * m;
          for (let k = 0; k < n; k++, q++) acc[c0 + I[q]!] += V[q]! * d;
        }
      }
      for (let i = 0; i < C; i++) z[b * C + i] = acc[i]!;
    }
  }
  return tensor(z, [...dy.shape.slice(0, -1), C]);
}

