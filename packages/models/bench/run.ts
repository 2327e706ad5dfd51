// `pnpm bench` for @ssam/models: time of a ResNet-20 / small-CNN training step (forward, loss,
// backward through valueAndGrad) and an eval forward on the default backend, the epoch time that
// follows, and init costs. Run pinned: `taskset -c 0 node --conditions=source --import tsx bench/run.ts`.
import { currentBackend, random, type Tensor } from '@ssam/tensor';
import { valueAndGrad } from '@ssam/autograd';
import { evalShape, resnet20, resnet18Cifar, smallCnn, softmaxCrossEntropy, wideResNet, type Layer, type Params } from '../src/index.js';
import { machineLine, markdownTable, timeIt, writeSection } from '../../../tools/bench-report.js';

// Batch 32 keeps the run to a few minutes on the reference kernels; BENCH_BATCH=128 for the paper's batch.
const BATCH = Number(process.env.BENCH_BATCH ?? 32);
const STEPS_PER_EPOCH = Math.ceil(50_000 / BATCH);
const fmt = (ms: number) =>
  ms >= 3_600_000 ? `${(ms / 3_600_000).toFixed(1)} h` : ms >= 60_000 ? `${(ms / 60_000).toFixed(1)} min` : ms >= 1000 ? `${(ms / 1000).toFixed(2)} s` : `${ms.toFixed(1)} ms`;
const rows: (string | number)[][] = [];

function measure(label: string, fn: () => void, reps: number, epoch = false): number {
  const { median, samples } = timeIt(fn, { reps, warmup: 1 });
  rows.push([label, fmt(median), `${fmt(Math.min(...samples))} – ${fmt(Math.max(...samples))}`, epoch ? fmt(median * STEPS_PER_EPOCH) : '']);
  console.log(label, fmt(median));
  return median;
}

function trainStep(model: Layer, shape: number[]): () => void {
  const [, params, state] = model.init(random.key(0), shape);
  const x = random.normal(random.key(1), shape);
  const y = random.randint(random.key(2), [shape[0]!], 0, 10);
  const loss = (p: Params) => {
    const [logits, s] = model.apply(p, state, x, { train: true });
    return [softmaxCrossEntropy(logits as Tensor, y), s] as const;
  };
  const step = valueAndGrad(loss, { hasAux: true });
  return () => void step(params);
}

function evalPass(model: Layer, shape: number[]): () => void {
  const [, params, state] = model.init(random.key(0), shape);
  const x = random.normal(random.key(1), shape);
  return () => void model.apply(params, state, x, { train: false });
}

const cifar = [BATCH, 3, 32, 32];
const r20Step = measure(`ResNet-20 train step, batch ${BATCH} (forward + loss + backward)`, trainStep(resnet20(), cifar), 2, true);
measure(`ResNet-20 eval forward, batch ${BATCH}`, evalPass(resnet20(), cifar), 2);
measure(`small CNN train step, batch ${BATCH}`, trainStep(smallCnn(), cifar), 5, true);
measure('init ResNet-20 (sampled)', () => void resnet20().init(random.key(0), [-1, 3, 32, 32]), 5);
measure('init ResNet-18 CIFAR (sampled, 11.2M)', () => void resnet18Cifar().init(random.key(0), [-1, 3, 32, 32]), 3);
measure('init WRN-28-10 (sampled, 36.5M)', () => void wideResNet({ depth: 28, width: 10 }).init(random.key(0), [-1, 3, 32, 32]), 3);
measure('evalShape WRN-28-10 (no sampling)', () => void evalShape(wideResNet({ depth: 28, width: 10 }), [-1, 3, 32, 32]), 5);

const body = `## @ssam/models

Training step = \`valueAndGrad\` of \`softmaxCrossEntropy(model.apply(params, state, x, { train: true }))\` on random CIFAR-shaped input (BatchNorm in training mode), on the default backend: ${currentBackend().describe?.() ?? currentBackend().name}. "Epoch" is the step time × ${STEPS_PER_EPOCH} steps (50,000 images, batch ${BATCH}), without data loading or the optimizer update. Medians after 1 warm-up.
Command: \`cd packages/models && pnpm bench\` (\`taskset -c 0 node --conditions=source --import tsx bench/run.ts\`). Machine: ${machineLine()}.

${markdownTable(['operation', 'median', 'range', 'epoch'], rows)}

A ResNet-20 training epoch on this backend is about **${fmt(r20Step * STEPS_PER_EPOCH)}** of compute (10 % of it: ${fmt(r20Step * STEPS_PER_EPOCH * 0.1)}), the reference for the data pipeline's budget.`;
writeSection('models', body);
console.log(body);
