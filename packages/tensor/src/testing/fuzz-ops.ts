import fc from 'fast-check';
import * as T from '../index.js';

// The fuzz table of api.fuzz.test.ts: every public function with an arbitrary for its arguments.
// Each argument is plausible (the right kind, small) four times in five and hostile otherwise, so
// that calls get past the first check often enough to reach the later ones.

/** Sizes an op must refuse (≥ 2³¹ elements), never sizes that are valid and merely huge. */
const HUGE = [2 ** 31, 2 ** 32, 2 ** 53, 1e15, 1e300];
const hostileNumber = fc.constantFrom(NaN, Infinity, -Infinity, -1, -0, 0.5, 2.5, -2.5, 3e38, -3e38, -(2 ** 31), ...HUGE, -1e15);
const junk = fc.constantFrom<unknown>(
  null, undefined, 'float64', 'same', '', true, 1n, {}, [], [[]], () => 1, new Float64Array(2), [NaN], [-1], [2.5], [2 ** 32], [1, null], { axes: null },
);

const F32_SPECIAL = [0, -0, 1, -1, NaN, Infinity, -Infinity, 3e38, -3e38, 1e-45, 0.5];
const I32_SPECIAL = [0, 1, -1, 2 ** 31 - 1, -(2 ** 31), 7];

/** Small tensors (rank ≤ 4, at most 3 per axis) of either dtype with special values mixed in. */
export const tensorArb: fc.Arbitrary<T.Tensor> = fc
  .tuple(fc.array(fc.integer({ min: 0, max: 3 }), { maxLength: 4 }), fc.constantFrom('float32', 'int32' as const))
  .chain(([shape, dtype]) => {
    const n = shape.reduce((a, b) => a * b, 1);
    const value =
      dtype === 'float32'
        ? fc.oneof(fc.constantFrom(...F32_SPECIAL), fc.float({ noNaN: false }), fc.integer({ min: -3, max: 3 }))
        : fc.oneof(fc.constantFrom(...I32_SPECIAL), fc.integer({ min: -(2 ** 31), max: 2 ** 31 - 1 }), fc.integer({ min: -3, max: 3 }));
    return fc.array(value, { minLength: n, maxLength: n }).map((v) =>
      T.tensor(dtype === 'int32' ? Int32Array.from(v) : Float32Array.from(v), shape, { dtype }),
    );
  });

const hostile: fc.Arbitrary<unknown> = fc.oneof(hostileNumber, junk, tensorArb);
/** Plausible four times in five, hostile otherwise. */
const maybe = <A>(arb: fc.Arbitrary<A>): fc.Arbitrary<unknown> => fc.oneof({ weight: 4, arbitrary: arb }, { weight: 1, arbitrary: hostile });
/** An options object whose every field may be hostile (fields may also be absent). */
const opts = (fields: Record<string, fc.Arbitrary<unknown>>) =>
  fc.record(Object.fromEntries(Object.entries(fields).map(([k, a]) => [k, maybe(a)])), { requiredKeys: [] });

