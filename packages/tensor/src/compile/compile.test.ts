import { afterAll, describe, expect, it } from 'vitest';
import { withBackend } from '../backend.js';
import { createWasmBackend } from '../backends/wasm/backend.js';
import { referenceBackend } from '../backends/reference/index.js';
import { ArgumentError } from '../errors.js';
import { tensor } from '../ops/creation.js';
import { add, exp, greater, mul, neg, sub } from '../ops/elementwise.js';
import { matmul } from '../ops/linalg.js';
import { sum } from '../ops/reduce.js';
import { relu } from '../ops/nn.js';
import { seededTensor } from '../testing/conformance.js';
import type { Tensor } from '../tensor.js';
import { compile } from './compile.js';
import * as random from '../random.js';

const wasm = createWasmBackend({ threads: 1 });
afterAll(() => wasm.dispose());
const onWasm = <T>(f: () => T): T => withBackend(wasm, f);

describe('compile: the plan cache', () => {
  it('traces once per signature: the second call hits, a new shape or static value traces again', () => {
    const f = compile((x: Tensor, k: number) => mul(exp(x), k));
    onWasm(() => {
      f(seededTensor([8, 16], 1), 2);
      f(seededTensor([8, 16], 2), 2);
      expect(f.stats()).toEqual({ traces: 1, hits: 1, eager: 0 });
      f(seededTensor([4, 16], 3), 2);
      expect(f.stats().traces).toBe(2);
      // the static number is part of the signature, and its new value is used
      expect(f(tensor([0, 0]), 3).toArray()).toEqual(new Float32Array([3, 3]));
      expect(f.stats()).toEqual({ traces: 3, hits: 1, eager: 0 });
    });
  });

  it('runs eagerly on a backend without resident memory', () => {
    const f = compile((x: Tensor) => neg(x));
    expect(withBackend(referenceBackend, () => f(tensor([1, 2]))).toArray()).toEqual(new Float32Array([-1, -2]));
    expect(f.stats()).toEqual({ traces: 0, hits: 0, eager: 1 });
  });

  it('returns host copies: an output does not change when the plan runs again', () => {
    const f = compile((x: Tensor) => add(x, 1));
    onWasm(() => {
      const a = f(seededTensor([300], 4));
      const before = a.toArray();
      f(seededTensor([300], 5));
      expect(a.toArray()).toEqual(before);
    });
  });
});

describe('compile: graph passes', () => {
  it('drops dead code and merges common subexpressions, with the eager result', () => {
    const body = (x: Tensor, w: Tensor) => {
      neg(matmul(x, w)); // dead
      const h = relu(matmul(x, w));
      const g = relu(matmul(x, w)); // the same as h
      return sum(add(h, g));
    };
    const f = compile(body, { fuse: false });
    const x = seededTensor([16, 32], 6), w = seededTensor([32, 8], 7);
    onWasm(() => expect(f(x, w).item()).toBe(body(x, w).item()));
    const [info] = f.plans();
    // traced: 3 matmuls, neg, 2 relus (maximum), add, sum = 8; kept: matmul, relu, add, sum
    expect(info!.traced).toBe(8);
    expect(info!.nodes).toBe(4);
  });

  it('fuses an elementwise chain with broadcast inputs into one kernel, with the eager bits', () => {
    // BatchNorm apply then ReLU: (x - mean) * rstd * gamma + beta, max(., 0): six primitives, one pass
    const body = (x: Tensor, m: Tensor, r: Tensor, gamma: Tensor, beta: Tensor) => relu(add(mul(mul(sub(x, m), r), gamma), beta));
    const f = compile(body);
    const x = seededTensor([8, 16, 6, 6], 20), stat = (s: number) => seededTensor([1, 16, 1, 1], s);
    const args = [x, stat(21), stat(22), stat(23), stat(24)] as const;
    const want = onWasm(() => body(...args));
    const got = onWasm(() => f(...args));
    expect(Array.from(new Uint32Array(got.toArray().buffer))).toEqual(Array.from(new Uint32Array(want.toArray().buffer)));
    const [info] = f.plans();
    expect(info!.traced).toBe(5);
    expect(info!.nodes).toBe(1);
    expect(info!.fusedAway).toBe(4);
  });

  it('reuses buffers by liveness: a long chain needs a few slots, not one per value', () => {
    const f = compile((x: Tensor) => {
      let y = x;
      for (let i = 0; i < 20; i++) y = add(mul(y, 0.5), 1);
      return y;
    }, { fuse: false });
    onWasm(() => f(seededTensor([1024], 8)));
    const [info] = f.plans();
    expect(info!.unsharedBytes).toBe(41 * 4096 + 2 * 64); // 41 values, 2 scalar constants
    expect(info!.arenaBytes).toBeLessThanOrEqual(3 * 4096);
  });
});

describe('compile: host reads', () => {
  it('item() on a traced value is an error that names the op and how to move it out', () => {
    const f = compile((x: Tensor) => (sum(x).item() > 0 ? x : neg(x)));
    expect(() => onWasm(() => f(tensor([1, 2])))).toThrow(ArgumentError);
    expect(() => onWasm(() => f(tensor([1, 2])))).toThrow(/`item\(\)` reads the values of a tensor of shape \[\] made by the primitive `sum`.*use `where` instead of a branch/);
  });

  it('toArray() on an argument names the argument', () => {
    const f = compile((p: { w: Tensor }) => p.w.toArray());
    expect(() => onWasm(() => f({ w: tensor([1]) }))).toThrow(/`toArray\(\)` reads .* made by the argument args\[0\]\["w"\]/);
  });

  it('a branch on a value has a where() form that compiles', () => {
    const f = compile((x: Tensor) => sum(greater(x, 0)));
    expect(onWasm(() => f(tensor([1, -2, 3]))).item()).toBe(2);
  });

  it('a random draw inside a compiled function is an error (the plan would repeat one draw)', () => {
    const f = compile((x: Tensor) => add(x, random.normal(random.key(0), x.shape)));
    expect(() => onWasm(() => f(tensor([1, 2])))).toThrow(/random\.normal: draws random numbers on the host.*draw outside the compiled function/);
  });

  it('an argument leaf that is neither a tensor nor a static value is refused', () => {
    const f = compile((o: { f: () => number }) => o.f());
    expect(() => onWasm(() => f({ f: () => 1 }))).toThrow(/argument leaf 0\.f is a function/);
  });
});
