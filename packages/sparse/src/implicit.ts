import { ShapeError, add, conv2d, conv2dBackFilter, matmul, reshape, sum, type Conv2dOptions, type Tensor } from '@ssam/tensor';
import { customVjp } from '@ssam/autograd';
import { compressNM, type CompressOptions, type NMCompressed } from './compress.js';
import { nmMatmulT } from './kernels.js';
import { nmConv2dBackInput } from './conv.js';
import { nmConv2dBackInputWasm, nmMatmulTWasm, wasmAvailable } from './wasm.js';

/*
 * Implicit sparse perturbation (Mi et al., "Systematic Investigation of Sparse Perturbed
 * Sharpness-Aware Minimization Optimizer", TPAMI 2025): in SSAM's first pass a masked layer
 *   y = W a (+ b)             forward exact (dense W),
 *   ∂L/∂W = δ aᵀ              weight gradient dense,
 *   ∂L/∂a = (W ⊙ M)ᵀ δ        input gradient through the N:M-masked weight (the sparse kernel).
 * Layers above the first masked layer see exact gradients; only what flows below is sparsified.
 */

export type LayerParams = { readonly w: Tensor; readonly b?: Tensor };

export interface ImplicitOptions extends CompressOptions {
  /**
   * Default true. false: x is a constant (the data going into the first layer), so the input
   * gradient is not computed at all. If x is differentiated together with the weights, customVjp
   * refuses it (x would be a closure value of the custom rule).
   */
  readonly inputGrad?: boolean;
  /**
   * Input-gradient kernel: 'wasm' (SIMD, float32 sums; the default when dist/ssam-sparse.wasm
   * loads) or 'ts' (plain TypeScript, float64 sums: bit-equal to the reference backend).
   */
  readonly kernel?: 'wasm' | 'ts';
}

const useWasm = (o: ImplicitOptions): boolean => (o.kernel ?? (wasmAvailable() ? 'wasm' : 'ts')) === 'wasm';

type Args = { x?: Tensor; w: Tensor; b?: Tensor };

const fmt = (s: readonly number[]): string => `[${s.join(', ')}]`;

/**
 * A dense layer y = x · wᵀ + b (w [out, in], x [..., in]) whose backward sends the input
 * gradient through w ⊙ mask, computed by `nmMatmulT` on the compressed weight.
 * @example maskedDenseApply({ w, b }, x, mask, { n: 2, m: 4, axis: 'out' })
 */
export function maskedDenseApply(params: LayerParams, x: Tensor, mask: Tensor, opts: ImplicitOptions): Tensor {
  const { w, b } = params;
  if (w.rank !== 2 || x.rank < 1 || x.shape[x.rank - 1] !== w.shape[1])
    throw new ShapeError('maskedDenseApply', `needs w [out, in] and x [..., in]; got w ${fmt(w.shape)} and x ${fmt(x.shape)}`);
  const inputGrad = opts.inputGrad ?? true;
  const wasm = useWasm(opts);
  const out = w.shape[0]!, inF = w.shape[1]!;
  const forward = (a: Args): Tensor => {
    const y = matmul(a.x ?? x, a.w, { transposeB: true });
    return a.b ? add(y, a.b) : y;
  };
  const f = customVjp<Args, Tensor, { a: Args; c: NMCompressed | null }>(
    forward,
    (a) => [forward(a), { a, c: inputGrad ? compressNM(a.w, mask, opts) : null }],
    ({ a, c }, g) => {
      const xs = a.x ?? x;
      const rows = g.size / out;
      const g2 = reshape(g, [rows, out]);
      const grads: Args = { w: matmul(g2, reshape(xs, [rows, inF]), { transposeA: true }) };
      if (a.b) grads.b = sum(g2, { axes: [0] });
      if (c) grads.x = wasm ? nmMatmulTWasm(g, c) : nmMatmulT(g, c);
      return grads;
    },
  );
  const args: Args = { w };
  if (inputGrad) args.x = x;
  if (b) args.b = b;
  return f(args);
}

/**
 * A conv2d layer (NCHW x, OIHW w, bias [O]) whose backward sends the input gradient through
 * w ⊙ mask, computed by `nmConv2dBackInput` on the compressed filter (any groups).
 * @example maskedConvApply({ w }, x, mask, { n: 2, m: 4, axis: 'in' }, { padding: 1 })
 */
export function maskedConvApply(params: LayerParams, x: Tensor, mask: Tensor, opts: ImplicitOptions, conv: Conv2dOptions = {}): Tensor {
  const { w, b } = params;
  const inputGrad = opts.inputGrad ?? true;
  const wasm = useWasm(opts);
  const o = w.shape[0]!;
  const forward = (a: Args): Tensor => {
    const y = conv2d(a.x ?? x, a.w, conv);
    return a.b ? add(y, reshape(a.b, [1, o, 1, 1])) : y;
  };
  const f = customVjp<Args, Tensor, { a: Args; c: NMCompressed | null }>(
    forward,
    (a) => [forward(a), { a, c: inputGrad ? compressNM(a.w, mask, opts) : null }],
    ({ a, c }, g) => {
      const xs = a.x ?? x;
      const grads: Args = { w: conv2dBackFilter(xs, g, a.w.shape, conv) };
      if (a.b) grads.b = sum(g, { axes: [0, 2, 3] });
      if (c) grads.x = wasm ? nmConv2dBackInputWasm(g, c, xs.shape, conv) : nmConv2dBackInput(g, c, xs.shape, conv);
      return grads;
    },
  );
  const args: Args = { w };
  if (inputGrad) args.x = x;
  if (b) args.b = b;
  return f(args);
}