const num = fc.oneof(fc.integer({ min: -4, max: 4 }), fc.double({ min: -10, max: 10, noNaN: true }));
const axis = fc.integer({ min: -5, max: 4 });
const axes = fc.oneof(fc.constant(undefined), axis, fc.array(axis, { maxLength: 3 }));
const reduceOpts = opts({ axes, keepdims: fc.boolean() });
const shape = fc.array(fc.integer({ min: 0, max: 4 }), { maxLength: 4 });
const dtype = fc.constantFrom('float32', 'int32');
const smallInt = fc.integer({ min: -3, max: 6 });
const tensorLike = fc.oneof(tensorArb, num);
const pair = fc.oneof(fc.integer({ min: 1, max: 3 }), fc.tuple(fc.integer({ min: 1, max: 3 }), fc.integer({ min: 1, max: 3 })));
const padding = fc.oneof(
  fc.constantFrom('same', 'valid'), fc.integer({ min: 0, max: 2 }), fc.tuple(fc.nat(2), fc.nat(2)),
  fc.tuple(fc.tuple(fc.nat(2), fc.nat(2)), fc.tuple(fc.nat(2), fc.nat(2))),
);
const convOpts = opts({ stride: pair, padding, dilation: pair, groups: fc.integer({ min: 1, max: 2 }) });
const poolOpts = fc.record({ kernel: maybe(pair), stride: maybe(pair), padding: maybe(padding), countIncludePad: maybe(fc.boolean()) }, { requiredKeys: ['kernel'] });
const key = fc.integer({ min: 0, max: 1000 }).map((s) => T.random.key(s));
const pads = fc.array(fc.tuple(fc.nat(3), fc.nat(3)), { maxLength: 4 });
const specs = fc.array(
  fc.oneof(fc.constant(undefined), fc.integer({ min: -4, max: 4 }), opts({ start: fc.integer({ min: -5, max: 5 }), stop: fc.integer({ min: -5, max: 5 }), step: fc.integer({ min: -3, max: 3 }) })),
  { maxLength: 4 },
);
const indices = fc.array(fc.integer({ min: -1, max: 4 }), { maxLength: 4 }).map((v) => T.tensor(Int32Array.from(v), [v.length]));
/** NCHW images and OIHW filters with matching channels, so that convolutions often go through. */
const nchw = fc.tuple(fc.integer({ min: 0, max: 2 }), fc.integer({ min: 1, max: 2 }), fc.integer({ min: 1, max: 5 }), fc.integer({ min: 1, max: 5 }));
const image = nchw.map((s) => T.random.normal(T.random.key(s[2] * 7 + s[3]), s));
const conv = fc.tuple(nchw, fc.integer({ min: 1, max: 3 }), fc.integer({ min: 0, max: 3 }), fc.integer({ min: 1, max: 3 })).map(([xs, o, kh, kw]) => ({
  x: T.random.normal(T.random.key(1), xs),
  w: T.random.normal(T.random.key(2), [o, xs[1], kh, kw]),
}));

export interface FuzzOp {
  /** What the user called, and what an error must name. */
  readonly name: string;
  /** Tells apart two entries of one op. */
  readonly label?: string;
  readonly args: fc.Arbitrary<readonly unknown[]>;
  readonly call: (args: readonly unknown[]) => unknown;
}

type AnyFn = (...a: never[]) => unknown;
const ops: FuzzOp[] = [];
function op(name: string, fn: AnyFn, ...args: fc.Arbitrary<unknown>[]): void {
  ops.push({ name, args: fc.tuple(...args.map(maybe)), call: (a) => (fn as (...x: unknown[]) => unknown)(...a) });
}

// creation
op('tensor', T.tensor, fc.oneof(fc.array(num, { maxLength: 4 }), fc.array(fc.array(num, { maxLength: 2 }), { maxLength: 2 }), num), fc.oneof(fc.constant(undefined), shape), opts({ dtype }));
op('scalar', T.scalar, num, dtype);
op('full', T.full, shape, num, dtype);
op('zeros', T.zeros, shape, dtype);
op('ones', T.ones, shape, dtype);
op('zerosLike', T.zerosLike, tensorArb);
op('onesLike', T.onesLike, tensorArb);
op('arange', T.arange, num, fc.oneof(fc.constant(undefined), num), fc.oneof(fc.constant(undefined), num), dtype);
op('linspace', T.linspace, num, num, smallInt);
op('eye', T.eye, smallInt, fc.oneof(fc.constant(undefined), smallInt), dtype);
op('asTensor', T.asTensor, tensorLike, fc.oneof(fc.constant(undefined), tensorArb));
// elementwise
for (const n of ['neg', 'abs', 'sign', 'exp', 'log', 'sqrt'] as const) op(n, T[n], tensorArb);
for (const n of ['add', 'sub', 'mul', 'div', 'pow', 'maximum', 'minimum', 'equal', 'notEqual', 'less', 'lessEqual', 'greater', 'greaterEqual'] as const)
  op(n, T[n], tensorLike, tensorLike);
