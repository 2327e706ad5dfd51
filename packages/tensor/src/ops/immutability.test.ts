import { describe, expect, it } from 'vitest';
import {
  argmax, gelu, logSoftmax, logSumExp, mean, oneHot, reshape, softmax, tensor, variance, withBackend, referenceBackend, PRIMITIVES, type Tensor,
} from '../index.js';
import { conformanceCases, seededTensor } from '../testing/conformance.js';

/** Bitwise copies of every input, so that −0 vs 0 and NaN payload changes count too. */
const snapshot = (xs: readonly Tensor[]) => xs.map((t) => new Uint8Array(t.toArray().buffer.slice(0)));
const unchanged = (xs: readonly Tensor[], before: Uint8Array[]) =>
  xs.forEach((t, i) => expect(new Uint8Array(t.toArray().buffer), `input ${i} ${t.toString()}`).toEqual(before[i]));

describe('inputs are unchanged after every op', () => {
  it('covers every primitive', () => {
    for (const p of PRIMITIVES) expect(conformanceCases.some((c) => c.prim === p), p).toBe(true);
  });

  for (const prim of PRIMITIVES)
    it(`${prim} (all its conformance cases)`, () => {
      for (const c of conformanceCases.filter((k) => k.prim === prim)) {
        const inputs = c.inputs();
        const before = snapshot(inputs);
        const out = withBackend(referenceBackend, () => c.run(inputs));
        unchanged(inputs, before);
        // writing to a copy of the output does not reach the inputs either (reshape shares storage)
        out.toArray().fill(123);
        unchanged(inputs, before);
      }
    });

  it('composites leave their inputs alone', () => {
    const x = seededTensor([3, 4], 5);
    const before = snapshot([x]);
    for (const f of [softmax, logSoftmax, gelu, (t: Tensor) => logSumExp(t), (t: Tensor) => argmax(t), (t: Tensor) => mean(t), (t: Tensor) => variance(t, { axes: 0 })]) f(x);
    oneHot(tensor([1, 0], undefined, { dtype: 'int32' }), 2);
    unchanged([x], before);
  });

  it('toArray returns a copy, also of a reshaped view', () => {
    const x = tensor([1, 2, 3, 4]);
    const r = reshape(x, [2, 2]);
    r.toArray()[0] = 99;
    x.toArray()[1] = 99;
    expect(x.toList()).toEqual([1, 2, 3, 4]);
    expect(r.toList()).toEqual([[1, 2], [3, 4]]);
    expect(Object.isFrozen(x.shape)).toBe(true);
  });
});
