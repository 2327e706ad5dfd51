import { epochBatches } from '@ssam/data';
import { random, type Key } from '@ssam/tensor';
import type { PreparedRun } from '../train/prepare.js';
import { makeStep } from '../train/step.js';

/** Steps, and seconds, each optimizer's warm-up may take at most (whichever comes first). */
export const WARMUP = { steps: 40, seconds: 1.5 } as const;

/**
 * Runs a few untimed steps of every optimizer before the comparison starts, and throws them away.
 * Without it the first run of the process pays for JIT-compiling the shared training code: on the
 * tiny budget SGD, which runs first, took 5 ms a step in its first quarter and 1.7 ms in its last,
 * so it looked as slow as SAM. The steps are pure functions of their inputs (state, batch, key), so
 * the runs that follow are exactly what they would have been.
 */
export function warmUp(runs: readonly PreparedRun[]): void {
  for (const run of runs) {
    const c = run.config;
    const step = makeStep({
      model: run.model, optimizer: run.optimizer, perturbs: c.optimizer !== 'sgd', labelSmoothing: c.labelSmoothing,
      fisherPool: run.data.train, fisherTransform: run.data.testTransform, fisherChunk: 16, compile: c.compile,
    });
    const t0 = performance.now();
    let state = run.initial;
    let n = 0;
    for (const b of epochBatches(run.data.train, { batchSize: c.batchSize, key: run.keys.data, epoch: 0, ...(run.data.trainAugment ? { augment: run.data.trainAugment } : {}) })) {
      const r = step(state, b, random.foldIn(run.keys.step, n) as Key);
      if (!r.ok) break; // a diverging optimizer warms up no further; its run will say so
      state = r.state;
      if (++n >= WARMUP.steps || performance.now() - t0 > WARMUP.seconds * 1000) break;
    }
  }
}
