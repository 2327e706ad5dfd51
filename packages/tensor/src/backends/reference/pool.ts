import type { PrimAttrs } from '../../primitives.js';
import type { Tensor } from '../../tensor.js';

// PLACEHOLDER: implemented by the conv/pool work.
export function maxPool2d(_inputs: readonly Tensor[], _attrs: PrimAttrs['maxPool2d']): Tensor {
  throw new Error('maxPool2d: reference kernel not implemented yet');
}
export function maxPool2dBackward(_inputs: readonly Tensor[], _attrs: PrimAttrs['maxPool2dBackward']): Tensor {
  throw new Error('maxPool2dBackward: reference kernel not implemented yet');
}
export function avgPool2d(_inputs: readonly Tensor[], _attrs: PrimAttrs['avgPool2d']): Tensor {
  throw new Error('avgPool2d: reference kernel not implemented yet');
}
export function avgPool2dBackward(_inputs: readonly Tensor[], _attrs: PrimAttrs['avgPool2dBackward']): Tensor {
  throw new Error('avgPool2dBackward: reference kernel not implemented yet');
}
