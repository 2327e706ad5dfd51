// Tiny networks for the exact-Hessian tests: small enough that n Hessian-vector products with the
// unit vectors (the dense Hessian) take a second, large enough to have a real spectrum.
import * as nn from '@ssam/models';
import { random, slice as sliceT, tensor, type Key, type Tensor } from '@ssam/tensor';

const slice = (t: Tensor, a: number, b: number) => sliceT(t, [{ start: a, stop: b }]);
import type { Problem } from './problem.js';

function labels(n: number, classes: number, key: Key) {
  return tensor(Int32Array.from(random.randint(key, [n], 0, classes).toArray()), [n], { dtype: 'int32' });
}

/** MLP 6 → 12 → 4 (tanh): 6·12 + 12 + 12·4 + 4 = 136 parameters, 24 examples in 2 batches. */
export function tinyMlp(seed = 0): Problem {
  const [k0, k1, k2] = random.split(random.key(seed), 3) as [Key, Key, Key];
  const model = nn.mlp([12, 4], { activation: nn.tanh });
  const [, params, modelState] = model.init(k0, [-1, 6]);
  const x = random.normal(k1, [24, 6]);
  const y = labels(24, 4, k2);
  return { model, params, modelState, batches: [{ x: slice(x, 0, 16), y: slice(y, 0, 16) }, { x: slice(x, 16, 24), y: slice(y, 16, 24) }] };
}

/**
 * Conv 3×3 → 3 channels (no bias), BatchNorm, ReLU, flatten, dense → 3: 27 + 6 + 3·4·4·3 + 3 =
 * 180 parameters on [1, 6, 6] inputs, BatchNorm running statistics away from (0, 1).
 */
export function tinyConv(seed = 0): Problem {
  const [k0, k1, k2] = random.split(random.key(seed), 3) as [Key, Key, Key];
  const model = nn.serial({ conv: nn.conv2d(3, 3, { bias: false }), bn: nn.batchNorm(), act: nn.relu, flatten: nn.flatten, fc: nn.dense(3) });
  const [, params, state0] = model.init(k0, [-1, 1, 6, 6]);
  const x = random.normal(k1, [12, 1, 6, 6]);
  // One training-mode pass moves the running statistics, so eval mode is not the identity.
  const [, modelState] = model.apply(params, state0, x, { train: true });
  return { model, params, modelState, batches: [{ x, y: labels(12, 3, k2) }] };
}
