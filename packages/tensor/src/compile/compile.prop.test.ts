import { fc, test } from '@fast-check/vitest';
import { afterAll, describe, expect } from 'vitest';
import { withBackend } from '../backend.js';
import { createWasmBackend } from '../backends/wasm/backend.js';
import {
  abs, add, addcmul, div, exp, greater, log, maximum, minimum, mul, neg, sqrt, sub, where,
} from '../ops/elementwise.js';
import { matmul } from '../ops/linalg.js';
import { broadcastTo, concat, pad, reshape, slice, transpose } from '../ops/movement.js';
import { max, sum } from '../ops/reduce.js';
import { seededTensor } from '../testing/conformance.js';
import type { Tensor } from '../tensor.js';
import { compile } from './compile.js';

// Law: a compiled function computes the same bits as the same function run eagerly, on any graph
// of primitives: random shapes with broadcasting (every value's axis is either the base size or 1),
// shared subexpressions, dead values, movement ops between kernels, closed-over constants, values
// read long after they were made (so their buffers must not be reused too early), and on two
// threads with forced splitting against one thread eagerly; with and without elementwise fusion.
const eagerBackend = createWasmBackend({ threads: 1 });
const planBackend = createWasmBackend({ threads: 2, minParallelWork: 1 });
afterAll(() => [eagerBackend, planBackend].forEach((b) => b.dispose()));

type Op = { readonly kind: number; readonly a: number; readonly b: number; readonly c: number; readonly axis: number; readonly chain: boolean };
const N_KINDS = 21;

/** Applies op `o` to the pool of values; every result keeps a shape that broadcasts to `base`. */
function step(o: Op, pool: Tensor[], base: readonly number[], w: Tensor): Tensor {
  const pick = (i: number) => pool[i % pool.length]!;
  // a chain op reads the previous value: runs of such ops are what elementwise fusion merges
  const x = o.chain ? pool[pool.length - 1]! : pick(o.a), y = pick(o.b), z = pick(o.c);
  const ax = o.axis % 3;
  switch (o.kind) {
    case 0: return neg(x);
    case 1: return exp(mul(x, 0.25));
    case 2: return sqrt(abs(x));
    case 3: return log(add(abs(x), 1));
    case 4: return add(x, y);
    case 5: return sub(x, y);
    case 6: return mul(x, y);
    case 7: return div(x, add(abs(y), 0.5));
    case 8: return maximum(x, y);
    case 9: return minimum(x, y);
    case 10: return where(greater(x, y), y, z);
    case 11: return addcmul(x, y, z, 0.5);
    case 12: return sum(x, { axis: ax, keepdims: true });
    case 13: return max(x, { axis: ax, keepdims: true });
    case 14: return transpose(transpose(x, [2, 0, 1]), [1, 2, 0]);
    case 15: return reshape(reshape(x, [x.size]), x.shape);
    case 16: return matmul(broadcastTo(x, base), w); // w: a closed-over constant [C, C]
    case 17: {
      const d = x.shape[ax]!;
      if (d < 2) return neg(x);
      const spec = [undefined, undefined, undefined] as ({ start: number; stop: number } | undefined)[];
      spec[ax] = { start: 1, stop: d };
      const pads: [number, number][] = [[0, 0], [0, 0], [0, 0]];
      pads[ax] = [1, 0];
      return pad(slice(x, spec), pads, o.b % 2 === 0 ? 0 : 0.5);
    }
    case 18: {
      const d = x.shape[ax]!;
      if (d < 2) return add(x, x);
      const s1 = [undefined, undefined, undefined] as ({ start?: number; stop?: number } | undefined)[];
      const s2 = [...s1];
      s1[ax] = { stop: 1 };
      s2[ax] = { start: 1 };
      return concat([slice(x, s2), slice(x, s1)], ax);
    }
    case 19: return mul(broadcastTo(y, base), x); // a broadcast that fusion folds into its reader
    default: return add(mul(x, y), mul(x, y)); // a common subexpression
  }
}

const shapeArb = fc.tuple(fc.integer({ min: 1, max: 6 }), fc.integer({ min: 1, max: 7 }), fc.integer({ min: 1, max: 9 }));
const opArb = fc.record({
  kind: fc.integer({ min: 0, max: N_KINDS - 1 }), a: fc.nat(50), b: fc.nat(50), c: fc.nat(50), axis: fc.nat(2), chain: fc.boolean(),
});

const bits = (t: Tensor) => new Uint32Array(t.toArray().buffer);

describe('compile', () => {
  test.prop(
    [shapeArb, fc.array(fc.array(fc.boolean(), { minLength: 3, maxLength: 3 }), { minLength: 1, maxLength: 3 }), fc.array(opArb, { minLength: 1, maxLength: 24 }), fc.array(fc.nat(100), { minLength: 1, maxLength: 3 }), fc.nat(1000)],
    { numRuns: 60 },
  )('a random graph of primitives compiled is bit-identical to eager', (base, masks, ops, outPicks, seed) => {
    const inShapes = masks.map((m) => base.map((d, i) => (m[i] ? d : 1)));
    const w = seededTensor([base[2], base[2]], seed + 99);
    const f = (xs: Tensor[]) => {
      const pool = [...xs];
      for (const o of ops) pool.push(step(o, pool, base, w));
      return { last: pool[pool.length - 1]!, picked: outPicks.map((p) => pool[p % pool.length]!) };
    };
    const fused = compile(f), unfused = compile(f, { fuse: false });
    for (let call = 0; call < 2; call++) {
      const xs = inShapes.map((s, i) => seededTensor(s, seed + 10 * call + i));
      const want = withBackend(eagerBackend, () => f(xs));
      for (const g of [fused, unfused]) {
        const got = withBackend(planBackend, () => g(xs));
        expect(bits(got.last)).toEqual(bits(want.last));
        expect(got.last.shape).toEqual(want.last.shape);
        got.picked.forEach((t, i) => expect(bits(t)).toEqual(bits(want.picked[i]!)));
      }
    }
    expect(fused.stats()).toEqual({ traces: 1, hits: 1, eager: 0 });
  });

  test.prop(
    [shapeArb.filter(([a, b, c]) => a * b * c >= 64), fc.array(fc.array(fc.boolean(), { minLength: 3, maxLength: 3 }), { minLength: 1, maxLength: 3 }), fc.array(fc.constantFrom(0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 19), { minLength: 2, maxLength: 12 }), fc.nat(1000)],
    { numRuns: 40 },
  )('an elementwise chain over broadcast inputs is one fused kernel with the eager bits', (base, masks, kinds, seed) => {
    const shapes = [...masks.map((m) => base.map((d, i) => (m[i] ? d : 1))), base]; // the chain starts at the full-size input
    const w = seededTensor([base[2], base[2]], seed);
    const f = (xs: Tensor[]) => {
      const pool = [...xs];
      kinds.forEach((kind, k) => pool.push(step({ kind, a: 0, b: k + 1, c: k + 2, axis: 0, chain: true }, pool.slice(0, xs.length).concat(pool.slice(-1)), base, w)));
      return pool[pool.length - 1]!;
    };
    const g = compile(f);
    const xs = shapes.map((s, i) => seededTensor(s, seed + i));
    const want = withBackend(eagerBackend, () => f(xs));
    expect(bits(withBackend(planBackend, () => g(xs)))).toEqual(bits(want));
    const [info] = g.plans();
    // every step makes at least one full-size value, and they all join one kernel (the small
    // values made from the broadcast leaves stay single kernels: below minElements they run the reference)
    expect(info!.fusedAway).toBeGreaterThanOrEqual(kinds.length - 1);
  });
});
