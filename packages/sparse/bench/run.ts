// `pnpm --filter @ssam/sparse bench` (taskset -c 0): SSAM pass 1 (forward + backward) with the
// implicit 2:4 perturbation against the dense pass 1, on UNCHANGED @ssam/models networks (small
// CNN, ResNet-20, an MLP): `valueAndGrad(loss, { override: implicitOverride(mask, ...) })` vs
// plain `valueAndGrad(loss)`. Kernel-level figures: bench/kernels.ts. Writes the 'sparse' section
// of docs/benchmarks.md.
import { valueAndGrad, vjpRules, type VjpOverride } from '@ssam/autograd';
import { mlp, resnet20, smallCnn, softmaxCrossEntropy, type Layer } from '@ssam/models';
import { nmMask } from '@ssam/masks';
import { currentBackend, ones, random, tree, withBackend, type Backend, type Kernels, type Tensor, type Tree } from '@ssam/tensor';
import { machineLine, markdownTable, writeSection } from '../../../tools/bench-report.ts';
import { implicitOverride } from '../src/override.ts';

const NM = { n: 2, m: 4, axis: 'in' as const };

interface Case {
  readonly name: string;
  readonly model: Layer;
  readonly x: Tensor;
  readonly y: Tensor;
  readonly reps: number;
  /** Consecutive calls per timed block. */
  readonly block: number;
}
const draw = (seed: number, shape: number[]) => ({
  x: random.normal(random.key(seed), shape),
  y: random.randint(random.key(seed + 1), [shape[0]!], 0, 10),
});
const cases: Case[] = [
  { name: 'small CNN (CIFAR-shaped, batch 64)', model: smallCnn(), ...draw(1, [64, 3, 32, 32]), reps: 30, block: 4 },
  { name: 'ResNet-20 (batch 32)', model: resnet20(), ...draw(3, [32, 3, 32, 32]), reps: 10, block: 1 },
  { name: 'MLP 784-512-512-10 (batch 64)', model: mlp([512, 512, 10]), ...draw(5, [64, 1, 28, 28]), reps: 24, block: 16 },
];

/** 2:4 along 'in' on every weight whose input dimension allows it; all ones elsewhere (biases, BN, 3-channel stems). */
function maskOf(params: Tree<Tensor>): Tree<Tensor> {
  return tree.map((w: Tensor) => {
    if (w.rank < 2 || w.shape[1]! % NM.m !== 0) return ones(w.shape);
    return nmMask({ s: random.uniform(random.key(w.size), w.shape) }, NM).s as Tensor;
  }, params);
}

const cpuMs = (): number => {
  const u = process.cpuUsage();
  return (u.user + u.system) / 1000;
};
const quantile = (a: number[], q: number) => [...a].sort((x, y) => x - y)[Math.floor((a.length - 1) * q)]!;


/** Multiply-adds of a product primitive (its forward, or either of its backward products). */
function macs(prim: string, ins: readonly Tensor[], out: Tensor): number {
  if (prim === 'conv2d' || prim === 'conv2dBackInput') {
    const [, w] = ins as [Tensor, Tensor]; // conv2d(x, w) → y; conv2dBackInput(dy, w) → dx: both N·Ho·Wo·O·(C/g)·kh·kw
    const dy = prim === 'conv2d' ? out : ins[0]!;
    return (dy.size / dy.shape[1]!) * w.size;
  }
  if (prim === 'conv2dBackFilter') return (ins[1]!.size / ins[1]!.shape[1]!) * out.size; // (x, dy) → dw
  return 0;
}
const matmulMacs = (ins: readonly Tensor[], out: Tensor, transposeA: boolean): number => {
  const a = ins[0]!;
  const k = a.rank === 1 ? a.shape[0]! : transposeA ? a.shape[a.rank - 2]! : a.shape[a.rank - 1]!;
  return out.size * k;
};
/**
 * The FLOP-bound ideal of the implicit pass: every product (convolutions, their two backward
 * products, matmuls) costs its multiply-adds and nothing else costs anything, and 2:4 halves the
 * masked input-gradient products. What the ratio would be on a backend that is pure arithmetic.
 */
