import { describe, it } from 'vitest';
import { withBackend, type Backend } from '../backend.js';
import { referenceBackend } from '../backends/reference/index.js';
import type { TypedArray } from '../dtype.js';
import { fmtShape } from '../errors.js';
import { tensor } from '../ops/creation.js';
import { PRIMITIVES, type PrimName } from '../primitives.js';
import type { Tensor } from '../tensor.js';
import { popTracer, pushTracer, type Tracer } from '../trace.js';
import { conformanceCases, type ConformanceCase } from './conformance-cases.js';

export { conformanceCases, seededTensor, type ConformanceCase, type SeededOptions } from './conformance-cases.js';

export interface ConformanceOptions {
  /** Relative tolerance against the reference result (default 1e-5). */
  readonly rtol?: number;
  /** Absolute tolerance, multiplied by each case's `tolScale` (default 1e-6). */
  readonly atol?: number;
  /** Primitives this backend does not implement natively yet (their tests are marked skipped). */
  readonly skip?: readonly PrimName[];
}

export interface CaseResult {
  readonly ok: boolean;
  /** Empty when ok; else what differs, naming the case, the element and both values. */
  readonly message: string;
  /** The primitives the backend applied while running the case. */
  readonly applied: readonly PrimName[];
}

const same = (a: number, b: number) => a === b || (a !== a && b !== b);

/** First difference between `got` and the reference `want`, or '' when they agree. */
export function compareTensors(got: Tensor, want: Tensor, rtol: number, atol: number): string {
  if (got.dtype !== want.dtype) return `dtype ${got.dtype}, reference ${want.dtype}`;
  if (got.shape.length !== want.shape.length || got.shape.some((d, i) => d !== want.shape[i]))
    return `shape ${fmtShape(got.shape)}, reference ${fmtShape(want.shape)}`;
  const g = got.toArray(), w = want.toArray();
  let worst = -1, worstErr = 0;
  for (let i = 0; i < w.length; i++) {
    const a = g[i]!, b = w[i]!;
    if (same(a, b)) continue;
    // NaN and ±∞ must match exactly; finite values within atol + rtol·|reference|.
    const err = !Number.isFinite(a) || !Number.isFinite(b) ? Infinity : Math.abs(a - b) - (atol + rtol * Math.abs(b));
    if (err > 0 && err > worstErr) [worst, worstErr] = [i, err];
  }
  return worst < 0 ? '' : `element ${worst} of ${fmtShape(want.shape)} is ${g[worst]}, reference ${w[worst]} (rtol ${rtol}, atol ${atol})`;
}

const changed = (before: TypedArray, t: Tensor): boolean => {
  const now = t.storage.read();
  if (now.length !== before.length) return true;
  for (let i = 0; i < now.length; i++) if (!same(now[i]!, before[i]!)) return true;
  return false;
};

/**
 * Runs one case on `backend` and on the reference backend and compares the results. Also checks
 * that the backend applied the case's primitive and left every input unchanged.
 */
export function checkCase(backend: Backend, c: ConformanceCase, opts: ConformanceOptions = {}): CaseResult {
  const rtol = opts.rtol ?? 1e-5;
  const atol = (opts.atol ?? 1e-6) * c.tolScale;
  const inputs = c.inputs();
  const before = inputs.map((t) => t.toArray());
  const applied: PrimName[] = [];
  const tracer: Tracer = { record: (prim) => void applied.push(prim) };
  pushTracer(tracer);
  let got: Tensor;
  try {
    got = withBackend(backend, () => c.run(inputs));
  } finally {
    popTracer(tracer);
  }
  const fail = (why: string): CaseResult => ({ ok: false, message: `${c.name} on ${backend.name}: ${why}`, applied });
  if (!applied.includes(c.prim)) return fail(`the op never applied ${c.prim} (applied: ${applied.join(', ') || 'nothing'})`);
  const touched = inputs.findIndex((t, i) => changed(before[i]!, t));
  if (touched >= 0) return fail(`input ${touched} ${fmtShape(inputs[touched]!.shape)} was modified`);
  const want = withBackend(referenceBackend, () => c.run(inputs));
  const diff = compareTensors(got, want, rtol, atol);
  if (diff) return fail(diff);
  if (c.expected) {
    const exact = compareTensors(got, tensor([...c.expected], got.shape, { dtype: got.dtype }), rtol, atol);
    if (exact) return fail(exact.replace('reference', 'IEEE'));
  }
  return { ok: true, message: '', applied };
}

/**
 * The backend conformance suite: call it at the top level of a vitest file. For every primitive
 * it runs random and edge-case inputs through `backend` and the reference backend and compares.
 * @example
 * // wasm.conformance.test.ts
 * import { runConformance } from '@ssam/tensor/testing';
 * runConformance(wasmBackend, { rtol: 1e-5, skip: ['conv2dBackFilter'] });
 */
export function runConformance(backend: Backend, opts: ConformanceOptions = {}): void {
  const skip = new Set(opts.skip ?? []);
  describe(`conformance of the ${backend.name} backend against reference`, () => {
    for (const prim of PRIMITIVES) {
      describe(prim, () => {
        const cases = conformanceCases.filter((c) => c.prim === prim);
        if (cases.length === 0)
          it('has conformance cases', () => {
            throw new Error(`no conformance case exercises ${prim}`);
          });
        for (const c of cases)
          it.skipIf(skip.has(prim))(c.name, () => {
            const r = checkCase(backend, c, opts);
            if (!r.ok) throw new Error(r.message);
          });
      });
    }
  });
}
