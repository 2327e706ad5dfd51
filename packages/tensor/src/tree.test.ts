import { describe, expect, it } from 'vitest';
import { random, tensor, tree, type Tensor } from './index.js';
import { leafPaths } from './testing/index.js';

const t = (v: number[] | number, shape?: number[]): Tensor => tensor(v, shape);
const vals = (x: unknown): unknown => (x as Tensor).toList();

describe('flatten / unflatten', () => {
  it('visits arrays in order and object keys sorted, depth first', () => {
    const a = t(1), b = t(2), c = t(3), d = t(4);
    const [leaves, def] = tree.flatten({ z: a, a: [b, { y: c, x: d }] });
    expect(leaves).toEqual([b, d, c, a]);
    expect(def.kind).toBe('object');
    expect(tree.unflatten(def, [b, d, c, a])).toEqual({ a: [b, { x: d, y: c }], z: a });
  });

  it('treats null and undefined as empty subtrees and keeps them', () => {
    const x = t(1);
    const input = { a: null, b: [undefined, x] };
    const [leaves, def] = tree.flatten(input);
    expect(leaves).toEqual([x]);
    const back = tree.unflatten(def, leaves) as { a: null; b: unknown[] };
    expect(back.a).toBeNull();
    expect(back.b[0]).toBeUndefined();
    expect(tree.count(null)).toBe(0);
    expect(tree.flatten(undefined)[0]).toEqual([]);
  });

  it('treats tensors, numbers, strings, keys and class instances as leaves', () => {
    const k = random.key(0);
    class Box { constructor(readonly v = 1) {} }
    const box = new Box();
    expect(tree.leaves<unknown>([1, 'a', k, box, t(1)])).toEqual([1, 'a', k, box, expect.anything()]);
    expect(tree.isLeaf(k)).toBe(true);
    expect(tree.isLeaf({})).toBe(false);
    expect(tree.isLeaf(Object.create(null))).toBe(false);
  });

  it('a single leaf is a tree', () => {
    const x = t([1, 2]);
    const [leaves, def] = tree.flatten(x);
    expect(leaves).toEqual([x]);
    expect(tree.unflatten(def, [x])).toBe(x);
  });

  it('empty containers have no leaves but keep their shape', () => {
    const [leaves, def] = tree.flatten({ a: [], b: {} });
    expect(leaves).toEqual([]);
    expect(tree.unflatten(def, [])).toEqual({ a: [], b: {} });
  });

  it('unflatten rejects the wrong number of leaves', () => {
    const def = tree.flatten([t(1), t(2)])[1];
    expect(() => tree.unflatten(def, [t(1)])).toThrow(/tree.unflatten: too few leaves/);
    expect(() => tree.unflatten(def, [t(1), t(2), t(3)])).toThrow(/tree.unflatten: 3 leaves given, the structure holds 2/);
  });
});

describe('structureEqual', () => {
  it('compares containers, keys and leaf positions but not leaf values', () => {
    expect(tree.structureEqual({ a: t(1), b: [t(2)] }, { b: [t(9, [1])], a: t(0) })).toBe(true);
    expect(tree.structureEqual({ a: t(1) }, { b: t(1) })).toBe(false);
    expect(tree.structureEqual([t(1)], [t(1), t(2)])).toBe(false);
    expect(tree.structureEqual([t(1)], { 0: t(1) })).toBe(false);
    expect(tree.structureEqual([t(1)], [[t(1)]])).toBe(false);
    expect(tree.structureEqual([null], [t(1)])).toBe(false);
  });
});

