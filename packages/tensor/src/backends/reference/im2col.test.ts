import { fc, test } from '@fast-check/vitest';
import { expect } from 'vitest';
import { col2im, im2col, type ConvGeometry } from './im2col.js';

const arbGeom = fc
  .record({
    c: fc.integer({ min: 1, max: 3 }), h: fc.integer({ min: 1, max: 7 }), w: fc.integer({ min: 1, max: 7 }),
    kh: fc.integer({ min: 1, max: 3 }), kw: fc.integer({ min: 1, max: 3 }), sh: fc.integer({ min: 1, max: 3 }), sw: fc.integer({ min: 1, max: 3 }),
    pt: fc.nat(2), pb: fc.nat(2), pl: fc.nat(2), pr: fc.nat(2), dh: fc.integer({ min: 1, max: 2 }), dw: fc.integer({ min: 1, max: 2 }),
    seed: fc.nat(),
  })
  .map((r) => {
    const ho = Math.floor((r.h + r.pt + r.pb - (r.kh - 1) * r.dh - 1) / r.sh) + 1;
    const wo = Math.floor((r.w + r.pl + r.pr - (r.kw - 1) * r.dw - 1) / r.sw) + 1;
    return { g: { ...r, ho, wo } as ConvGeometry, seed: r.seed };
  })
  .filter(({ g }) => g.ho >= 1 && g.wo >= 1);

const rand = (n: number, seed: number) => Float32Array.from({ length: n }, (_, i) => Math.sin(seed + i * 1.7));

test.prop([arbGeom], { numRuns: 200 })('im2col entry (r, p) is x at the tap, 0 in the padding; the transposed layout agrees', ({ g, seed }) => {
  const x = rand(g.c * g.h * g.w + 3, seed); // offset 3: the group starts inside a larger array
  const K = g.c * g.kh * g.kw, P = g.ho * g.wo;
  const col = new Float32Array(K * P).fill(NaN), colT = new Float32Array(K * P).fill(NaN);
  im2col(x, 3, g, col, P, 1);
  im2col(x, 3, g, colT, 1, K);
  for (let r = 0; r < K; r++)
    for (let p = 0; p < P; p++) {
      const c = Math.floor(r / (g.kh * g.kw)), ki = Math.floor(r / g.kw) % g.kh, kj = r % g.kw;
      const ih = Math.floor(p / g.wo) * g.sh - g.pt + ki * g.dh, iw = (p % g.wo) * g.sw - g.pl + kj * g.dw;
      const want = ih < 0 || ih >= g.h || iw < 0 || iw >= g.w ? 0 : x[3 + (c * g.h + ih) * g.w + iw]!;
      expect(col[r * P + p]).toBe(want);
      expect(colT[p * K + r]).toBe(want);
    }
});

test.prop([arbGeom], { numRuns: 200 })('col2im is the adjoint of im2col: ⟨im2col(x), y⟩ = ⟨x, col2im(y)⟩', ({ g, seed }) => {
  const n = g.c * g.h * g.w, K = g.c * g.kh * g.kw, P = g.ho * g.wo;
  const x = rand(n, seed), y = rand(K * P, seed + 99);
  const col = new Float32Array(K * P);
  im2col(x, 0, g, col, P, 1);
  const dx = new Float32Array(n + 2);
  col2im(y, g, dx, 2);
  let lhs = 0, rhs = 0, scale = 0;
  for (let i = 0; i < K * P; i++) { lhs += col[i]! * y[i]!; scale += Math.abs(col[i]! * y[i]!); }
  for (let i = 0; i < n; i++) rhs += x[i]! * dx[2 + i]!;
  expect(dx[0]).toBe(0);
  expect(dx[1]).toBe(0);
  expect(Math.abs(lhs - rhs)).toBeLessThan(1e-5 * (1 + scale));
});
