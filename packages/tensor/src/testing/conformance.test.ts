import { describe, expect, it } from 'vitest';
import type { Backend, Kernels } from '../backend.js';
import { referenceBackend } from '../backends/reference/index.js';
import { PRIMITIVES } from '../primitives.js';
import { dataOf, fromHost } from '../tensor.js';
import { checkCase, conformanceCases, runConformance } from './conformance.js';

// The reference backend must conform to itself trivially; this run proves every case executes
// and applies its primitive.
runConformance(referenceBackend);

describe('conformance suite', () => {
  it('has at least one case for every primitive, with unique names', () => {
    for (const p of PRIMITIVES) expect(conformanceCases.filter((c) => c.prim === p).length, p).toBeGreaterThan(0);
    expect(new Set(conformanceCases.map((c) => c.name)).size).toBe(conformanceCases.length);
  });

  it('builds the same inputs on every call', () => {
    for (const c of conformanceCases) {
      const [a, b] = [c.inputs(), c.inputs()];
      expect(a.map((t) => [...t.toArray()])).toEqual(b.map((t) => [...t.toArray()]));
    }
  });

  const patched = (name: string, over: Partial<Kernels>): Backend => ({ name, kernels: { ...referenceBackend.kernels, ...over } });

  it('catches a kernel that is off by more than the tolerance', () => {
    const off = patched('off-by-1e-3', {
      add: (ins, attrs) => {
        const y = referenceBackend.kernels.add(ins, attrs);
        const d = Float32Array.from(dataOf(y), (v) => v * (1 + 1e-3));
        return fromHost(d, y.shape, y.dtype);
      },
    });
    const c = conformanceCases.find((k) => k.name === 'add: same shape [4, 5]')!;
    const r = checkCase(off, c);
    expect(r.ok).toBe(false);
    expect(r.message).toMatch(/add: same shape \[4, 5\] on off-by-1e-3: element \d+ of \[4, 5\]/);
  });

  it('catches a kernel that writes to its input', () => {
    const bad = patched('mutating', {
      neg: (ins, attrs) => {
        (dataOf(ins[0]!) as Float32Array)[0] = 42;
        return referenceBackend.kernels.neg(ins, attrs);
      },
    });
    const r = checkCase(bad, conformanceCases.find((k) => k.prim === 'neg')!);
    expect(r.message).toMatch(/input 0 .* was modified/);
  });

  it('catches NaN where the reference is finite, and a wrong shape', () => {
    const nan = patched('nan', { exp: (ins) => fromHost(new Float32Array(ins[0]!.size).fill(NaN), ins[0]!.shape, 'float32') });
    expect(checkCase(nan, conformanceCases.find((k) => k.name === 'exp: random [3, 5]')!).ok).toBe(false);
    const flat = patched('flat', { transpose: (ins) => fromHost(dataOf(ins[0]!), [ins[0]!.size], ins[0]!.dtype) });
    expect(checkCase(flat, conformanceCases.find((k) => k.prim === 'transpose')!).message).toMatch(/shape \[24\], reference \[4, 2, 3\]/);
  });
});
