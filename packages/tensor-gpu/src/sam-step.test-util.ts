import { valueAndGrad } from '@ssam/autograd';
import { softmaxCrossEntropy, type Layer, type Params } from '@ssam/models';
import { applyUpdates, sam, sgd, type OptState } from '@ssam/optim';
import { tree, type Tensor, type Tree } from '@ssam/tensor';

export interface SamStepResult {
  readonly params: Params;
  readonly state: Tree<unknown>;
  readonly optState: OptState;
  readonly loss: number;
  readonly gradNorm: number;
  /** How often the optimizer asked for the gradient at the perturbed point (1 on a SAM step). */
  readonly gradFnCalls: number;
}

/**
 * One SAM(SGD) training step written out with the public APIs (valueAndGrad, the optimizer's
 * gradFn, applyUpdates): the clean pass, the perturbed pass inside `update`, the parameter update.
 * Used by the tests and the bench, on whatever backend is current.
 */
export function samStep(model: Layer, opt = sam({ rho: 0.05, base: sgd({ lr: 0.1, momentum: 0.9 }) })) {
  const lossOf = (x: Tensor, y: Tensor, state: Tree<unknown>) => (p: Params) => {
    const [logits, next] = model.apply(p, state, x, { train: true });
    return [softmaxCrossEntropy(logits as Tensor, y), next] as const;
  };
  return {
    init: (params: Params) => opt.init(params),
    step(params: Params, state: Tree<unknown>, optState: OptState, x: Tensor, y: Tensor): SamStepResult {
      const f = lossOf(x, y, state);
      const [[loss, next], grads] = valueAndGrad(f, { hasAux: true })(params);
      let gradFnCalls = 0;
      const gradFn = (w: Params) => {
        gradFnCalls++;
        return valueAndGrad((p: Params) => f(p)[0])(w)[1];
      };
      const [updates, nextOpt] = opt.update(grads, optState, params, { gradFn });
      return { params: applyUpdates(params, updates), state: next, optState: nextOpt, loss: loss.item(), gradNorm: tree.norm(grads).item(), gradFnCalls };
    },
  };
}