op('where', T.where, tensorArb, tensorLike, tensorLike);
op('addcmul', T.addcmul, tensorLike, tensorLike, tensorLike, fc.oneof(fc.constant(undefined), num));
// reductions
for (const n of ['sum', 'max', 'min', 'mean', 'variance'] as const) op(n, T[n], tensorArb, reduceOpts);
op('argmax', T.argmax, tensorArb, fc.oneof(fc.constant(undefined), axis));
op('argmin', T.argmin, tensorArb, fc.oneof(fc.constant(undefined), axis));
// movement
op('reshape', T.reshape, tensorArb, fc.array(fc.integer({ min: -1, max: 4 }), { maxLength: 4 }));
op('flatten', T.flatten, tensorArb, fc.oneof(fc.constant(undefined), axis));
op('expandDims', T.expandDims, tensorArb, axis);
op('squeeze', T.squeeze, tensorArb, axes);
op('broadcastTo', T.broadcastTo, tensorArb, shape);
op('transpose', T.transpose, tensorArb, fc.oneof(fc.constant(undefined), fc.array(axis, { maxLength: 4 })));
op('slice', T.slice, tensorArb, specs);
op('pad', T.pad, tensorArb, pads, fc.oneof(fc.constant(undefined), num));
op('concat', T.concat, fc.array(tensorArb, { maxLength: 3 }), fc.oneof(fc.constant(undefined), axis));
op('stack', T.stack, fc.array(tensorArb, { maxLength: 3 }), fc.oneof(fc.constant(undefined), axis));
op('gather', T.gather, tensorArb, indices, fc.oneof(fc.constant(undefined), axis));
op('scatterAdd', T.scatterAdd, tensorArb, indices, axis, smallInt);
/** updates whose axis-0 length matches the indices, so that the size argument is what is tested */
ops.push({
  name: 'scatterAdd',
  label: 'matching updates, hostile size',
  args: fc.tuple(indices, maybe(smallInt), fc.constantFrom('float32', 'int32' as const)),
  call: ([idx, size, dt]) => {
    const i = idx as T.Tensor;
    return T.scatterAdd(T.ones([i.size, 2], dt as T.DType), i, 0, size as never);
  },
});
op('cast', T.cast, tensorArb, dtype);
// linear algebra and convolutions
/** float32 operands whose inner dimensions agree (possibly batched, empty or rank 1). */
const mmPair = fc
  .tuple(fc.nat(3), fc.nat(3), fc.nat(3), fc.constantFrom([], [2], [1, 2]), fc.boolean(), fc.boolean())
  .map(([m, k, n, batch, vecA, vecB]) => [
    T.random.normal(T.random.key(m), vecA ? [k] : [...batch, m, k]),
    T.random.normal(T.random.key(n), vecB ? [k] : [k, n]),
  ]);
