// `pnpm --filter @ssam/masks bench`: mask selection at ResNet-18 size (11.2 M scores), and the
// Fisher cost on ResNet-20 when @ssam/models and @ssam/optim provide it. Writes the 'masks'
// section of docs/benchmarks.md. Run pinned: `taskset -c 0 node --import tsx bench/run.ts`.
import { random, tensor, tree, type Tensor, type Tree } from '@ssam/tensor';
import { machineLine, markdownTable, timeIt, writeSection } from '../../../tools/bench-report.ts';
// Per-module imports: the selection bench does not need @ssam/autograd (the Fisher part loads it lazily).
import { countOnes } from '../src/mask.ts';
import { topKMask } from '../src/topk.ts';
import { nmMask } from '../src/nm.ts';
import { structuredMask } from '../src/structured.ts';
import { dropAndGrow, randomMask } from '../src/dynamic.ts';
import { resnet18Shapes } from './shapes.ts';
import { fisherBench } from './fisher.ts';

/** Deterministic pseudo-random scores (xorshift32), fast enough to set up 11.2 M entries. */
function scoresLike(shapes: Record<string, number[]>, seed: number): Record<string, Tensor> {
  let x = seed >>> 0 || 1;
  const out: Record<string, Tensor> = {};
  for (const [k, s] of Object.entries(shapes)) {
    const n = s.reduce((a, b) => a * b, 1);
    const v = new Float32Array(n);
    for (let i = 0; i < n; i++) {
      x ^= x << 13;
      x ^= x >>> 17;
      x ^= x << 5;
      v[i] = (x >>> 0) / 4294967296;
    }
    out[k] = tensor(v, s);
  }
  return out;
}

const shapes = resnet18Shapes();
const scores = scoresLike(shapes, 1);
const other = scoresLike(shapes, 2);
const n = tree.size(scores);
const fmt = (ms: number) => (ms >= 1000 ? `${(ms / 1000).toFixed(2)} s` : `${ms.toFixed(0)} ms`);
const rows: (string | number)[][] = [];
const bench = (name: string, fn: () => void, reps = 5) => {
  const { median, samples } = timeIt(fn, { reps, warmup: 1 });
  rows.push([name, fmt(median), `${fmt(Math.min(...samples))} – ${fmt(Math.max(...samples))}`]);
  console.log(`${name}: ${fmt(median)}`);
};

let mask: Tree = null;
bench('topKMask global, s = 0.5', () => void (mask = topKMask(scores, { sparsity: 0.5 })));
if (countOnes(mask) !== Math.floor(n / 2)) throw new Error('topKMask bench: wrong count');
bench('topKMask per-tensor, s = 0.5', () => void topKMask(scores, { sparsity: 0.5, scope: 'per-tensor' }));
bench("nmMask 2:4, axis 'in' (conv1 excluded: cIn = 3)", () => void nmMask(scores, { n: 2, m: 4, axis: 'in', exclude: (p) => p.startsWith('conv1.') }));
bench("nmMask 2:4, axis 'out' (fc excluded: 10 classes)", () => void nmMask(scores, { n: 2, m: 4, axis: 'out', exclude: (p) => p === 'fc.w' }));
bench("structuredMask 'filter', s = 0.5", () => void structuredMask(scores, { sparsity: 0.5, granularity: 'filter' }));
bench('randomMask, s = 0.5 (incl. Threefry uniforms)', () => void randomMask(random.key(0), scores, { sparsity: 0.5 }), 3);
bench('dropAndGrow, dropRate 0.5 (given scores)', () => void dropAndGrow(mask, { dropScores: scores, growScores: other, dropRate: 0.5 }));
const flat = new Float32Array(n);
bench('for comparison: Float32Array.sort of the same scores', () => {
  let o = 0;
  for (const l of tree.leaves(scores)) flat.set(l.toArray() as Float32Array, o), (o += l.size);
  flat.sort();
}, 3);

const fisher = await fisherBench();
const body = [
  '## @ssam/masks',
  '',
  `Mask selection over ${n.toLocaleString('en-US')} scores (the CIFAR ResNet-18 parameter shapes), median of 5 runs after 1 warm-up (3 for the slow rows), end to end from score pytree to mask pytree (including copies in and out of tensors).`,
  `Command: \`cd packages/masks && taskset -c 0 node --import tsx bench/run.ts\`. Machine: ${machineLine()}.`,
  '',
  markdownTable(['operation', 'median', 'range'], rows),
  '',
  'Target: global top-k over 11.2 M scores ≤ 1 s (linear-time histogram threshold on the float bits, no sort).',
  '',
  '### Fisher scores',
  '',
  fisher,
].join('\n');
writeSection('masks', body);
console.log('\nwrote the masks section of docs/benchmarks.md');
