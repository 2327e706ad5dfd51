import {
  avgPool2d, avgPool2dBackward, broadcastTo, cast, conv2d, conv2dBackFilter, conv2dBackInput, div, equal, gather, greater,
  log, matmul, maxPool2dBackward, mul, neg, reshape, scatterAdd, sign, slice, sub, sum, transpose, where, pow,
  type ConvAttrs, type PoolAttrs, type PrimAttrs, type PrimName, type Tensor,
} from '@ssam/tensor';
import { inversePerm, keptShape, maxPoolSelect, sliceAdjoint, unbroadcast } from './internal/adjoints.js';

/** What a rule sees of a recorded primitive application. */
export interface RuleNode<P extends PrimName> {
  readonly inputs: readonly Tensor[];
  readonly attrs: PrimAttrs[P];
  readonly out: Tensor;
}

/**
 * A VJP rule maps the output cotangent `g` to one cotangent per input (null: zero, or not needed).
 * `needs[i]` says whether input i is differentiated; rules skip the work for the others. A result
 * may keep the broadcast output shape: the driver sums it back to the input's shape, once, for all
 * rules. Rules use @ssam/tensor ops, so enclosing tapes record them (higher-order derivatives).
 */
export type VjpRule<P extends PrimName> = (g: Tensor, node: RuleNode<P>, needs: readonly boolean[]) => readonly (Tensor | null)[];

const convOpts = (a: ConvAttrs) => ({ stride: a.stride, padding: a.padding, dilation: a.dilation, groups: a.groups });
const poolOpts = (a: PoolAttrs) => ({ kernel: a.kernel, stride: a.stride, padding: a.padding, countIncludePad: a.countIncludePad });

/**
 * maximum(a, b) sends the cotangent to a where a > b and to b elsewhere (ties included), so the two
 * shares always add up to g: maximum(x, x) has derivative 1 and relu = maximum(x, 0) has
 * relu'(0) = 0, as in PyTorch. (JAX splits ties ½–½; that costs two more full-size ops per relu.)
 */
