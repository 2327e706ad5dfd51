import fc from 'fast-check';
import { afterAll, describe, it } from 'vitest';
import { withBackend, type Backend } from './backend.js';
import { createWasmBackend } from './backends/wasm/backend.js';
import { envVar } from './backends/wasm/node.js';
import { referenceBackend } from './backends/reference/index.js';
import * as T from './index.js';
import { FUZZ_OPS, type FuzzOp } from './testing/fuzz-ops.js';

// The public API under hostile arguments (NaN, ±∞, negative, fractional, huge, null, wrong types
// and dtypes): every call returns a well-formed result or throws an SsamError whose message starts
// with the op the user called. Never a raw TypeError/RangeError, a wasm trap, a hang or a tensor
// whose shape, size, dtype and buffer disagree. Seed fixed (SSAM_FUZZ_SEED overrides it); fast-check
// prints the seed and the shrunk counterexample of a failure.
const SEED = Number(envVar('SSAM_FUZZ_SEED') ?? 20_2026);
const RUNS = Number(envVar('SSAM_FUZZ_RUNS') ?? 150);
/** A call that takes this long on tiny inputs has a hang-like bug (a huge size that got through). */
const SLOW_MS = 2000;

/** Why `v` is not a well-formed result, or '' when it is. */
function malformed(v: unknown, depth = 0): string {
  if (v instanceof T.Tensor) {
    const { shape, size, dtype } = v;
    if (!Array.isArray(shape) || !Object.isFrozen(shape)) return 'shape is not a frozen array';
    if (!shape.every((d) => Number.isInteger(d) && d >= 0 && d <= 0x7fff_ffff)) return `shape [${shape.join(', ')}] holds a non-size`;
    if (size !== shape.reduce((a, b) => a * b, 1)) return `size ${size} is not the product of [${shape.join(', ')}]`;
    if (dtype !== 'float32' && dtype !== 'int32') return `dtype ${String(dtype)}`;
    const data = v.storage.read();
    if (!(dtype === 'int32' ? data instanceof Int32Array : data instanceof Float32Array)) return `a ${data.constructor.name} holds a ${dtype} tensor`;
    if (data.length !== size) return `${data.length} elements for size ${size}`;
    return '';
  }
  if (Array.isArray(v) && depth < 3) return v.map((e) => malformed(e, depth + 1)).find((m) => m !== '') ?? '';
  return '';
}

/** '' when calling `op` with `args` behaved, else what went wrong. */
function verdict(op: FuzzOp, args: readonly unknown[]): string {
  const t0 = performance.now();
  let out: unknown;
  try {
    out = op.call(args);
  } catch (e) {
    if (!(e instanceof T.SsamError)) return `threw a raw ${e instanceof Error ? `${e.constructor.name}: ${e.message}` : String(e)}`;
    if (!e.message.startsWith(`${op.name}: `) || e.op !== op.name) return `threw an error that does not name ${op.name}: ${e.message}`;
    return '';
  } finally {
    const ms = performance.now() - t0;
    if (ms > SLOW_MS) return `took ${Math.round(ms)} ms`;
  }
  const bad = malformed(out);
  return bad === '' ? '' : `returned a malformed tensor: ${bad}`;
}

