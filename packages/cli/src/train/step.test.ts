import * as nn from '@ssam/models';
import { sgd } from '@ssam/optim';
import { random, tensor, withBackend, type Tree } from '@ssam/tensor';
import { describe, expect, it } from 'vitest';
import { chooseBackend } from '../setup/backend.js';
import { makeStep } from './step.js';

// `--compile` must reach makeTrainStep: the e2e tests see compiled and eager runs agree bit for
// bit, which an option that never arrived would pass too. A model that draws from the step's key
// tells them apart: compiled, its first step refuses the draw; eager, it trains.
describe('makeStep', () => {
  it('compile: true compiles the pass (a dropout draw is refused), compile: false runs it eagerly', async () => {
    const chosen = await chooseBackend('wasm', 1);
    try {
      withBackend(chosen.backend, () => {
        const model = nn.serial({ fc1: nn.dense(8), drop: nn.dropout(0.5), fc2: nn.dense(3) });
        const [, params, modelState] = model.init(random.key(0), [-1, 4]);
        const optimizer = sgd({ lr: 0.1 });
        const state = { params: params as Tree, modelState: modelState as Tree, optState: optimizer.init(params as Tree) as Tree<unknown> };
        const batch = { x: tensor(new Float32Array(24).map((_, i) => Math.sin(i)), [6, 4]), y: tensor(new Int32Array([0, 1, 2, 0, 1, 2]), [6]) };
        const step = (compile: boolean) =>
          makeStep({ model, optimizer, perturbs: false, labelSmoothing: 0, fisherPool: undefined as never, fisherTransform: undefined, fisherChunk: 16, compile })(state, batch, random.key(1));
        expect(step(false).ok).toBe(true);
        expect(() => step(true)).toThrow(/random|draw/i);
      });
    } finally {
      chosen.dispose();
    }
  });
});
