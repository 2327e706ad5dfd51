import { describe, expect } from 'vitest';
import { fc, test } from '@fast-check/vitest';
import { tensor, type Tensor } from '@ssam/tensor';
import { nmMask } from '@ssam/masks';
import { compressNM } from './compress.js';
import { csrPlan, keyPairPlan, keyPairable, pairPlan, pairable, type Layout } from './wasm-plan.js';

// The plans behind the WebAssembly kernels (the products themselves are checked against the dense
// reference in wasm.prop.test.ts): every kept entry is computed exactly once, by a list whose two
// rows hold it, and each row is initialised by exactly one list before any list adds to it.

/**
 * A dense weight W [keys, rows] (dx = dy · W: output rows = axis 'in', keys = 'out') masked N:M
 * along `axis`, with its layout: the masked axis is `groups` · m long, the other 1–12.
 */
const arbPlanCase = (axis: 'in' | 'out') =>
  fc
    .record({
      ratio: fc.constantFrom([2, 4] as const, [1, 2] as const),
      groups: fc.integer({ min: 1, max: 7 }),
      other: fc.integer({ min: 1, max: 12 }),
      seed: fc.integer({ min: 0, max: 1e6 }),
    })
    .map(({ ratio: [n, m], groups, other, seed }) => {
      const [rows, keys] = axis === 'in' ? [groups * m, other] : [other, groups * m];
      let s = seed;
      const scores = Array.from({ length: keys * rows }, () => ((s = (s * 1664525 + 1013904223) % 2 ** 32) / 2 ** 32));
      const mask = nmMask({ w: tensor(scores, [keys, rows]) }, { n, m, axis }).w as Tensor;
      const c = compressNM(tensor(scores.map((v, i) => v + i), [keys, rows]), mask, { n, m, axis });
      const L: Layout = { rows, keys, rowOf: (f) => f % rows, keyOf: (f) => Math.floor(f / rows), offOf: (k) => 1000 * k };
      return { c, L };
    });
const arbCase = arbPlanCase('in');

describe('wasm plans', () => {
  test.prop([arbCase], { numRuns: 60 })('pair lists: each kept entry once, in a list of its own rows and key; rows initialised once, first', ({ c, L }) => {
    expect(pairable(c, 'in')).toBe(true);
    const p = pairPlan(c, L);
    const seen = new Int32Array(c.positions.length + 1);
    const initialised = new Set<number>();
    for (let l = 0; l < p.nLists; l++) {
      const [ra, rb, init, e0, e1] = Array.from(p.lists.subarray(5 * l, 5 * l + 5)) as [number, number, number, number, number];
      expect(ra >> 2).toBe(rb === L.rows ? ra >> 2 : rb >> 2); // one 4-row block (or the dummy row)
      for (const r of [ra, rb]) {
        if (r === L.rows) continue;
        if (init) expect(initialised.has(r)).toBe(false);
        else expect(initialised.has(r)).toBe(true);
        initialised.add(r);
      }
      for (let e = e0; e < e1; e++) {
        const a = p.adjacent ? p.src[e]! : p.src[2 * e]!, b = p.adjacent ? a + 1 : p.src[2 * e + 1]!;
        const fa = c.positions[a]!;
        expect([L.rowOf(fa), L.offOf(L.keyOf(fa))]).toEqual([ra, p.recs[3 * e]]);
        seen[a]!++;
        if (rb !== L.rows) {
          expect([L.rowOf(c.positions[b]!), L.keyOf(c.positions[b]!)]).toEqual([rb, L.keyOf(fa)]);
          seen[b]!++;
        }
      }
    }
    expect(initialised.size).toBe(L.rows);
    expect(Array.from(seen.subarray(0, c.positions.length)).every((v) => v === 1)).toBe(true);
  });

  // groups along the reduced index: W [keys, rows] masked along 'out' (axis 0, the keys)
  test.prop([arbPlanCase('out')], { numRuns: 60 })('key-pair lists: each kept entry once, with its row and the list\'s keys; every row initialised once, first', ({ c, L }) => {
    expect(keyPairable(c, 'in')).toBe(true);
    const p = keyPairPlan(c, L);
    const seen = new Int32Array(c.positions.length + 1);
    const initialised = new Set<number>();
    for (let l = 0; l < p.nLists; l++) {
      const [offA, offB, r0, r1] = Array.from(p.lists.subarray(4 * l, 4 * l + 4)) as [number, number, number, number];
      for (let e = r0; e < r1; e++) {
        const rw = p.recs[3 * e]!, row = rw < 0 ? ~rw : rw;
        expect(initialised.has(row)).toBe(rw >= 0); // the first write of a row initialises it
        initialised.add(row);
        const a = p.adjacent ? p.src[e]! : p.src[2 * e]!, b = p.adjacent ? a + 1 : p.src[2 * e + 1]!;
        expect([L.rowOf(c.positions[a]!), L.offOf(L.keyOf(c.positions[a]!))]).toEqual([row, offA]);
        seen[a]!++;
        if (offB >= 0) {
          expect([L.rowOf(c.positions[b]!), L.offOf(L.keyOf(c.positions[b]!))]).toEqual([row, offB]);
          seen[b]!++;
        } else expect(c.n === 1 && L.keys % 4 === 2).toBe(true); // only a 1:2 tail block keeps one key
      }
    }
    expect(initialised.size).toBe(L.rows);
    expect(Array.from(seen.subarray(0, c.positions.length)).every((v) => v === 1)).toBe(true);
  });

  test.prop([arbCase], { numRuns: 30 })('CSR: each kept entry once, in its row', ({ c, L }) => {
    const p = csrPlan(c, L);
    const seen = new Int32Array(c.positions.length);
    for (let r = 0; r < L.rows; r++)
      for (let e = p.ptr[r]!; e < p.ptr[r + 1]!; e++) {
        const f = c.positions[p.src[e]!]!;
        expect([L.rowOf(f), L.offOf(L.keyOf(f))]).toEqual([r, p.recs[2 * e]]);
        seen[p.src[e]!]!++;
      }
    expect(Array.from(seen).every((v) => v === 1)).toBe(true);
  });
});