/** All the calculus of @ssam/tensor: one reverse-mode rule per primitive. */
export const vjpRules = {
  neg: (g) => [neg(g)],
  abs: (g, { inputs: [x] }) => [mul(g, sign(x!))],
  exp: (g, { out }) => [mul(g, out)],
  log: (g, { inputs: [x] }) => [div(g, x!)],
  sqrt: (g, { out }) => [div(g, mul(out, 2))],
  sign: () => [null],

  add: (g) => [g, g],
  // NOTE: a broadcast b is summed back first, so neg runs on b's shape, not on the full output.
  sub: (g, { inputs: [, b] }, [, nb]) => [g, nb ? neg(unbroadcast(g, b!.shape, 'sub')) : null],
  mul: (g, { inputs: [a, b] }, [na, nb]) => [na ? mul(g, b!) : null, nb ? mul(g, a!) : null],
  div: (g, { inputs: [, b], out }, [na, nb]) => [na ? div(g, b!) : null, nb ? neg(div(mul(g, out), b!)) : null],
  pow: (g, { inputs: [a, b], out }, [na, nb]) => [
    na ? mul(g, mul(b!, pow(a!, sub(b!, 1)))) : null,
    // NOTE: log(0) is replaced by 0 so that 0^b (b > 0) has a finite b-derivative, as in JAX.
    nb ? mul(g, mul(out, log(where(equal(a!, 0), 1, a!)))) : null,
  ],
  maximum: (g, { inputs: [a, b] }, [, nb]) => {
    const ga = mul(g, greater(a!, b!));
    return [ga, nb ? sub(g, ga) : null];
  },
  minimum: (g, { inputs: [a, b] }, [, nb]) => {
    const ga = mul(g, greater(b!, a!));
    return [ga, nb ? sub(g, ga) : null];
  },
  compare: () => [null, null],
  addcmul: (g, { inputs: [, a, b], attrs: { value } }, [nx, na, nb]) => {
    const scaled = (t: Tensor) => (value === 1 ? t : mul(t, value));
    return [nx ? g : null, na ? scaled(mul(g, b!)) : null, nb ? scaled(mul(g, a!)) : null];
  },
  where: (g, { inputs: [c] }, [, na, nb]) => [null, na ? where(c!, g, 0) : null, nb ? where(c!, 0, g) : null],

  sum: (g, { inputs: [x], attrs }) => [broadcastTo(reshape(g, keptShape(x!.shape, attrs.axes)), x!.shape)],
  // Ties share the cotangent equally (JAX's reduce_max rule).
  max: (g, { inputs: [x], attrs, out }) => {
    const kept = keptShape(x!.shape, attrs.axes);
    const hit = equal(x!, reshape(out, kept));
    const count = sum(hit, { axes: attrs.axes, keepdims: true });
    return [mul(div(reshape(g, kept), count), hit)];
  },

  reshape: (g, { inputs: [x] }) => [reshape(g, x!.shape)],
  broadcastTo: (g) => [g],
  transpose: (g, { attrs }) => [transpose(g, inversePerm(attrs.perm))],
  slice: (g, { inputs: [x], attrs }) => [sliceAdjoint(g, x!.shape, attrs)],
  pad: (g, { inputs: [x], attrs }) => [slice(g, attrs.pads.map(([b], i) => ({ start: b, stop: b + x!.shape[i]! })))],
  concat: (g, { inputs, attrs: { axis } }, needs) => {
    let offset = 0;
    return inputs.map((t, i) => {
      const d = t.shape[axis]!;
      const spec = t.shape.map((_, j) => (j === axis ? { start: offset, stop: offset + d } : undefined));
      offset += d;
      return needs[i] ? slice(g, spec) : null;
    });
  },
  gather: (g, { inputs: [x, idx], attrs: { axis } }) => [scatterAdd(g, idx!, axis, x!.shape[axis]!), null],
  scatterAdd: (g, { inputs: [, idx], attrs: { axis } }) => [gather(g, idx!, axis), null],
  cast: (g, { inputs: [x] }) => [cast(g, x!.dtype)],

  // C = op(A) · op(B) with op = identity or transpose; each case is the transposed product.
  matmul: (g, { inputs: [a, b], attrs: { transposeA: ta, transposeB: tb } }, [na, nb]) => [
    !na ? null : ta ? matmul(b!, g, { transposeA: tb, transposeB: true }) : matmul(g, b!, { transposeB: !tb }),
    !nb ? null : tb ? matmul(g, a!, { transposeA: true, transposeB: ta }) : matmul(a!, g, { transposeA: !ta }),
  ],
  conv2d: (g, { inputs: [x, w], attrs }, [nx, nw]) => [
    nx ? conv2dBackInput(g, w!, x!.shape, convOpts(attrs)) : null,
    nw ? conv2dBackFilter(x!, g, w!.shape, convOpts(attrs)) : null,
  ],
  // conv2dBackInput(dy, w) and conv2dBackFilter(x, dy) are bilinear: ⟨B(dy, w), v⟩ = ⟨conv2d(v, w), dy⟩.
  conv2dBackInput: (g, { inputs: [dy, w], attrs }, [ndy, nw]) => [
    ndy ? conv2d(g, w!, convOpts(attrs)) : null,
    nw ? conv2dBackFilter(g, dy!, w!.shape, convOpts(attrs)) : null,
  ],
  conv2dBackFilter: (g, { inputs: [x, dy], attrs }, [nx, ndy]) => [
    nx ? conv2dBackInput(dy!, g, x!.shape, convOpts(attrs)) : null,
    ndy ? conv2d(x!, g, convOpts(attrs)) : null,
  ],
  maxPool2d: (g, { inputs: [x], attrs }) => [maxPool2dBackward(g, x!, poolOpts(attrs))],
  // Linear in dy; the routing is locally constant in x.
  maxPool2dBackward: (g, { inputs: [, x], attrs }) => [maxPoolSelect(g, x!, attrs), null],
  avgPool2d: (g, { inputs: [x], attrs }) => [avgPool2dBackward(g, x!.shape, poolOpts(attrs))],
  avgPool2dBackward: (g, { attrs }) => [avgPool2d(g, poolOpts(attrs))],
} satisfies { [P in PrimName]: VjpRule<P> };
