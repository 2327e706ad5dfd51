import { apply } from '../backend.js';
import { DTypeError, ShapeError, asOp, fmtShape } from '../errors.js';
import { broadcastShapes, checkOutSize } from '../shape.js';
import { needBool, needOptions, needTensor } from './args.js';
import type { Tensor } from '../tensor.js';
import { reshape } from './movement.js';

export interface MatmulOptions {
  readonly transposeA?: boolean;
  readonly transposeB?: boolean;
}

/**
 * Matrix product with NumPy semantics: rank-1 operands are promoted (and the added axis removed),
 * leading dimensions broadcast as batch dimensions; either operand may be used transposed.
 * @example matmul(x, w, { transposeB: true }) // x [32, 784] · wᵀ with w [128, 784] → [32, 128]
 */
export function matmul(a: Tensor, b: Tensor, opts: MatmulOptions = {}): Tensor {
  needTensor('matmul', 'a', a);
  needTensor('matmul', 'b', b);
  needOptions('matmul', opts);
  needBool('matmul', 'transposeA', opts.transposeA);
  needBool('matmul', 'transposeB', opts.transposeB);
  const ta = opts.transposeA ?? false, tb = opts.transposeB ?? false;
  if (a.dtype !== 'float32' || b.dtype !== 'float32')
    throw new DTypeError('matmul', `operands must be float32, got a ${a.dtype} and b ${b.dtype}; cast them first`);
  if (a.rank === 0 || b.rank === 0) throw new ShapeError('matmul', `operands must have rank >= 1, got a ${fmtShape(a.shape)} and b ${fmtShape(b.shape)}; use mul for scalars`);
  const a2 = a.rank === 1 ? reshape(a, [1, a.shape[0]!]) : a;
  const b2 = b.rank === 1 ? reshape(b, [b.shape[0]!, 1]) : b;
  const ka = ta && a.rank > 1 ? a2.shape[a2.rank - 2]! : a2.shape[a2.rank - 1]!;
  const kb = tb && b.rank > 1 ? b2.shape[b2.rank - 1]! : b2.shape[b2.rank - 2]!;
  if (ka !== kb) {
    const hint =
      !tb && b.rank > 1 && b2.shape[b2.rank - 1] === ka ? '; did you mean b transposed (transposeB: true)?' :
      !ta && a.rank > 1 && a2.shape[a2.rank - 2] === kb ? '; did you mean a transposed (transposeA: true)?' : '';
    throw new ShapeError('matmul', `inner dimensions differ: a is ${fmtShape(a.shape)}${ta ? 'ᵀ' : ''}, b is ${fmtShape(b.shape)}${tb ? 'ᵀ' : ''} (${ka} vs ${kb})${hint}`);
  }
  const batch = broadcastShapes('matmul', a2.shape.slice(0, -2), b2.shape.slice(0, -2));
  const m = ta && a.rank > 1 ? a2.shape[a2.rank - 1]! : a2.shape[a2.rank - 2]!;
  const n = tb && b.rank > 1 ? b2.shape[b2.rank - 2]! : b2.shape[b2.rank - 1]!;
  checkOutSize('matmul', [...batch, m, n]);
  const out = apply('matmul', [a2, b2], { transposeA: ta && a.rank > 1, transposeB: tb && b.rank > 1 });
  if (a.rank === 1 && b.rank === 1) return reshape(out, []);
  if (a.rank === 1) return reshape(out, [...out.shape.slice(0, -2), out.shape[out.rank - 1]!]);
  if (b.rank === 1) return reshape(out, out.shape.slice(0, -1));
  return out;
}

/** Inner product of two tensors of the same shape, summed over all elements (a rank-0 tensor). */
export function vdot(a: Tensor, b: Tensor): Tensor {
  needTensor('vdot', 'a', a);
  needTensor('vdot', 'b', b);
  if (a.size !== b.size) throw new ShapeError('vdot', `a ${fmtShape(a.shape)} and b ${fmtShape(b.shape)} differ in size`);
  return asOp('vdot', () => matmul(reshape(a, [a.size]), reshape(b, [b.size])));
}
