import { random, tree } from '@ssam/tensor';
import { asam, sam } from './sam.js';
import { ssamD } from './ssamD.js';
import { ssamF } from './ssamF.js';
import { sgd } from '../sgd.js';
import { runTransformationContract } from '../testing/index.js';
import type { GradientTransformation, Params } from '../types.js';

// The SAM family passes the same contract as every other transformation (see contract.prop.test.ts).
const halfMask = (p: Params) => {
  const n = tree.count(p);
  return tree.unflatten(tree.flatten(p)[1], tree.leaves(p).map((w, i) => random.bernoulli(random.key(i + n), 0.5, w.shape))) as Params;
};

const cases: [string, (p: Params) => GradientTransformation<any>, Parameters<typeof runTransformationContract>[2]?][] = [
  ['sam', () => sam({ rho: 0.05, base: sgd({ lr: 0.1, momentum: 0.5 }) })],
  ['sam (every 3 steps)', () => sam({ rho: 0.05, base: sgd({ lr: 0.1 }), every: 3 })],
  ['sam (static mask)', (p) => sam({ rho: 0.05, base: sgd({ lr: 0.1 }), mask: halfMask(p) })],
  ['asam (|w|, all parameters)', () => asam({ rho: 0.5, base: sgd({ lr: 0.1 }), scaling: 'all' })],
  ['asam (|w| + η, weights only)', () => asam({ rho: 0.5, base: sgd({ lr: 0.1 }) })],
  ['ssamF (unstructured)', () => ssamF({ rho: 0.05, base: sgd({ lr: 0.1 }), sparsity: 0.5, interval: 2, intervalUnit: 'step' })],
  ['ssamF (structured)', () => ssamF({ rho: 0.05, base: sgd({ lr: 0.1 }), sparsity: 0.5, pattern: 'structured', interval: 2, intervalUnit: 'step' })],
  ['ssamF (2:4)', () => ssamF({ rho: 0.05, base: sgd({ lr: 0.1 }), pattern: { n: 2, m: 4 }, interval: 2, intervalUnit: 'step' }), { problems: { dimMultiple: 4, maxDim: 2 } }],
  ['ssamF (reference timing)', () => ssamF({ rho: 0.05, base: sgd({ lr: 0.1 }), sparsity: 0.5, timing: 'reference', stepsPerEpoch: 2 })],
  ['sam (static mask, implicit form)', (p) => sam({ rho: 0.05, base: sgd({ lr: 0.1 }), mask: halfMask(p), form: 'implicit' })],
  ['ssamF (2:4, implicit form)', () => ssamF({ rho: 0.05, base: sgd({ lr: 0.1 }), pattern: { n: 2, m: 4 }, interval: 2, intervalUnit: 'step', form: 'implicit' }), { problems: { dimMultiple: 4, maxDim: 2 } }],
  ['ssamD', () => ssamD({ rho: 0.05, base: sgd({ lr: 0.1 }), sparsity: 0.5, totalEpochs: 100, interval: 2, intervalUnit: 'step' })],
];

for (const [name, make, opts] of cases) runTransformationContract(name, make, { numRuns: 6, ...opts });
