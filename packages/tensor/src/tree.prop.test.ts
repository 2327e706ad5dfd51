import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { add as addT, isTensor, neg, random, square, tree, type Tensor, type Tree } from './index.js';
import { arbTensor, arbTree, arbTreeLike, arbTrees, expectAllClose, expectTreeAllClose, treeAllClose } from './testing/index.js';

const RUNS = { numRuns: 60 };
// Integer values keep float32 sums and products exact, so algebraic laws hold with equality.
const INT = { min: -8, max: 8, integers: true } as const;
const intLeaf = arbTensor({ maxRank: 2, maxDim: 3, ...INT });
const arbIntTrees = (n: number) => arbTrees(n, { leaf: intLeaf, ...INT });

/** Recursively freezes containers (tensors are immutable already) so any mutation throws. */
function deepFreeze<T>(t: T): T {
  if (t !== null && typeof t === 'object' && !isTensor(t)) {
    for (const v of Object.values(t)) deepFreeze(v);
    Object.freeze(t);
  }
  return t;
}

/** A structural copy with each tensor leaf replaced by its values, for before/after comparisons. */
const snapshot = (t: Tree): unknown => JSON.parse(JSON.stringify(tree.map((x: Tensor) => ({ shape: x.shape, v: [...x.toArray()] }), t)));

describe('flatten / unflatten', () => {
  it('unflatten(flatten(t)) rebuilds t with the same leaves', () => {
    fc.assert(
      fc.property(arbTree({ withNone: true }), (t) => {
        const [leaves, def] = tree.flatten(t);
        const back = tree.unflatten(def, leaves);
        expect(back).toEqual(t);
        const [leaves2, def2] = tree.flatten(back);
        expect(leaves2.every((l, i) => l === leaves[i])).toBe(true);
        expect(tree.defsEqual(def, def2)).toBe(true);
        expect(tree.count(t)).toBe(leaves.length);
        expect(tree.size(t)).toBe(leaves.reduce((n, l) => n + l.size, 0));
      }),
      RUNS,
    );
  });

  it('object key insertion order does not matter', () => {
    fc.assert(
      fc.property(fc.uniqueArray(fc.stringMatching(/^[a-z]{1,4}$/), { minLength: 1, maxLength: 6 }), fc.infiniteStream(fc.nat()), (keys, seeds) => {
        const entries = keys.map((k, i) => [k, random.normal(random.key(i), [2])] as const);
        const shuffled = [...entries].sort(() => (seeds.next().value % 3) - 1);
        const a = Object.fromEntries(entries);
        const b = Object.fromEntries(shuffled);
        const [la, da] = tree.flatten(a);
        const [lb, db] = tree.flatten(b);
        expect(tree.defsEqual(da, db)).toBe(true);
        expect(lb.every((l, i) => l === la[i])).toBe(true);
        expect(la).toEqual([...entries].sort(([x], [y]) => (x < y ? -1 : 1)).map(([, v]) => v));
      }),
      RUNS,
    );
  });
});

describe('map', () => {
  it('identity: map(x ↦ x, t) is t', () => {
    fc.assert(
      fc.property(arbTree({ withNone: true }), (t) => {
        expect(tree.map((x: Tensor) => x, t)).toEqual(t);
      }),
      RUNS,
    );
  });

  it('composition: map(g ∘ f) = map(g) ∘ map(f)', () => {
    const f = (x: Tensor): Tensor => addT(x, 1);
    const g = (x: Tensor): Tensor => square(x);
    fc.assert(
      fc.property(arbTree(), (t) => {
        expectTreeAllClose(tree.map((x: Tensor) => g(f(x)), t), tree.map(g, tree.map(f, t)), { atol: 0, rtol: 0 });
      }),
      RUNS,
    );
  });

  it('keeps the structure, so structureEqual(map(f, t), t)', () => {
    fc.assert(fc.property(arbTree({ withNone: true }), (t) => tree.structureEqual(tree.map(neg, t), t)), RUNS);
  });
});

