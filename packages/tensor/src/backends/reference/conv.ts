import type { PrimAttrs } from '../../primitives.js';
import type { Tensor } from '../../tensor.js';

// PLACEHOLDER: implemented by the conv/pool work (im2col on the shared gemm).
export function conv2d(_inputs: readonly Tensor[], _attrs: PrimAttrs['conv2d']): Tensor {
  throw new Error('conv2d: reference kernel not implemented yet');
}
export function conv2dBackInput(_inputs: readonly Tensor[], _attrs: PrimAttrs['conv2dBackInput']): Tensor {
  throw new Error('conv2dBackInput: reference kernel not implemented yet');
}
export function conv2dBackFilter(_inputs: readonly Tensor[], _attrs: PrimAttrs['conv2dBackFilter']): Tensor {
  throw new Error('conv2dBackFilter: reference kernel not implemented yet');
}
