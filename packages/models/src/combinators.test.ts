import { add, random, tensor, tree, type Tensor } from '@ssam/tensor';
import { expectAllClose } from '@ssam/tensor/testing';
import { describe, expect, it } from 'vitest';
import { fanInConcat, fanInSum, fanOut, parallel, residual, serial } from './combinators.js';
import { relu, identity } from './layers/activations.js';
import { batchNorm } from './layers/batchnorm.js';
import { conv2d } from './layers/conv.js';
import { dense } from './layers/dense.js';
import { dropout } from './layers/dropout.js';
import type { Layer } from './layer.js';

const key = random.key(1);
const ev = { train: false } as const;
const keysOf = (t: unknown) => Object.keys(t as object);

describe('serial', () => {
  it('names params by layer and leaves parameterless layers out', () => {
    const m = serial({ conv: conv2d(4, 3, { padding: 1 }), bn: batchNorm(), act: relu });
    const [out, p, s] = m.init(key, [-1, 2, 5, 5]);
    expect(out).toEqual([-1, 4, 5, 5]);
    expect(keysOf(p)).toEqual(['conv', 'bn']);
    expect(keysOf(s)).toEqual(['bn']);
    expect(keysOf((p as any).conv)).toEqual(['w', 'b']);
  });

  it('composes: serial(f, g) applies f then g, positional params are an array', () => {
    const f = dense(3), g = dense(2);
    const m = serial(f, relu, g);
    const [out, p] = m.init(key, [-1, 4]);
    expect(out).toEqual([-1, 2]);
    expect(Array.isArray(p)).toBe(true);
    const ps = p as any[];
    expect(ps[1]).toEqual({});
    const x = random.normal(key, [5, 4]);
    const [y] = m.apply(p, [{}, {}, {}], x, ev);
    const h = relu.apply({}, {}, f.apply(ps[0], {}, x, ev)[0], ev)[0];
    expectAllClose(y as Tensor, g.apply(ps[2], {}, h, ev)[0] as Tensor);
  });

  it('gives the same params for the same key, different params for another key', () => {
    const m = serial({ a: dense(8), b: dense(8) });
    const p1 = m.init(random.key(7), [-1, 8])[1];
    const p2 = m.init(random.key(7), [-1, 8])[1];
    const p3 = m.init(random.key(8), [-1, 8])[1];
    expect(tree.map((t: Tensor) => t.toList(), p1)).toEqual(tree.map((t: Tensor) => t.toList(), p2));
    expect((p1 as any).a.w.toList()).not.toEqual((p3 as any).a.w.toList());
    // Children get independent keys: the two dense layers differ.
    expect((p1 as any).a.w.toList()).not.toEqual((p1 as any).b.w.toList());
  });

  it('threads BatchNorm state through and returns a fresh state tree', () => {
    const m = serial({ fc: dense(3), bn: batchNorm() });
    const [, p, s] = m.init(key, [-1, 2]);
    const [, s1] = m.apply(p, s, random.normal(key, [6, 2]), { train: true });
    expect(keysOf(s1)).toEqual(['bn']);
    expect((s1 as any).bn.runningMean.toList()).not.toEqual([0, 0, 0]);
    expect((s as any).bn.runningMean.toList()).toEqual([0, 0, 0]);
  });

  it('splits the apply key among children, so dropout layers draw different masks', () => {
    const m = serial({ d1: dropout(0.5), d2: dropout(0.5) });
    const both = serial({ d1: dropout(0.5) });
    const x = tensor(new Float32Array(64).fill(1), [1, 64]);
    const y = m.apply({}, {}, x, { train: true, key: random.key(3) })[0] as Tensor;
    const y2 = m.apply({}, {}, x, { train: true, key: random.key(3) })[0] as Tensor;
    expect(y.toList()).toEqual(y2.toList());
    expect(() => both.apply({}, {}, x, { train: true })).toThrow(/needs a PRNG key/);
    // Surviving entries were scaled twice (by 4); zeros where either mask dropped.
    expect(new Set(y.toArray())).toEqual(new Set([0, 4]));
  });

  it('rejects index-like names and non-layers', () => {
    expect(() => serial({ '0': relu } as never)).toThrow(/looks like an index/);
    expect(() => serial({ a: 3 } as never)).toThrow(/not a layer/);
  });
});

describe('fanOut, parallel, fanInSum, fanInConcat, residual', () => {
  it('fanOut → parallel → fanInSum is f(x) + g(x)', () => {
    const f = dense(3), g = dense(3);
    const m = serial({ split: fanOut(2), branches: parallel({ f, g }), sum: fanInSum });
    const [out, p] = m.init(key, [-1, 4]);
    expect(out).toEqual([-1, 3]);
    const pb = (p as any).branches;
    expect(keysOf(pb)).toEqual(['f', 'g']);
    const x = random.normal(key, [2, 4]);
    const [y] = m.apply(p, {}, x, ev);
    expectAllClose(y as Tensor, add(f.apply(pb.f, {}, x, ev)[0] as Tensor, g.apply(pb.g, {}, x, ev)[0] as Tensor));
  });

  it('parallel and fanInSum check tuples and shapes', () => {
    expect(() => parallel(relu, relu).init(key, [-1, 3])).toThrow(/tuple of 2 shapes/);
    expect(() => fanInSum.init(key, [[-1, 3], [-1, 4]])).toThrow(/branch shapes differ/);
    expect(() => relu.apply({}, {}, [tensor([1]), tensor([2])], ev)).toThrow(/expects one tensor/);
    expect(fanInConcat().init(key, [[-1, 3, 2, 2], [-1, 5, 2, 2]])[0]).toEqual([-1, 8, 2, 2]);
    const [y] = fanInConcat().apply({}, {}, [tensor([[1, 2]]), tensor([[3]])], ev);
    expect((y as Tensor).toList()).toEqual([[1, 2, 3]]);
  });

  it('residual adds the main path to the shortcut and applies post', () => {
    const main = dense(3);
    const r = residual(main, undefined, { post: relu });
    const [out, p] = r.init(key, [-1, 3]);
    expect(out).toEqual([-1, 3]);
    expect(keysOf(p)).toEqual(['main']);
    const x = random.normal(key, [4, 3]);
    const [y] = r.apply(p, {}, x, ev);
    const expected = relu.apply({}, {}, add(main.apply((p as any).main, {}, x, ev)[0] as Tensor, x), ev)[0] as Tensor;
    expectAllClose(y as Tensor, expected);
    expect(() => residual(dense(4)).init(key, [-1, 3])).toThrow(/shortcut gives/);
    const withSc: Layer = residual(dense(4), dense(4));
    expect(keysOf(withSc.init(key, [-1, 3])[1])).toEqual(['main', 'shortcut']);
    expect(keysOf(residual(identity).init(key, [-1, 3])[1])).toEqual([]);
  });
});