function flopIdeal(pass: () => unknown, maskedInputGradMacs: () => number): { total: number; masked: number; ideal: number } {
  const base = currentBackend();
  let total = 0;
  const kernels = Object.fromEntries(
    Object.entries(base.kernels).map(([k, f]) => [
      k,
      (ins: readonly Tensor[], attrs: never) => {
        const out = (f as (i: readonly Tensor[], a: never) => Tensor)(ins, attrs);
        total += k === 'matmul' ? matmulMacs(ins, out, (attrs as { transposeA: boolean }).transposeA) : macs(k, ins, out);
        return out;
      },
    ]),
  ) as unknown as Kernels;
  const counting: Backend = { name: 'counting', kernels };
  withBackend(counting, pass);
  const masked = maskedInputGradMacs();
  return { total, masked, ideal: (total - masked / 2) / total };
}

const rows: (string | number)[][] = [];
for (const c of cases) {
  const [, params, state] = c.model.init(random.key(0), [-1, ...c.x.shape.slice(1)]);
  const loss = (p: Tree<Tensor>) => softmaxCrossEntropy(c.model.apply(p, state, c.x, { train: true })[0] as Tensor, c.y);
  const mask = maskOf(params as Tree<Tensor>);
  const dense = () => valueAndGrad(loss)(params as Tree<Tensor>);
  let counts = { sparse: 0, masked: 0 };
  const implicit = () => {
    const imp = implicitOverride(mask, { pattern: NM });
    const r = valueAndGrad(loss, { override: imp.override })(params as Tree<Tensor>);
    imp.check();
    counts = { ...imp.counts };
    return r;
  };
  dense();
  implicit();
  // Where the time goes: the input-gradient products of the masked layers alone, dense (the
  // built-in rule, timed inside an override that computes exactly what the dense pass computes)
  // and sparse (the implicit override, timed around its matmul/conv2d nodes).
  const masked = new Set(tree.leaves(mask).flatMap((m, i) => (m.toArray().every((v) => v === 1) ? [] : [i])));
  let spent = 0;
  const timedDense: VjpOverride = (g, node, needs) => {
    if ((node.prim !== 'matmul' && node.prim !== 'conv2d') || !needs[0] || !masked.has(node.leafIndex(node.inputs[1]!) ?? -1)) return undefined;
    const t0 = performance.now();
    const [gx] = (vjpRules[node.prim] as VjpOverride)(g, node, [true, false])!;
    gx!.size; // the kernels are synchronous; this only keeps the value alive until here
    spent += performance.now() - t0;
    return [gx!, needs[1] ? (vjpRules[node.prim] as VjpOverride)(g, node, [false, true])![1]! : null];
  };
  const timedSparse = (): VjpOverride => {
    const ov = implicitOverride(mask, { pattern: NM }).override;
    return (g, node, needs) => {
      if ((node.prim !== 'matmul' && node.prim !== 'conv2d') || !needs[0] || !masked.has(node.leafIndex(node.inputs[1]!) ?? -1)) return ov(g, node, needs);
      const gw = needs[1] ? (vjpRules[node.prim] as VjpOverride)(g, node, [false, true])![1]! : null;
      const t0 = performance.now();
      const [gx] = ov(g, node, [true, false])!;
      spent += performance.now() - t0;
      return [gx!, gw];
    };
  };
  const share = (override: () => VjpOverride): number => {
    const xs: number[] = [];
    for (let r = 0; r < Math.max(3, Math.ceil(c.reps / 2)); r++) {
      spent = 0;
      valueAndGrad(loss, { override: override() })(params as Tree<Tensor>);
      xs.push(spent);
    }
    return quantile(xs, 0.5);
  };
  const inDense = share(() => timedDense), inSparse = share(timedSparse);
  let maskedMacs = 0;
  const countMasked: VjpOverride = (g, node, needs) => {
    if ((node.prim === 'matmul' || node.prim === 'conv2d') && needs[0] && masked.has(node.leafIndex(node.inputs[1]!) ?? -1))
      maskedMacs += node.prim === 'matmul' ? matmulMacs(node.inputs, node.out, (node.attrs as { transposeA: boolean }).transposeA) : macs('conv2d', node.inputs, node.out);
    return undefined;
  };
  const ideal = flopIdeal(() => valueAndGrad(loss, { override: countMasked })(params as Tree<Tensor>), () => maskedMacs);
  // Rounds of `block` consecutive calls of one kind, then of the other (alternating which goes
  // first), so each side pays for its own garbage collection; medians over rounds.
  const d: number[] = [], s: number[] = [], dc: number[] = [], sc: number[] = [];
  const block = (f: () => unknown, wall: number[], cpu: number[]) => {
    const c0 = cpuMs(), w0 = performance.now();
    for (let b = 0; b < c.block; b++) f();
    wall.push((performance.now() - w0) / c.block);
    cpu.push((cpuMs() - c0) / c.block);
  };
  for (let r = 0; r < c.reps; r++) {
    if (r % 2) {
      block(dense, d, dc);
      block(implicit, s, sc);
    } else {
      block(implicit, s, sc);
      block(dense, d, dc);
    }
  }
  const dm = quantile(d, 0.5), sm = quantile(s, 0.5);
  // the ratio of each round's two blocks (adjacent in time, so drift cancels), median over rounds
  const ratio = quantile(s.map((x, i) => x / d[i]!), 0.5);
  rows.push([
    c.name, `${counts.sparse} sparse, ${counts.masked} dense W⊙M`, `${dm.toFixed(1)} ms (CPU ${quantile(dc, 0.5).toFixed(1)})`,
    `${sm.toFixed(1)} ms (CPU ${quantile(sc, 0.5).toFixed(1)})`, `${ratio.toFixed(3)} ${ratio <= 0.85 ? '✓' : '✗'}`,
    `${inDense.toFixed(1)} → ${inSparse.toFixed(1)} ms (${(inSparse / inDense).toFixed(2)}×)`, ((dm - inDense) / dm).toFixed(3),
    `${ideal.ideal.toFixed(3)} (${((ideal.masked / ideal.total) * 100).toFixed(0)} % of ${(ideal.total / 1e6).toFixed(0)} M MACs masked)`,
  ]);
  console.log(rows[rows.length - 1]!.join(' | '));
}

