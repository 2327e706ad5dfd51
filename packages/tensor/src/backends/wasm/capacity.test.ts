import { afterAll, describe, expect, it } from 'vitest';
import { withBackend } from '../../backend.js';
import { arange, full } from '../../ops/creation.js';
import { add, mul } from '../../ops/elementwise.js';
import { matmul } from '../../ops/linalg.js';
import { sum } from '../../ops/reduce.js';
import { seededTensor } from '../../testing/conformance.js';
import { dataOf, type Tensor } from '../../tensor.js';
import { referenceBackend } from '../reference/index.js';
import { createWasmBackend } from './backend.js';
import { envVar } from './node.js';

// A kernel's operands and result go through a ring in wasm memory, which is 4 GiB at most. A kernel
// that does not fit must run the reference kernel (slow, never wrong); one that fits must never
// find its blocks overlapping.

const bitsEqual = (a: Tensor, b: Tensor): number => {
  const x = new Uint32Array(dataOf(a).buffer), y = new Uint32Array(dataOf(b).buffer);
  if (x.length !== y.length) return -2;
  for (let i = 0; i < x.length; i++) if (x[i] !== y[i]) return i;
  return -1;
};

describe('wasm kernels at the memory ceiling (maxMemoryBytes 4 MiB)', () => {
  // 4 MiB: the ring holds kernels of about 1.5 MiB of operands and result (~400k floats)
  const small = createWasmBackend({ threads: 1, maxMemoryBytes: 4 << 20, minElements: 0 });
  afterAll(() => small.dispose());

  // the ring: 4 MiB − 64 KiB (page 0) − 1 MiB (scratch reserve) = 3,080,192 bytes; a kernel's budget
  // 2·bytes + 4096 must fit, so a binary op on n floats (12n bytes) fits up to n = 128,170
  const LAST_FIT = 128_170;

  it('kernels just below, at and past the ceiling agree with the reference bit for bit', () => {
    for (const n of [1000, 100_000, LAST_FIT - 1, LAST_FIT, LAST_FIT + 1, 200_000, 1_000_000]) {
      const a = seededTensor([n], n), b = seededTensor([n], n + 1);
      const want = withBackend(referenceBackend, () => add(mul(a, b), a));
      const copied = small.copyStats().copied;
      const got = withBackend(small, () => add(mul(a, b), a));
      expect(bitsEqual(got, want), `n = ${n}`).toBe(-1);
      // below the ceiling the wasm kernels ran (they copied operands in); past it, the reference
      expect(small.copyStats().copied > copied, `n = ${n}: ran on wasm`).toBe(n <= LAST_FIT);
      expect(withBackend(small, () => sum(a)).item()).toBeCloseTo(withBackend(referenceBackend, () => sum(a)).item(), 2);
    }
    expect(small.memoryBytes()).toBeLessThanOrEqual(4 << 20);
  });

  it('a matmul whose packed panels do not fit runs the reference', () => {
    // 1.26 MB of operands fit the ring; B's packed panels (1.23 MB) do not fit the 1 MiB of scratch
    const a = seededTensor([8, 512], 1), b = seededTensor([512, 600], 2);
    const want = withBackend(referenceBackend, () => matmul(a, b));
    const got = withBackend(small, () => matmul(a, b));
    const g = dataOf(got), w = dataOf(want);
    let worst = 0;
    for (let i = 0; i < w.length; i++) worst = Math.max(worst, Math.abs(g[i]! - w[i]!));
    expect(worst).toBeLessThan(1e-4);
    expect(small.memoryBytes()).toBeLessThanOrEqual(4 << 20);
  });

  it('refuses a ceiling outside [256 KiB, 4 GiB]', () => {
    expect(() => createWasmBackend({ threads: 1, maxMemoryBytes: 1000 })).toThrow(/maxMemoryBytes must be in/);
  });
});

// Past 2³¹ bytes (a 2²⁷-element add): the real 4 GiB ceiling. Memory-heavy (about 6 GiB of RSS,
// 10–20 s), so it runs in CI (CI set) or with SSAM_LARGE_TESTS=1.
const large = envVar('CI') !== undefined || envVar('SSAM_LARGE_TESTS') === '1';
describe.runIf(large)('wasm kernels past 2³¹ bytes (CI or SSAM_LARGE_TESTS=1)', () => {
  it('a 2²⁷-element add after a 2²⁵-element warm-up, and two 80-Mi-element adds on a fresh backend, are exact', () => {
    const be = createWasmBackend({ threads: 1 });
    try {
      withBackend(be, () => {
        add(full([2 ** 25], 1), 1);
        const n = 2 ** 27;
        const x = arange(0, n);
        const y = dataOf(add(x, 1));
        let bad = 0, first = -1;
        for (let i = 0; i < n; i++)
          if (y[i] !== Math.fround(Math.fround(i) + 1)) {
            bad++;
            if (first < 0) first = i;
          }
        expect(bad, `first wrong element ${first}: ${y[first]}`).toBe(0);
      });
    } finally {
      be.dispose();
    }
    // a fresh backend: its first kernel past 2³¹ bytes (it threw a raw RangeError, then trapped)
    const fresh = createWasmBackend({ threads: 1 });
    try {
      withBackend(fresh, () => {
        const n = 80 * 2 ** 20;
        const a = full([n], 1.5), b = full([n], 2.25);
        const c = add(a, b), d = add(c, a);
        const cd = dataOf(c), dd = dataOf(d);
        let bad = 0;
        for (let i = 0; i < n; i++) if (cd[i] !== 3.75 || dd[i] !== 5.25) bad++;
        expect(bad).toBe(0);
      });
    } finally {
      fresh.dispose();
    }
  }, 60_000);
});
