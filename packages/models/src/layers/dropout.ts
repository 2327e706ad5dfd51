import { ArgumentError, div, mul, random } from '@ssam/tensor';
import { EMPTY, type Empty, type Layer } from '../layer.js';
import { oneShape, oneTensor } from '../internal/check.js';

/**
 * Inverted dropout: in training, zeroes each element with probability `rate` and scales the rest
 * by 1/(1 − rate); in evaluation, the identity. The mask comes only from `ctx.key`, so the same
 * key drops the same elements.
 * - any shape → the same shape
 * - training with `rate > 0` and no `ctx.key` is an error
 * @example model.apply(params, state, x, { train: true, key: random.foldIn(key, step) })
 */
export function dropout(rate: number): Layer<Empty, Empty> {
  if (!(rate >= 0 && rate < 1)) throw new ArgumentError('dropout', `rate must be in [0, 1), got ${rate}`);
  return {
    init: (_key, inShape) => [oneShape('dropout', inShape), EMPTY, EMPTY],
    apply(_p, _s, x, ctx) {
      const t = oneTensor('dropout', x);
      if (!ctx.train || rate === 0) return [t, EMPTY];
      if (ctx.key === undefined)
        throw new ArgumentError('dropout', 'training mode needs a PRNG key: call apply(params, state, x, { train: true, key }) with a fresh key per step (random.foldIn(key, step))');
      const keep = random.bernoulli(ctx.key, 1 - rate, t.shape);
      return [div(mul(t, keep), 1 - rate), EMPTY];
    },
  };
}