const md = [
  '## @ssam/sparse: implicit 2:4 pass 1 on unchanged models',
  '',
  `${machineLine()} Command: \`pnpm --filter @ssam/sparse bench\` (taskset -c 0). Backend: ${currentBackend().describe?.() ?? currentBackend().name}.`,
  '',
  'Pass 1 = `valueAndGrad` of the softmax cross-entropy of an @ssam/models network in train mode (forward + backward).',
  'Implicit: the same call with `{ override: implicitOverride(mask, { pattern: 2:4 along in }) }`: every weight whose input',
  'dimension is a multiple of 4 carries a 2:4 mask (the 3-channel stems, biases and BatchNorm stay dense; the first layer\'s',
  'input gradient is never computed anyway), so the input gradients of those layers run on the compressed N:M kernels while',
  'the forward and all weight gradients stay dense. Wall time per pass, median over rounds; each round times a block of',
  'consecutive dense passes and a block of implicit ones (alternating which goes first), so each side pays for its own',
  'garbage collection; process CPU time in brackets. The ratio is the median over rounds of each round\'s implicit/dense',
  '(the two blocks of a round are adjacent in time, so drift on the shared machine cancels). Target (issue 10): ≤ 0.85 on',
  'the small CNN and ResNet-20.',
  '',
  markdownTable(['model', 'input gradients (per pass)', 'dense pass 1', 'implicit 2:4 pass 1', 'implicit / dense', 'masked input gradients: dense → sparse', 'bound with a free kernel', 'FLOP-bound ideal'], rows),
  '',
  'The last two columns explain the ratio: the masked layers\' input-gradient products timed alone inside pass 1 (dense',
  'built-in rule vs the compressed kernel, medians), and the ratio pass 1 would reach if those products cost nothing',
  '((dense pass − dense products) / dense pass). Only these products are sparse in the implicit form; the forward, the',
  'weight gradients, BatchNorm, activations and pooling are unchanged, and on this backend they are most of pass 1, so',
  'the 0.85 target lies below what even a free kernel gives on these networks.',
  '',
  'The FLOP-bound ideal is the ratio on a backend that were pure arithmetic: each convolution, each of its two backward',
  'products and each matmul of the pass (counted from the shapes the pass really runs) costs its multiply-adds, nothing',
  'else costs anything, and 2:4 halves the masked input-gradient products. It depends only on the network: the first',
  'layer\'s input gradient is never computed (its input is the data) and the first layer is not masked, so a network whose',
  'first layer carries a large share of the work sits further from the issue\'s 0.83, which assumes every layer\'s input',
  'gradient is computed and masked. For the small CNN the ideal itself lies above 0.85, so that half of the target cannot',
  'be met by any kernel on any backend; ResNet-20 meets it only if everything that is not a product costs under about a',
  'tenth of the products.',
].join('\n');
writeSection('sparse', md);
console.log(md);
