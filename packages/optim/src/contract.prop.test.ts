import { tree, type Tensor } from '@ssam/tensor';
import { scaleByAdam } from './adam.js';
import { adam, adamw } from './adamw.js';
import { clipByGlobalNorm } from './clip.js';
import { chain, identity } from './combine.js';
import { addDecayedWeights } from './decay.js';
import { masked } from './masked.js';
import { scaleByMomentum } from './momentum.js';
import { scale, scaleByLearningRate, scaleBySchedule } from './scale.js';
import { warmupCosineSchedule } from './schedules.js';
import { sgd } from './sgd.js';
import { runTransformationContract } from './testing/index.js';
import type { GradientTransformation, Params } from './types.js';

// Every exported transformation passes the same contract. The building blocks that are not
// descent methods on their own are chained with a learning rate, as a user would use them.
const lr = (t: GradientTransformation<any>, rate = 0.1) => chain(t, scaleByLearningRate(rate));

const cases: [string, (p: Params) => GradientTransformation<any>, Parameters<typeof runTransformationContract>[2]?][] = [
  ['identity', () => lr(identity())],
  ['scale', () => lr(scale(0.5), 0.2)],
  ['scaleBySchedule', () => lr(scaleBySchedule((t) => 1 / (1 + t / 100)))],
  ['scaleByLearningRate (number)', () => scaleByLearningRate(0.1)],
  ['scaleByLearningRate (schedule)', () => scaleByLearningRate(warmupCosineSchedule({ peak: 0.3, warmupSteps: 10, totalSteps: 300, end: 0.05 }))],
  ['scaleByMomentum', () => lr(scaleByMomentum({ momentum: 0.9 }), 0.05)],
  ['scaleByMomentum (Nesterov)', () => lr(scaleByMomentum({ momentum: 0.9, nesterov: true }), 0.05)],
  ['addDecayedWeights', () => lr(addDecayedWeights(1e-4))],
  ['scaleByAdam', () => lr(scaleByAdam(), 0.05), { tolerance: 2e-2 }],
  ['clipByGlobalNorm', () => lr(clipByGlobalNorm(1), 0.3)],
  ['masked', () => lr(masked(scale(2), (p) => tree.map((w: Tensor) => w.rank >= 2, p)), 0.1)],
  ['chain', () => chain(clipByGlobalNorm(10), scaleByMomentum({ momentum: 0.5 }), scaleByLearningRate(0.1))],
  ['sgd', () => sgd({ lr: 0.1 })],
  ['sgd (momentum, Nesterov, weight decay)', () => sgd({ lr: 0.05, momentum: 0.9, nesterov: true, weightDecay: 1e-5 })],
  ['adam', () => adam({ lr: 0.05 }), { tolerance: 2e-2 }],
  ['adamw', () => adamw({ lr: 0.05, weightDecay: 1e-5 }), { tolerance: 2e-2 }],
];

for (const [name, make, opts] of cases) runTransformationContract(name, make, { numRuns: 6, ...opts });