describe('structureEqual', () => {
  it('is reflexive and ignores leaf values', () => {
    fc.assert(
      fc.property(arbTree({ withNone: true }).chain((t) => fc.tuple(fc.constant(t), arbTreeLike(t))), ([t, u]) => {
        expect(tree.structureEqual(t, t)).toBe(true);
        expect(tree.structureEqual(t, u)).toBe(true);
        expect(tree.structureEqual(u, t)).toBe(true);
      }),
      RUNS,
    );
  });

  it('tells apart trees that differ by a wrapper, an extra leaf or a renamed key', () => {
    const x = random.normal(random.key(0), [2]);
    fc.assert(
      fc.property(arbTree(), (t) => {
        expect(tree.structureEqual(t, [t])).toBe(false);
        expect(tree.structureEqual(t, { t })).toBe(false);
        expect(tree.structureEqual([t], [t, x])).toBe(false);
        expect(tree.structureEqual({ a: t }, { b: t })).toBe(false);
        expect(tree.structureEqual({ a: t, b: x }, { a: t })).toBe(false);
      }),
      RUNS,
    );
  });
});

describe('tree maths laws', () => {
  it('sub(add(a, b), b) = a and add is commutative', () => {
    fc.assert(
      fc.property(arbIntTrees(2), ([a, b]) => {
        expectTreeAllClose(tree.sub(tree.add(a, b), b), a!, { atol: 0, rtol: 0 });
        expectTreeAllClose(tree.add(a, b), tree.add(b, a), { atol: 0, rtol: 0 });
      }),
      RUNS,
    );
  });

  it('scale distributes over add and composes', () => {
    fc.assert(
      fc.property(arbIntTrees(2), fc.integer({ min: -4, max: 4 }), fc.integer({ min: -4, max: 4 }), ([a, b], s, r) => {
        expectTreeAllClose(tree.scale(s, tree.add(a, b)), tree.add(tree.scale(s, a), tree.scale(s, b)), { atol: 0, rtol: 0 });
        expectTreeAllClose(tree.scale(s, tree.scale(r, a)), tree.scale(s * r, a), { atol: 0, rtol: 0 });
        expectTreeAllClose(tree.scale(1, a), a!, { atol: 0, rtol: 0 });
      }),
      RUNS,
    );
  });

  it('vdot is symmetric and bilinear', () => {
    fc.assert(
      fc.property(arbIntTrees(3), fc.integer({ min: -4, max: 4 }), ([a, b, c], s) => {
        // `+ 0` turns −0 into 0: the laws are about values, not the sign of zero.
        const v = (x: Tree, y: Tree): number => tree.vdot(x, y).item() + 0;
        expect(v(a, b)).toBe(v(b, a));
        expect(v(tree.add(a, b), c)).toBe(v(a, c) + v(b, c));
        expect(v(tree.scale(s, a), b)).toBe(s * v(a, b) + 0);
        expect(v(a, tree.zerosLike(b))).toBe(0);
      }),
      RUNS,
    );
  });

  it('norm² = vdot(t, t), norm ≥ 0, and norm(s·t) = |s|·norm(t)', () => {
    fc.assert(
      fc.property(arbTree(), fc.double({ min: -3, max: 3, noNaN: true }), (t, s) => {
        const n = tree.norm(t).item();
        expect(n).toBeGreaterThanOrEqual(0);
        expectAllClose(n * n, tree.vdot(t, t).item(), { rtol: 1e-5, atol: 1e-4 });
        expectAllClose(tree.norm(tree.scale(s, t)).item(), Math.abs(Math.fround(s)) * n, { rtol: 1e-5, atol: 1e-4 });
      }),
      RUNS,
    );
  });

  it('zerosLike and onesLike: same structure, shapes and dtypes; identities of add and mul', () => {
    fc.assert(
      fc.property(arbIntTrees(1), ([t]) => {
        const z = tree.zerosLike(t), o = tree.onesLike(t);
        for (const u of [z, o]) {
          expect(tree.structureEqual(u, t)).toBe(true);
          tree.zipMap((x: Tensor, y: Tensor) => expect([x.shape, x.dtype]).toEqual([y.shape, y.dtype]), u, t);
        }
        expect(tree.leaves(z).every((x) => x.toArray().every((v) => v === 0))).toBe(true);
        expect(tree.leaves(o).every((x) => x.toArray().every((v) => v === 1))).toBe(true);
        expectTreeAllClose(tree.add(t, z), t!, { atol: 0, rtol: 0 });
        expectTreeAllClose(tree.mul(t, o), t!, { atol: 0, rtol: 0 });
        expect(tree.size(z)).toBe(tree.size(t));
      }),
      RUNS,
    );
  });

  it('where(mask, a, b) picks a where the mask is 1 and b where it is 0', () => {
    fc.assert(
      fc.property(arbIntTrees(2), fc.integer({ min: 0, max: 1000 }), ([a, b], seed) => {
        let i = 0;
        const mask = tree.map((x: Tensor) => random.bernoulli(random.foldIn(random.key(seed), i++), 0.5, x.shape), a);
        const w = tree.where(mask, a, b);
        tree.map((m: Tensor, x: Tensor, y: Tensor, r: Tensor) => {
          const mv = m.toArray(), xv = x.toArray(), yv = y.toArray();
          expect([...r.toArray()]).toEqual([...mv].map((mm, k) => (mm ? xv[k] : yv[k])));
          return r;
        }, mask, a, b, w);
        expectTreeAllClose(tree.where(tree.onesLike(a), a, b), a!, { atol: 0, rtol: 0 });
        expectTreeAllClose(tree.where(tree.zerosLike(a), a, b), b!, { atol: 0, rtol: 0 });
        // where(m, a, b) = m·a + (1 − m)·b for 0/1 masks
        expectTreeAllClose(w, tree.add(tree.mul(mask, a), tree.mul(tree.sub(tree.onesLike(mask), mask), b)), { atol: 0, rtol: 0 });
      }),
      RUNS,
    );
  });

  it('count and size add up over a combined tree', () => {
    fc.assert(
      fc.property(arbTree(), arbTree(), (a, b) => {
        expect(tree.count({ a, b })).toBe(tree.count(a) + tree.count(b));
        expect(tree.size([a, b])).toBe(tree.size(a) + tree.size(b));
      }),
      RUNS,
    );
  });
});