// The reproducers of the test pass that found these bugs (issue 20, item 9): each ended in a raw
// TypeError/RangeError, a malformed tensor or an error naming an internal op.
const k = T.random.key(0);
const x23 = T.tensor([[1, 2, 3], [4, 5, 6]]);
const idx = T.tensor([0, 1], [2], { dtype: 'int32' });
const REPRODUCERS: readonly (readonly [string, string, () => unknown])[] = [
  ['sum', 'sum(x23, { axes: null })', () => T.sum(x23, { axes: null as never })],
  ['zeros', 'zeros([2 ** 16, 2 ** 16])', () => T.zeros([2 ** 16, 2 ** 16])],
  ['tensor', 'tensor([1], [2 ** 32, 0, 1])', () => T.tensor([1], [2 ** 32, 0, 1])],
  ['random.randint', 'random.randint(k, [2, 1e15, 3], 0, 10)', () => T.random.randint(k, [2, 1e15, 3], 0, 10)],
  ['slice', 'slice(x23, [{ start: NaN }])', () => T.slice(x23, [{ start: NaN }])],
  ['slice', 'slice(x23, [undefined, { stop: 1.5 }])', () => T.slice(x23, [undefined, { stop: 1.5 }])],
  ['arange', 'arange(0, NaN)', () => T.arange(0, NaN)],
  ['scatterAdd', 'scatterAdd(ones([2]), idx, 0, NaN)', () => T.scatterAdd(T.ones([2]), idx, 0, NaN)],
  ['scatterAdd', 'scatterAdd(ones([2]), idx, 0, -1)', () => T.scatterAdd(T.ones([2]), idx, 0, -1)],
  ['scatterAdd', 'scatterAdd(ones([2]), idx, 0, 2.5)', () => T.scatterAdd(T.ones([2]), idx, 0, 2.5)],
  ['full', 'full([2], 1, \'float64\')', () => T.full([2], 1, 'float64' as never)],
  ['conv2d', 'conv2d(ones([1, 1, 4, 4]), ones([1, 1, 0, 1]))', () => T.conv2d(T.ones([1, 1, 4, 4]), T.ones([1, 1, 0, 1]))],
  ['softmax', 'softmax(x23, 5)', () => T.softmax(x23, 5)],
  ['logSoftmax', 'logSoftmax(x23, 5)', () => T.logSoftmax(x23, 5)],
  ['mean', 'mean(x23, { axes: [0, 0] })', () => T.mean(x23, { axes: [0, 0] })],
  ['add', 'add(ones([2 ** 16, 1]), ones([1, 2 ** 16]))', () => T.add(T.ones([2 ** 16, 1]), T.ones([1, 2 ** 16]))],
];

describe('the reproducers of issue 20 give an SsamError naming the op', () => {
  for (const [name, label, call] of REPRODUCERS)
    it(label, () => {
      let err: unknown;
      try {
        call();
      } catch (e) {
        err = e;
      }
      if (!(err instanceof T.SsamError)) throw new Error(`expected an SsamError, got ${err instanceof Error ? `${err.constructor.name}: ${err.message}` : String(err)}`);
      if (!err.message.startsWith(`${name}: `)) throw new Error(`the message does not name ${name}: ${err.message}`);
    });
});

const wasm = createWasmBackend({ threads: 1, minElements: 0, minParallelWork: 0 });
afterAll(() => wasm.dispose());

for (const backend of [referenceBackend, wasm] as Backend[]) {
  describe(`fuzzing the public API on the ${backend.name} backend (seed ${SEED})`, () => {
    it('has an entry for every exported function', () => {
      const covered = new Set(FUZZ_OPS.map((o) => o.name));
      const skipped = new Set(['withBackend', 'currentBackend', 'apply', 'convOutSize', 'broadcastShapes', 'sizeOf', 'stridesOf', 'convWindow', 'matmulDims', 'operandBatchIndices', 'referenceBackend', 'isTensor', 'Tensor', 'ShapeError', 'DTypeError', 'ArgumentError', 'SsamError', 'Key', 'tree', 'random', 'PRIMITIVES', 'UNARY_SNIPPETS', 'BINARY_SNIPPETS', 'COMPARE_SNIPPETS',
        // a function transformer, not an op: src/compile has its own suites
        'compile']);
      const fns = [
        ...Object.entries(T).filter(([k, v]) => typeof v === 'function' && !skipped.has(k)).map(([k]) => k),
        ...Object.entries(T.random).filter(([k, v]) => typeof v === 'function' && k !== 'Key').map(([k]) => `random.${k}`),
      ];
      const missing = fns.filter((f) => !covered.has(f));
      if (missing.length > 0) throw new Error(`no fuzz entry for ${missing.join(', ')}`);
    });

    for (const op of FUZZ_OPS)
      it(op.label ? `${op.name} (${op.label})` : op.name, () => {
        fc.assert(
          fc.property(op.args, (args) => {
            const why = withBackend(backend, () => verdict(op, args));
            if (why !== '') throw new Error(`${op.name} on ${backend.name}: ${why}`);
          }),
          { seed: SEED, numRuns: RUNS },
        );
      });
  });
}
