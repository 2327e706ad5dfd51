// Fisher cost on ResNet-20 (CIFAR shapes, 269,722 params) as a multiple of one SAM step at batch
// 128: the 128-sample Fisher (eval-mode BatchNorm, one forward + backward per example) against
// sam({ base: sgd }) at batch 128 (two forward + backward passes in training mode). Models and
// optim are loaded from their sources beside this package; the masks package does not depend on them.
import { random, tree, type Tensor, type Tree } from '@ssam/tensor';
import { grad, valueAndGrad } from '@ssam/autograd';
import { markdownTable, timeIt } from '../../../tools/bench-report.ts';
import { fisherScores } from '../src/fisher.ts';

const fmt = (ms: number) => (ms >= 1000 ? `${(ms / 1000).toFixed(1)} s` : `${ms.toFixed(0)} ms`);

export async function fisherBench(): Promise<string> {
  const nn = (await import('../../models/src/index.ts').catch(() => ({}))) as Record<string, any>;
  const optim = (await import('../../optim/src/index.ts').catch(() => ({}))) as Record<string, any>;
  if (typeof nn.resnet20 !== 'function' || typeof optim.sam !== 'function')
    return 'Not measured: needs `resnet20` from @ssam/models and `sam` from @ssam/optim.';
  const model = nn.resnet20();
  const [, params, state] = model.init(random.key(0), [-1, 3, 32, 32]);
  const [kx, ky] = random.split(random.key(1));
  const data = { x: random.normal(kx!, [128, 3, 32, 32]), y: random.randint(ky!, [128], 0, 10) };

  // One SAM step on the batch of 128: pass 1 (loss, g, clean BN state), pass 2 inside update.
  const trainLoss = (p: Tree) => {
    const [logits, s] = model.apply(p, state, data.x, { train: true });
    return [nn.softmaxCrossEntropy(logits as Tensor, data.y), s];
  };
  const opt = optim.sam({ rho: 0.05, base: optim.sgd({ lr: 0.1, momentum: 0.9 }) });
  const optState = opt.init(params);
  const gradFn = (p: Tree) => grad((q: Tree) => trainLoss(q)[0] as Tensor)(p);
  const samStep = () => {
    const [[, newState], g] = valueAndGrad(trainLoss as never, { hasAux: true })(params) as [[Tensor, Tree], Tree];
    const [u] = opt.update(g, optState, params, { gradFn });
    optim.applyUpdates(params, u);
    void newState;
  };
  // The Fisher's per-example losses: eval mode, BatchNorm running statistics, state untouched.
  const perExampleLoss = (p: Tree, b: Tree) => {
    const { x, y } = b as typeof data;
    const [logits] = model.apply(p, state, x, { train: false });
    return nn.softmaxCrossEntropy(logits as Tensor, y, { reduction: 'none' });
  };
  console.log('fisher bench: SAM step at batch 128 ...');
  const sam = timeIt(samStep, { reps: 1, warmup: 0 }).median;
  console.log(`  ${fmt(sam)}; Fisher, 128 samples, chunkSize 1 ...`);
  const f128 = timeIt(() => void fisherScores(perExampleLoss, params, data, { numSamples: 128 }), { reps: 1, warmup: 0 }).median;
  console.log(`  ${fmt(f128)}; Fisher, 16 samples, chunkSize 8 ...`);
  const f16c = timeIt(() => void fisherScores(perExampleLoss, params, data, { numSamples: 16, chunkSize: 8 }), { reps: 1, warmup: 0 }).median;
  console.log(`  ${fmt(f16c)}`);
  const rows = [
    ['one SAM step, batch 128 (sam + sgd, 2 × forward/backward)', fmt(sam), '1.00'],
    ['fisherScores, 128 samples, chunkSize 1 (128 × forward/backward at batch 1)', fmt(f128), (f128 / sam).toFixed(2)],
    ['fisherScores, 16 samples, chunkSize 8 (2 forwards, 16 pullbacks at batch 8), per 128 samples', fmt((f16c * 128) / 16), ((f16c * 8) / sam).toFixed(2)],
  ];
  return [
    `ResNet-20 (${tree.size(params).toLocaleString('en-US')} params), random CIFAR-shaped inputs, reference backend, one run each (these are long).`,
    '',
    markdownTable(['operation', 'time', '× SAM step'], rows),
    '',
    'The Fisher runs the model in eval mode (BatchNorm running statistics), one example per pass; its arithmetic equals one plain training step at batch 128 (half a SAM step), and the rest is the overhead of batch-1 calls. Chunking replays the chunk\'s backward once per example, so it costs more here.',
  ].join('\n');
}