describe('mismatched structures', () => {
  it('every binary tree function throws a ShapeError that names both structures', () => {
    fc.assert(
      fc.property(arbTree(), (t) => {
        fc.pre(tree.count(t) > 0);
        const other = [t, t];
        for (const f of [tree.add, tree.sub, tree.mul, tree.vdot, (x: Tree, y: Tree) => tree.where(x, x, y)]) {
          expect(() => f(t, other)).toThrow(/^tree\.\w+: (b|tree 1) has structure \[.*\], (a|mask|tree 0) has /);
        }
      }),
      { numRuns: 30 },
    );
  });
});

describe('inputs are never mutated', () => {
  it('holds for every tree function on deep-frozen inputs', () => {
    fc.assert(
      fc.property(arbIntTrees(3), ([a, b, c]) => {
        [a, b, c].forEach(deepFreeze);
        const before = [a, b, c].map(snapshot);
        const mask = tree.map((x: Tensor) => random.bernoulli(random.key(1), 0.5, x.shape), c);
        tree.flatten(a);
        tree.unflatten(tree.flatten(a)[1], tree.leaves(b));
        tree.map(neg, a);
        tree.map((x: Tensor, y: Tensor) => addT(x, y), a, b);
        tree.zipMap(addT, a, b);
        tree.add(a, b); tree.sub(a, b); tree.mul(a, b); tree.scale(3, a);
        tree.zerosLike(a); tree.onesLike(b);
        tree.where(mask, a, b);
        tree.vdot(a, b); tree.norm(c);
        tree.structureEqual(a, b); tree.count(a); tree.size(a); tree.leaves(a);
        treeAllClose(a, b);
        expect([a, b, c].map(snapshot)).toEqual(before);
      }),
      { numRuns: 40 },
    );
  });
});
