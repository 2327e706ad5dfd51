// `cd packages/optim && pnpm bench:implicit` (taskset -c 0): the whole training step of SSAM-F 2:4
// in its explicit and implicit forms against SAM and SGD, through makeTrainStep on unchanged
// @ssam/models networks. Mask refreshes are not timed (they are the same Fisher pass in both forms;
// see the @ssam/optim section for their amortised cost). Writes the 'optim-implicit' section.
import { currentBackend, random, type Tensor } from '@ssam/tensor';
import { resnet20, smallCnn, softmaxCrossEntropy, type Layer } from '@ssam/models';
import { machineLine, markdownTable, writeSection } from '../../../tools/bench-report.js';
import { makeTrainStep, sam, sgd, ssamF, type Batch, type GradientTransformation, type Params } from '../src/index.js';

interface Setup {
  readonly name: string;
  readonly model: Layer;
  readonly batch: Batch;
  readonly reps: number;
}
const draw = (seed: number, n: number): Batch => ({ x: random.normal(random.key(seed), [n, 3, 32, 32]), y: random.randint(random.key(seed + 1), [n], 0, 10) });
const setups: Setup[] = [
  { name: 'small CNN, CIFAR-shaped input, batch 128', model: smallCnn(), batch: draw(1, 128), reps: 12 },
  { name: 'ResNet-20, batch 32', model: resnet20(), batch: draw(3, 32), reps: 6 },
];
// 2:4 along 'in' wherever the input dimension allows it; the 3-channel stems are left out of the
// selection (implicit form: dense input gradient, which the data layer never computes anyway).
const exclude = (_path: string, w: Tensor) => w.rank >= 2 && w.shape[1]! % 4 !== 0;

const cpuMs = () => {
  const u = process.cpuUsage();
  return (u.user + u.system) / 1000;
};
const q1 = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor((xs.length - 1) / 4)]!;
const med = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;

const sections: string[] = [];
for (const s of setups) {
  const [, params0, state0] = s.model.init(random.key(0), [-1, 3, 32, 32]);
  const base = () => sgd({ lr: 0.05, momentum: 0.9, weightDecay: 5e-4 });
  const f = (form: 'explicit' | 'implicit') =>
    ssamF({ rho: 0.05, base: base(), pattern: { n: 2, m: 4 }, numSamples: 32, stepsPerEpoch: 1_000_000, exclude, form });
  const opts: [string, GradientTransformation<any>][] = [
    ['SGD', base()],
    ['SAM', sam({ rho: 0.05, base: base() })],
    ['SSAM-F 2:4, explicit', f('explicit')],
    ['SSAM-F 2:4, implicit', f('implicit')],
  ];
  const cases = opts.map(([name, opt]) => {
    const step = makeTrainStep({ model: s.model, loss: softmaxCrossEntropy, optimizer: opt, fisher: { sample: () => s.batch } });
    let cur = { params: params0 as Params, modelState: state0, optState: opt.init(params0 as Params) as unknown };
    let calls = 0;
    const advance = () => {
      const r = step(cur.params, cur.modelState, cur.optState as never, s.batch, random.key(3));
      cur = { params: r.params, modelState: r.modelState, optState: r.optState };
      calls = r.metrics.gradFnCalls;
    };
    advance(); // step 0: the SSAM-F masks are computed here, outside the timing
    advance();
    return { name, advance, cpu: [] as number[], wall: [] as number[], calls: () => calls };
  });
  const order = random.split(random.key(11), s.reps);
  for (let r = 0; r < s.reps; r++)
    for (const i of Array.from(random.permutation(order[r]!, cases.length).toArray())) {
      const c = cases[i]!;
      const c0 = cpuMs(), w0 = performance.now();
      c.advance();
      c.cpu.push(cpuMs() - c0);
      c.wall.push(performance.now() - w0);
    }
  const t = (n: string) => q1(cases.find((c) => c.name === n)!.cpu);
  const rows = cases.map((c) => {
    const cpu = q1(c.cpu);
    return [c.name, 1 + c.calls(), `${cpu.toFixed(0)} ms`, `${med(c.wall).toFixed(0)} ms`, (cpu / t('SGD')).toFixed(3), (cpu / t('SAM')).toFixed(3), (cpu / t('SSAM-F 2:4, explicit')).toFixed(3)];
  });
  console.log(s.name, rows);
  sections.push(`### ${s.name}\n\n${markdownTable(['optimizer', 'passes / step', 'step CPU (lower quartile)', 'step wall (median)', '× SGD', '× SAM', '× explicit SSAM-F'], rows)}\n\n${s.reps} rounds in shuffled order.`);
}

const b = currentBackend();
writeSection(
  'optim-implicit',
  `## @ssam/optim: the whole SSAM step, explicit vs implicit (2:4)

${machineLine()} Command: \`cd packages/optim && pnpm bench:implicit\` (\`taskset -c 0 node --import tsx bench/implicit.ts\`). Backend: ${b.describe?.() ?? b.name}.

One \`makeTrainStep\` call per sample (pass 1, the ascent, pass 2, SGD with momentum 0.9 and weight decay 5e-4;
ρ = 0.05). SSAM-F uses a 2:4 Fisher mask along 'in' (the 3-channel stem is left out of the selection). Explicit:
dense pass 1, ε = m ⊙ ρg/‖g‖. Implicit: pass 1 sends the input gradients of the masked layers through the compressed
2:4 weights, ε = ρg̃/‖g̃‖ is dense. Both forms run two passes; only the implicit one can save work, and only in
pass 1's input gradients. Mask refreshes are not in these figures (the same Fisher pass for both forms). CPU time of
this process, lower quartile over interleaved, shuffled rounds.

${sections.join('\n\n')}`,
);