describe('tree maths', () => {
  const a = { w: t([1, 2, 3]), b: [t(1)] };
  const b = { w: t([4, 5, 6]), b: [t(-1)] };

  it('add, sub, mul, scale', () => {
    expect(tree.map(vals, tree.add(a, b) as never)).toEqual({ w: [5, 7, 9], b: [0] });
    expect(tree.map(vals, tree.sub(a, b) as never)).toEqual({ w: [-3, -3, -3], b: [2] });
    expect(tree.map(vals, tree.mul(a, b) as never)).toEqual({ w: [4, 10, 18], b: [-1] });
    expect(tree.map(vals, tree.scale(2, a) as never)).toEqual({ w: [2, 4, 6], b: [2] });
    expect(tree.map(vals, tree.scale(t(0.5), a) as never)).toEqual({ w: [0.5, 1, 1.5], b: [0.5] });
  });

  it('vdot and norm', () => {
    expect(tree.vdot(a, b).item()).toBe(4 + 10 + 18 - 1);
    expect(tree.vdot(a, b).shape).toEqual([]);
    expect(tree.norm({ x: t([3]), y: [t([4])] }).item()).toBeCloseTo(5, 6);
    expect(tree.vdot({}, {}).item()).toBe(0);
    expect(tree.norm(null).item()).toBe(0);
  });

  it('vdot and norm work for int32 and mixed-dtype trees', () => {
    const i = { n: tensor([1, 2], [2], { dtype: 'int32' }) };
    expect(tree.vdot(i, i).dtype).toBe('int32');
    expect(tree.vdot(i, i).item()).toBe(5);
    expect(tree.norm(i).item()).toBeCloseTo(Math.sqrt(5), 6);
    const mixed = { f: t([0.5]), n: tensor([2], [1], { dtype: 'int32' }) };
    expect(tree.vdot(mixed, mixed).item()).toBeCloseTo(4.25, 6);
  });

  it('vdot refuses leaves of different shapes instead of broadcasting', () => {
    expect(() => tree.vdot({ a: t([1, 2, 3]) }, { a: t([1]) })).toThrow(/tree.vdot: leaf 0 has shape \[3\] in a but \[1\] in b/);
  });

  it('zerosLike, onesLike keep shape and dtype', () => {
    const z = tree.zerosLike({ x: tensor([1, 2], [2], { dtype: 'int32' }), y: t([[1, 2]]) }) as Record<string, Tensor>;
    expect(z.x!.dtype).toBe('int32');
    expect(z.y!.shape).toEqual([1, 2]);
    expect(tree.map(vals, z as never)).toEqual({ x: [0, 0], y: [[0, 0]] });
    expect(tree.map(vals, tree.onesLike(a) as never)).toEqual({ w: [1, 1, 1], b: [1] });
  });

  it('where picks a where the mask is non-zero', () => {
    const m = { w: t([1, 0, 1]), b: [t(0)] };
    expect(tree.map(vals, tree.where(m, a, b) as never)).toEqual({ w: [1, 5, 3], b: [-1] });
  });

  it('count counts leaves, size counts elements', () => {
    expect(tree.count(a)).toBe(2);
    expect(tree.size(a)).toBe(4);
    expect(tree.size({ k: random.key(1), x: t([[1, 2], [3, 4]]) })).toBe(4);
  });
});

describe('errors name the tree function and both structures', () => {
  const a = { w: t([1]), b: t([2]) };
  const c = { w: t([1]) };
  it.each([
    ['tree.add', 'b', 'a', () => tree.add(a, c)],
    ['tree.sub', 'b', 'a', () => tree.sub(a, c)],
    ['tree.mul', 'b', 'a', () => tree.mul(a, c)],
    ['tree.vdot', 'b', 'a', () => tree.vdot(a, c)],
    ['tree.where', 'b', 'mask', () => tree.where(a, a, c)],
    ['tree.map', 'tree 1', 'tree 0', () => tree.map((x: Tensor, _y: Tensor) => x, a, c)],
    ['tree.zipMap', 'tree 1', 'tree 0', () => tree.zipMap((x: Tensor) => x, a, c)],
  ])('%s', (op, bad, first, f) => {
    expect(f).toThrow(`${op}: ${bad} has structure {w: *}, ${first} has {b: *, w: *}; both need the same containers`);
  });
  it('describes nested and empty structures', () => {
    expect(() => tree.add({ a: [t(1), null] }, { a: [t(1)] })).toThrow('tree.add: b has structure {a: [*]}, a has {a: [*, null]}');
  });
});

describe('leafPaths (testing kit) follows flatten order', () => {
  it('names every leaf', () => {
    const x = { z: t(1), a: [t(2), { q: t(3) }], n: null };
    expect(leafPaths(x)).toEqual(['a[0]', 'a[1].q', 'z']);
    expect(leafPaths(x).length).toBe(tree.count(x));
    expect(leafPaths(t(1))).toEqual(['(root)']);
  });
});

describe('paths', () => {
  it('gives each leaf its keys, in flatten order, skipping empty subtrees', () => {
    const t = { fc: [1, { w: 2 }], conv: { w: 3, b: 4 }, none: null, z: undefined };
    expect(tree.paths(t as never)).toEqual([['conv', 'b'], ['conv', 'w'], ['fc', 0], ['fc', 1, 'w']]);
    expect(tree.leaves(t as never)).toEqual([4, 3, 1, 2]);
    expect(tree.paths(5 as never)).toEqual([[]]);
  });
});
