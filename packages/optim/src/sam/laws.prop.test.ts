import { topKMask } from '@ssam/masks';
import { random, tree, type Tensor } from '@ssam/tensor';
import { runSamLaws } from '../testing/index.js';
import type { Params, Updates } from '../types.js';
import { sam } from './sam.js';
import { ssamD } from './ssamD.js';
import { ssamF } from './ssamF.js';

// The SAM laws (ρ = 0 → base; ‖ε‖ ≤ ρ; s = 0 → SAM; s = 1 → base with g' = g; masked-out entries
// never perturbed) on random smooth non-convex problems, for every member of the family.

runSamLaws('sam', (c) => sam({ rho: c.rho, base: c.base }));

// Explicit sparse SAM with a static mask: the global top-k of random scores.
let staticMask: Updates = null;
runSamLaws(
  'sam (static mask)',
  (c, params: Params) => {
    const scores = tree.map((w: Tensor) => random.uniform(random.key(w.size), w.shape), params);
    staticMask = topKMask(scores, { sparsity: c.sparsity });
    return sam({ rho: c.rho, base: c.base, mask: staticMask });
  },
  { sparse: true, maskUsed: () => staticMask },
);

runSamLaws('ssamF (unstructured)', (c) => ssamF({ ...c, interval: 2, intervalUnit: 'step' }), { sparse: true });
runSamLaws('ssamF (structured)', (c) => ssamF({ ...c, pattern: 'structured', interval: 1, intervalUnit: 'step' }), { sparse: true });
runSamLaws('ssamD', (c) => ssamD({ ...c, totalEpochs: 4, interval: 1, intervalUnit: 'step', key: random.key(7) }), { sparse: true });
