import { ShapeError, add, matmul, random, type Tensor } from '@ssam/tensor';
import { fansOf, makeParam, torchBias, torchWeight, type Initializer } from '../init.js';
import { EMPTY, type Empty, type Layer } from '../layer.js';
import { oneShape, oneTensor, positiveInt } from '../internal/check.js';

export interface DenseOptions {
  /** Add a bias (default true). */
  readonly bias?: boolean;
  /** Weight initialiser (default PyTorch's Linear init, U(±1/√in)). */
  readonly wInit?: Initializer;
  /** Bias initialiser (default PyTorch's, U(±1/√in)). */
  readonly bInit?: Initializer;
}

export type DenseParams = { readonly w: Tensor; readonly b?: Tensor };

/**
 * Fully connected layer y = x·wᵀ + b, with PyTorch's weight layout.
 * - input `[..., in]` (usually `[N, in]`), output `[..., out]`
 * - params `{ w: [out, in], b: [out] }` (`b` absent with `bias: false`)
 * @example dense(10) // [-1, 512] → [-1, 10]
 */
export function dense(out: number, opts: DenseOptions = {}): Layer<DenseParams, Empty> {
  positiveInt('dense', 'out', out);
  const bias = opts.bias ?? true;
  const wInit = opts.wInit ?? torchWeight, bInit = opts.bInit ?? torchBias;
  return {
    init(key, inShape) {
      const s = oneShape('dense', inShape);
      if (s.length < 1) throw new ShapeError('dense', 'expects input of rank >= 1 ([..., in]), got a scalar shape');
      const inF = s[s.length - 1]!;
      const [kw, kb] = random.split(key, 2) as [typeof key, typeof key];
      const wShape = [out, inF];
      const fans = fansOf(wShape);
      const w = makeParam(wInit, kw, wShape, fans);
      const params: DenseParams = bias ? { w, b: makeParam(bInit, kb, [out], fans) } : { w };
      return [[...s.slice(0, -1), out], params, EMPTY];
    },
    apply(params, _state, x) {
      const t = oneTensor('dense', x);
      const y = matmul(t, params.w, { transposeB: true });
      return [params.b ? add(y, params.b) : y, EMPTY];
    },
  };
}
