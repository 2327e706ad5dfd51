import { ArgumentError, tree } from '@ssam/tensor';
import type { GradientTransformation, OptState, Params, Updates } from './types.js';
import { checkSameLayout } from './internal/validate.js';

/**
 * The identity transformation: updates pass through, the state is empty.
 * @example
 * const [u] = identity().update(grads, identity().init(params)); // u === grads
 */
export function identity(): GradientTransformation<Record<string, never>> {
  return {
    init: () => ({}),
    update: (grads, state) => [grads, state],
  };
}

/**
 * Threads updates through transformations left to right; the state is the array of their states.
 * `extra` (gradFn, Fisher sampler, ...) is passed to every member.
 * @example
 * const opt = chain(addDecayedWeights(5e-4), scaleByMomentum({ momentum: 0.9 }), scaleByLearningRate(0.1));
 */
export function chain(...transforms: GradientTransformation<any>[]): GradientTransformation<OptState[]> {
  transforms.forEach((t, i) => {
    if (!t || typeof t.init !== 'function' || typeof t.update !== 'function')
      throw new ArgumentError('chain', `argument ${i} is not a GradientTransformation ({ init, update }); got ${String(t)}`);
  });
  // The implicit SAM form runs a step of its own before pass 1; a chain forwards it for its one member.
  const withImplicit = transforms.flatMap((t, i) => (t.implicit ? [i] : []));
  if (withImplicit.length > 1)
    throw new ArgumentError('chain', `members ${withImplicit.join(' and ')} both have an implicit form (each would want its own pass 1); chain at most one`);
  const at = withImplicit[0];
  const implicit: GradientTransformation<OptState[]>['implicit'] =
    at === undefined
      ? undefined
      : {
          prepare(state, params, extra) {
            const r = transforms[at]!.implicit!.prepare(state[at], params, extra);
            const next = [...state];
            next[at] = r.state;
            return { state: next, mask: r.mask };
          },
        };
  return {
    ...(implicit ? { implicit } : {}),
    init: (params) => transforms.map((t) => t.init(params)),
    update(grads, state, params, extra) {
      if (!Array.isArray(state) || state.length !== transforms.length)
        throw new ArgumentError('chain.update', `state must be the array of ${transforms.length} member states from init(params); got ${Array.isArray(state) ? `${state.length} states` : String(state)}`);
      let u = grads;
      const next: OptState[] = [];
      transforms.forEach((t, i) => {
        const [ui, si] = t.update(u, state[i], params, extra);
        u = ui;
        next.push(si);
      });
      return [u, next];
    },
  };
}

/**
 * `params + updates`, leaf by leaf (the learning-rate transform has already flipped the sign).
 * @example
 * params = applyUpdates(params, updates);
 */
export function applyUpdates(params: Params, updates: Updates): Params {
  // NOTE: exact layout, not only structure: a [1, 4] update for a [2, 4] param would broadcast.
  checkSameLayout('applyUpdates', 'updates', updates, 'params', params);
  return tree.add(params, updates);
}
