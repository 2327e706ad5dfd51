import type { GradientTransformation, Params, UpdateExtra, Updates } from '../types.js';

/**
 * One `update` as a training loop makes it: a transformation with an implicit form
 * (`opt.implicit`) first refreshes its mask with `implicit.prepare`, and `update` is told so
 * (`prepared: true`). On the suite's problems there are no matmul/conv2d layers for a mask to act
 * on, so the gradient the caller passes is pass 1's in both forms.
 */
export function protocolUpdate<S>(opt: GradientTransformation<S>, grads: Updates, state: S, params: Params, extra: UpdateExtra = {}): [Updates, S] {
  if (!opt.implicit) return opt.update(grads, state, params, extra);
  const prep = opt.implicit.prepare(state, params, extra);
  return opt.update(grads, prep.state, params, { ...extra, prepared: true });
}