ops.push({
  name: 'matmul',
  args: fc.tuple(fc.oneof(mmPair, fc.tuple(tensorArb, tensorArb)), maybe(opts({ transposeA: fc.boolean(), transposeB: fc.boolean() })), maybe(fc.constant(0))),
  call: ([ab, o, hostileA]) => {
    const [a, b] = ab as [unknown, unknown];
    return T.matmul((hostileA === 0 ? a : hostileA) as never, b as never, o as never);
  },
});
op('vdot', T.vdot, tensorArb, tensorArb);
ops.push({
  name: 'conv2d',
  args: fc.tuple(conv, maybe(convOpts), maybe(tensorArb), fc.boolean()),
  call: ([c, o, t, useT]) => T.conv2d(useT ? (t as T.Tensor) : (c as { x: T.Tensor }).x, (c as { w: T.Tensor }).w, o as never),
});
ops.push({
  name: 'conv2dBackInput',
  args: fc.tuple(conv, maybe(convOpts), maybe(shape)),
  call: ([c, o, s]) => {
    const { x, w } = c as { x: T.Tensor; w: T.Tensor };
    let dy: T.Tensor;
    try {
      dy = T.conv2d(x, w, o as never);
    } catch {
      dy = x;
    }
    return T.conv2dBackInput(dy, w, (Array.isArray(s) && s.length !== 4 ? x.shape : s) as never, o as never);
  },
});
ops.push({
  name: 'conv2dBackFilter',
  args: fc.tuple(conv, maybe(convOpts), maybe(shape)),
  call: ([c, o, s]) => {
    const { x, w } = c as { x: T.Tensor; w: T.Tensor };
    let dy: T.Tensor;
    try {
      dy = T.conv2d(x, w, o as never);
    } catch {
      dy = x;
    }
    return T.conv2dBackFilter(x, dy, (Array.isArray(s) && s.length !== 4 ? w.shape : s) as never, o as never);
  },
});
op('maxPool2d', T.maxPool2d, image, poolOpts);
op('avgPool2d', T.avgPool2d, image, poolOpts);
ops.push({
  name: 'maxPool2dBackward',
  args: fc.tuple(image, poolOpts, maybe(tensorArb)),
  call: ([x, o, t]) => {
    let dy: unknown = t;
    try {
      dy = T.maxPool2d(x as T.Tensor, o as never);
    } catch {
      /* keep the hostile dy */
    }
    return T.maxPool2dBackward(dy as never, x as never, o as never);
  },
});
ops.push({
  name: 'avgPool2dBackward',
  args: fc.tuple(image, poolOpts, maybe(shape)),
  call: ([x, o, s]) => {
    let dy: unknown = x;
    try {
      dy = T.avgPool2d(x as T.Tensor, o as never);
    } catch {
      /* keep x as a wrong dy */
    }
    return T.avgPool2dBackward(dy as never, (Array.isArray(s) && s.length !== 4 ? (x as T.Tensor).shape : s) as never, o as never);
  },
});
// composites
for (const n of ['square', 'relu', 'sigmoid', 'tanh', 'gelu'] as const) op(n, T[n], tensorArb);
op('leakyRelu', T.leakyRelu, tensorArb, fc.oneof(fc.constant(undefined), num));
op('logSumExp', T.logSumExp, tensorArb, reduceOpts);
op('logSoftmax', T.logSoftmax, tensorArb, fc.oneof(fc.constant(undefined), axis));
op('softmax', T.softmax, tensorArb, fc.oneof(fc.constant(undefined), axis));
op('oneHot', T.oneHot, tensorArb, smallInt);
op('clip', T.clip, tensorArb, tensorLike, tensorLike);
op('norm', T.norm, tensorArb, reduceOpts);
// random
const R = T.random;
op('random.key', R.key, fc.oneof(fc.integer(), fc.bigInt({ min: -(1n << 70n), max: 1n << 70n })));
op('random.keyFromWords', R.keyFromWords, fc.nat(), fc.nat());
op('random.split', R.split, key, fc.oneof(fc.constant(undefined), smallInt));
op('random.foldIn', R.foldIn, key, fc.integer());
op('random.bits', R.bits, key, smallInt);
op('random.uniform', R.uniform, key, shape, opts({ min: num, max: num }));
op('random.normal', R.normal, key, shape, opts({ mean: num, std: num }));
op('random.truncatedNormal', R.truncatedNormal, key, shape, opts({ mean: num, std: num, lower: num, upper: num }));
op('random.bernoulli', R.bernoulli, key, fc.oneof(fc.double({ min: 0, max: 1 }), tensorArb), fc.oneof(fc.constant(undefined), shape));
op('random.randint', R.randint, key, shape, smallInt, smallInt);
op('random.permutation', R.permutation, key, smallInt);

export const FUZZ_OPS: readonly FuzzOp[] = ops;
