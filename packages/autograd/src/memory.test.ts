import v8 from 'node:v8';
import vm from 'node:vm';
import { describe, expect, it } from 'vitest';
import { add, broadcastTo, exp, matmul, mean, mul, relu, sum, tensor, zeros, type Tensor } from '@ssam/tensor';
import { activeTracers } from '@ssam/tensor/trace';
import { customVjp, valueAndGrad, vjp } from './index.js';

v8.setFlagsFromString('--expose-gc');
const gc = vm.runInNewContext('gc') as () => void;
const settle = () => {
  for (let i = 0; i < 3; i++) gc();
};

describe('memory', () => {
  it('drops intermediates as soon as the backward pass has used them', () => {
    const N = 1_500_000; // 12 MB per float32 intermediate of shape [N, 2]
    const measured: number[] = [];
    // A custom rule on the FIRST op runs LAST in the backward pass: by then the big intermediates
    // computed after it have been consumed, and only a tape that keeps its nodes still holds them.
    const first = customVjp(
      (x: Tensor) => mul(x, 2),
      (x: Tensor) => [mul(x, 2), null] as const,
      (_r, ct: Tensor) => {
        settle();
        measured.push(process.memoryUsage().arrayBuffers);
        return mul(ct, 2);
      },
    );
    const loss = (x: Tensor) => sum(exp(broadcastTo(first(x), [N, 2])));
    settle();
    const base = process.memoryUsage().arrayBuffers;
    const [, g] = valueAndGrad(loss)(tensor([0, 0]));
    expect(g.toList()).toEqual([2 * N, 2 * N]);
    // valueAndGrad releases each node once used: nothing big is left during the last rule.
    expect(measured[0]! - base).toBeLessThan(6e6);
    // A reusable vjp pullback must keep its tape, so the 2 intermediates (24 MB) are still there.
    const [, pb] = vjp(loss, tensor([0, 0]));
    pb(tensor(1));
    expect(measured[1]! - base).toBeGreaterThan(20e6);
  });

  it('keeps nothing after valueAndGrad returns: heap growth over 500 MLP steps is bounded', () => {
    const x = tensor(Array.from({ length: 16 * 20 }, (_, i) => Math.sin(i)), [16, 20]);
    let p = { w1: tensor(Array.from({ length: 20 * 32 }, (_, i) => Math.cos(i) * 0.1), [20, 32]), b1: zeros([32]), w2: tensor(Array.from({ length: 32 * 10 }, (_, i) => Math.sin(3 * i) * 0.1), [32, 10]), b2: zeros([10]) };
    const loss = (q: typeof p) => mean(mul(add(matmul(relu(add(matmul(x, q.w1), q.b1)), q.w2), q.b2), 0.5));
    const step = () => {
      const [, g] = valueAndGrad(loss)(p);
      p = { w1: add(p.w1, mul(g.w1, -0.01)), b1: add(p.b1, mul(g.b1, -0.01)), w2: add(p.w2, mul(g.w2, -0.01)), b2: add(p.b2, mul(g.b2, -0.01)) };
    };
    for (let i = 0; i < 50; i++) step();
    settle();
    const before = process.memoryUsage().heapUsed;
    for (let i = 0; i < 500; i++) step();
    settle();
    const growth = process.memoryUsage().heapUsed - before;
    // One step allocates ~40 kB of tensors; a leak of a single tape per step would exceed 20 MB.
    expect(growth).toBeLessThan(2 * 1024 * 1024);
    expect(activeTracers()).toHaveLength(0);
  });
});
