import { hvp, vjp } from '@ssam/autograd';
import { add, addcmul, div, mean, mul, random, sqrt, sub, sum, tree, type Tensor } from '@ssam/tensor';
import { expectAllClose } from '@ssam/tensor/testing';
import { popTracer, pushTracer } from '@ssam/tensor/trace';
import { describe, expect, it } from 'vitest';
import { batchNormTrain, type BatchStats } from './batchnorm-train.js';

type In = { x: Tensor; scale: Tensor; shift: Tensor };
const EPS = 1e-5;

/** The same forward written op by op, differentiated by autograd's own rules: the reference. */
function opByOp({ x, scale, shift }: In, axes: number[]): BatchStats {
  const mu = mean(x, { axes, keepdims: true });
  const d = sub(x, mu);
  const v = mean(mul(d, d), { axes, keepdims: true });
  return { y: addcmul(shift, d, div(scale, sqrt(add(v, EPS)))), mu, v };
}
const closedForm = ({ x, scale, shift }: In, axes: number[]) => batchNormTrain(x, scale, shift, axes, EPS);

function draw(shape: number[], seed: number): { input: In; ct: BatchStats; axes: number[] } {
  const k = random.split(random.key(seed), 6);
  const c = shape.map((d, i) => (i === 1 ? d : 1));
  return {
    input: { x: random.normal(k[0]!, shape, { mean: 0.7, std: 2 }), scale: random.normal(k[1]!, c), shift: random.normal(k[2]!, c) },
    ct: { y: random.normal(k[3]!, shape), mu: random.normal(k[4]!, c), v: random.normal(k[5]!, c) },
    axes: shape.map((_, i) => i).filter((i) => i !== 1),
  };
}
const tol = { rtol: 2e-4, atol: 2e-5 };

describe('batchNormTrain: the closed-form backward equals the op-by-op one', () => {
  for (const [shape, seed] of [[[6, 3, 4, 5], 1], [[8, 5], 2], [[2, 4, 3, 3], 3]] as [number[], number][]) {
    it(`values and the cotangents of x, γ and β, with cotangents on y, μ and v (x ${JSON.stringify(shape)})`, () => {
      const { input, ct, axes } = draw(shape, seed);
      const [got, pullGot] = vjp((a: In) => closedForm(a, axes), input);
      const [want, pullWant] = vjp((a: In) => opByOp(a, axes), input);
      // the forward is the op-by-op one, to the bit
      for (const k of ['y', 'mu', 'v'] as const) expect(Array.from(got[k].toArray())).toEqual(Array.from(want[k].toArray()));
      const g = pullGot(ct), w = pullWant(ct);
      for (const k of ['x', 'scale', 'shift'] as const) expectAllClose(g[k], w[k], { ...tol, label: `∂${k}` });
      // and with no cotangent on the statistics (the usual case: they only feed the running state)
      const yOnly = { ...ct, mu: mul(ct.mu, 0), v: mul(ct.v, 0) };
      expectAllClose(pullGot(yOnly).x, pullWant(yOnly).x, tol);
    });
  }

  it('second order: the Hessian-vector product of a loss through it matches', () => {
    const { input, ct, axes } = draw([4, 3, 2, 2], 4);
    const loss = (f: (a: In, ax: number[]) => BatchStats) => (a: In) => sum(mul(mul(f(a, axes).y, f(a, axes).y), ct.y));
    const dir = tree.map((t: Tensor) => random.normal(random.key(t.size), t.shape), input) as In;
    const got = hvp(loss(closedForm), input, dir), want = hvp(loss(opByOp), input, dir);
    for (const k of ['x', 'scale', 'shift'] as const) expectAllClose(got[k], want[k], { rtol: 1e-3, atol: 1e-4, label: `H·v ${k}` });
  });

  it('costs three full-size ops in the backward', () => {
    const traced = (f: () => unknown): { prim: string; size: number }[] => {
      const seen: { prim: string; size: number }[] = [];
      const tracer = { record: (prim: string, _i: unknown, _a: unknown, out: Tensor) => void seen.push({ prim, size: out.size }) };
      pushTracer(tracer);
      try {
        f();
      } finally {
        popTracer(tracer);
      }
      return seen;
    };
    const { input, ct, axes } = draw([4, 6, 5, 5], 5);
    const [, pull] = vjp((a: In) => closedForm(a, axes), input);
    const full = traced(() => pull(ct)).filter((o) => o.size === input.x.size && o.prim !== 'reshape');
    expect(full.map((o) => o.prim)).toEqual(['mul', 'addcmul', 'addcmul']);
  });
});
