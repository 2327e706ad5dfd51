import { readFileSync } from 'node:fs';
import { afterAll, describe, expect, it } from 'vitest';
import { apply, withBackend } from '../../backend.js';
import { referenceBackend } from '../reference/index.js';
import { compile } from '../../compile/compile.js';
import { ELEMENTWISE, PRIMITIVES, type CompareOp, type PrimAttrs } from '../../primitives.js';
import { fromHost, type Tensor } from '../../tensor.js';
import { createWasmBackend } from './backend.js';
import { BINARY_OPS, COMPARE_OPS, OP_TABLE_DIGEST, REDUCE_OPS, UNARY_OPS, assemblySource, checkOpTable } from './opcodes.js';
import { runtimeOf } from './runtimes.js';

// The op codes of src/backends/wasm/opcodes.ts are the only ones: assembly/opcodes.ts is generated
// from them, the module carries their digest, and every code, run through the real kernels (single
// and fused), computes the primitive the table names, as the reference backend defines it.

const wasm = createWasmBackend({ threads: 1 });
afterAll(() => wasm.dispose());
const N = 128; // >= the wasm backend's minElements, so the wasm kernels (not the reference) run
const SPECIAL = [0, -0, 1, -1, 0.5, -2.5, 3, 1e-3, 88, -88, NaN, Infinity, -Infinity];
const vec = (seed: number): Tensor =>
  fromHost(Float32Array.from({ length: N }, (_, i) => (i < SPECIAL.length ? SPECIAL[(i + seed) % SPECIAL.length]! : Math.sin(i * 12.9898 + seed) * 4)), [N], 'float32');
const x = vec(0), y = vec(5);
const shape = { shape: [N] };

/** Same bits (rel = 0, NaN equal to NaN) or within rel of the reference (exp, log: Mathf, < 1 ulp). */
function expectClose(actual: Tensor, expected: Tensor, rel: number, what: string): void {
  const a = actual.toArray() as Float32Array, e = expected.toArray() as Float32Array;
  for (let i = 0; i < e.length; i++) {
    const ok = Number.isNaN(e[i]!) ? Number.isNaN(a[i]!) : Object.is(a[i], e[i]) || (rel > 0 && Math.abs(a[i]! - e[i]!) <= rel * Math.abs(e[i]!));
    if (!ok) expect.fail(`${what}: element ${i} is ${a[i]}, the reference gives ${e[i]}`);
  }
}
const onBoth = (f: () => Tensor): [Tensor, Tensor] => [withBackend(wasm, f), withBackend(referenceBackend, f)];

describe('wasm op codes: one table, checked end to end', () => {
  it('assembly/opcodes.ts is the text generated from the table, and the loaded module carries its digest', () => {
    expect(readFileSync(new URL('../../../assembly/opcodes.ts', import.meta.url), 'utf8')).toBe(assemblySource());
    expect(runtimeOf(wasm)!.exports.opTableDigest()).toBe(OP_TABLE_DIGEST);
  });

  it('the loader refuses a module built from another table', () => {
    expect(() => checkOpTable({ opTableDigest: () => OP_TABLE_DIGEST ^ 1 })).toThrow(/other op codes/);
    expect(() => checkOpTable({} as never)).toThrow(/other op codes/);
    expect(() => checkOpTable({ opTableDigest: () => OP_TABLE_DIGEST })).not.toThrow();
  });

  it('every float32 elementwise primitive is in the table or is one of the named exceptions', () => {
    const tabled = new Set<string>([...Object.keys(UNARY_OPS), ...Object.keys(BINARY_OPS), 'compare', 'where', 'addcmul']);
    // pow: no wasm kernel (the reference's Math.pow is the semantics)
    expect(PRIMITIVES.filter((p) => ELEMENTWISE.has(p) && !tabled.has(p))).toEqual(['pow']);
  });

  for (const p of Object.keys(UNARY_OPS) as (keyof typeof UNARY_OPS)[]) {
    const rel = p === 'exp' || p === 'log' ? 2 ** -23 : 0;
    it(`unary code ${UNARY_OPS[p]} is ${p}, alone and fused`, () => {
      expectClose(...onBoth(() => apply(p, [x], {})), rel, `${p}`);
      const chain = compile((a: Tensor) => apply(p, [apply('mul', [a, a], shape)], {}));
      expectClose(withBackend(wasm, () => chain(x)), withBackend(referenceBackend, () => apply(p, [apply('mul', [x, x], shape)], {})), rel, `fused ${p}`);
      expect(chain.plans()[0]!.fusedAway).toBe(1);
    });
  }

  const binaries: [string, number, (a: Tensor, b: Tensor) => Tensor][] = [
    ...(Object.keys(BINARY_OPS) as (keyof typeof BINARY_OPS)[]).map((p) => [p, BINARY_OPS[p], (a: Tensor, b: Tensor) => apply(p, [a, b], shape)] as [string, number, (a: Tensor, b: Tensor) => Tensor]),
    ...(Object.keys(COMPARE_OPS) as CompareOp[]).map(
      (op) => [`compare ${op}`, COMPARE_OPS[op], (a: Tensor, b: Tensor) => apply('compare', [a, b], { ...shape, op } satisfies PrimAttrs['compare'])] as [string, number, (a: Tensor, b: Tensor) => Tensor],
    ),
  ];
  for (const [name, code, f] of binaries) {
    it(`binary code ${code} is ${name}, alone and fused`, () => {
      expectClose(...onBoth(() => f(x, y)), 0, name);
      const g = (a: Tensor, b: Tensor) => f(apply('sub', [a, b], shape), b);
      const chain = compile(g);
      expectClose(withBackend(wasm, () => chain(x, y)), withBackend(referenceBackend, () => g(x, y)), 0, `fused ${name}`);
      expect(chain.plans()[0]!.fusedAway).toBe(1);
    });
  }

  it('the fused kinds select and addcmul compute where and addcmul', () => {
    const g = (a: Tensor, b: Tensor) => apply('addcmul', [apply('where', [apply('compare', [a, b], { ...shape, op: 'gt' }), a, b], shape), a, b], { ...shape, value: 0.5 });
    const chain = compile(g);
    expectClose(withBackend(wasm, () => chain(x, y)), withBackend(referenceBackend, () => g(x, y)), 0, 'where + addcmul');
    expect(chain.plans()[0]!.fusedAway).toBe(2);
  });

  for (const p of Object.keys(REDUCE_OPS) as (keyof typeof REDUCE_OPS)[]) {
    it(`reduce code ${REDUCE_OPS[p]} is ${p}`, () => {
      const m = fromHost(Float32Array.from({ length: 4 * N }, (_, i) => Math.cos(i * 0.37) * 3), [N, 4], 'float32');
      expectClose(...onBoth(() => apply(p, [m], { axes: [0], keepdims: false })), 0, p);
    });
  }
});
