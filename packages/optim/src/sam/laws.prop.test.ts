import { topKMask } from '@ssam/masks';
import { random, tree, type Tensor } from '@ssam/tensor';
import { runSamLaws, type SamLawConfig } from '../testing/index.js';
import type { Params, Updates } from '../types.js';
import { asam, sam } from './sam.js';
import { ssamD } from './ssamD.js';
import { ssamF } from './ssamF.js';

// The SAM laws (see testing/samLaws.ts) for every member of the family, explicit and implicit
// forms: each is checked against the float64 reference of its definition.

runSamLaws('sam', (c) => sam({ rho: c.rho, base: c.base, ...(c.every ? { every: c.every } : {}) }), { every: true, exact: true });
runSamLaws('asam (|w|, all parameters)', (c) => asam({ rho: c.rho, base: c.base, scaling: 'all' }), { ascent: { eta: 0, only: 'all' } });
runSamLaws('asam (|w| + 0.01, weights only)', (c) => asam({ rho: c.rho, base: c.base }), { ascent: { eta: 0.01, only: 'weights' } });

// Explicit sparse SAM with a static mask: the global top-k of random scores.
let staticMask: Updates = null;
const withStaticMask = (form: 'explicit' | 'implicit') => (c: SamLawConfig, params: Params) => {
  const scores = tree.map((w: Tensor) => random.uniform(random.key(w.size), w.shape), params);
  staticMask = topKMask(scores, { sparsity: c.sparsity });
  return sam({ rho: c.rho, base: c.base, mask: staticMask, form });
};
runSamLaws('sam (static mask)', withStaticMask('explicit'), { sparse: { refresh: () => false }, maskUsed: () => staticMask, exact: true });
runSamLaws('sam (static mask, implicit form)', withStaticMask('implicit'), { sparse: { refresh: () => false }, maskUsed: () => staticMask, form: 'implicit' });

runSamLaws('ssamF (unstructured)', (c) => ssamF({ ...c, interval: 2, intervalUnit: 'step' }), { sparse: { refresh: (t) => t % 2 === 0 }, every: true, exact: true });
runSamLaws('ssamF (structured)', (c) => ssamF({ ...c, pattern: 'structured', interval: 1, intervalUnit: 'step' }), {
  // whole tensors, kept greedily until the budget ⌊N(1 − s)⌋ is reached: over it by less than one tensor
  sparse: { ones: (n, s, sizes) => [Math.floor(n * (1 - s)), Math.floor(n * (1 - s)) + Math.max(...sizes) - 1] },
});
const nm = { pattern: { n: 2, m: 4 } as const, problems: { dimMultiple: 4, maxDim: 2, nonConvexity: [0, 3] as const } };
runSamLaws('ssamF (2:4)', (c) => ssamF({ rho: c.rho, base: c.base, pattern: { n: 2, m: 4 }, interval: 1, intervalUnit: 'step' }), { sparse: { pattern: nm.pattern }, problems: nm.problems });
runSamLaws('ssamF (2:4, implicit form)', (c) => ssamF({ rho: c.rho, base: c.base, pattern: { n: 2, m: 4 }, interval: 3, intervalUnit: 'step', form: 'implicit' }), {
  sparse: { pattern: nm.pattern, refresh: (t) => t % 3 === 0 }, problems: nm.problems, form: 'implicit',
});
runSamLaws('ssamD', (c) => ssamD({ ...c, totalEpochs: 4, interval: 1, intervalUnit: 'step', key: random.key(7) }), {
  sparse: { ones: (n, s) => n - Math.ceil(n * s) }, every: true,
});
runSamLaws('ssamD (interval 2, |w| grow score)', (c) => ssamD({ ...c, totalEpochs: 4, interval: 2, intervalUnit: 'step', growScore: 'weight' }), {
  sparse: { ones: (n, s) => n - Math.ceil(n * s), refresh: (t) => t % 2 === 0 },
});
