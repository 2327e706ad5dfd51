import { ShapeError, reshape } from '@ssam/tensor';
import { EMPTY, type Empty, type Layer } from '../layer.js';
import { oneShape, oneTensor } from '../internal/check.js';

/**
 * Keeps the batch axis and flattens the rest: `[N, d₁, …, dₖ]` → `[N, d₁·…·dₖ]`.
 * @example serial({ features, flat: flatten, fc: dense(10) })
 */
export const flatten: Layer<Empty, Empty> = {
  init(_key, inShape) {
    const s = oneShape('flatten', inShape);
    if (s.length < 1) throw new ShapeError('flatten', 'expects input of rank >= 1 with the batch axis first');
    return [[s[0]!, s.slice(1).reduce((a, b) => a * b, 1)], EMPTY, EMPTY];
  },
  apply(_p, _s, x) {
    const t = oneTensor('flatten', x);
    return [reshape(t, [t.shape[0]!, t.size / Math.max(1, t.shape[0]!)]), EMPTY];
  },
};
