import { gelu as geluT, relu as reluT, sigmoid as sigmoidT, tanh as tanhT, type Tensor } from '@ssam/tensor';
import { EMPTY, type Empty, type Layer } from '../layer.js';
import { oneShape, oneTensor } from '../internal/check.js';

/**
 * A parameterless layer applying `fn` to its tensor; the output has the input's shape.
 * @example const softplus = elementwise('softplus', (x) => log(add(exp(x), 1)));
 */
export function elementwise(name: string, fn: (x: Tensor) => Tensor): Layer<Empty, Empty> {
  return {
    init: (_key, inShape) => [oneShape(name, inShape), EMPTY, EMPTY],
    apply: (_p, _s, x) => [fn(oneTensor(name, x)), EMPTY],
  };
}

/** max(x, 0). Any shape → the same shape. */
export const relu: Layer<Empty, Empty> = elementwise('relu', reluT);
/** GELU, tanh approximation (PyTorch `approximate='tanh'`). Any shape → the same shape. */
export const gelu: Layer<Empty, Empty> = elementwise('gelu', geluT);
/** tanh(x). Any shape → the same shape. */
export const tanh: Layer<Empty, Empty> = elementwise('tanh', tanhT);
/** 1 / (1 + e^(−x)). Any shape → the same shape. */
export const sigmoid: Layer<Empty, Empty> = elementwise('sigmoid', sigmoidT);

/** y = x; shapes and tuples pass through. Useful as an explicit shortcut. */
export const identity: Layer<Empty, Empty> = {
  init: (_key, inShape) => [inShape, EMPTY, EMPTY],
  apply: (_p, _s, x) => [x, EMPTY],
};
