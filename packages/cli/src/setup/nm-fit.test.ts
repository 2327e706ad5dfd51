import * as E from 'fp-ts/lib/Either.js';
import { describe, expect, it } from 'vitest';
import { random, tree, type Tensor, type Tree } from '@ssam/tensor';
import { parseTrainConfig, UsageError, type TrainConfig } from '../config.js';
import { buildModel, MODEL_NAMES } from './models.js';
import { checkNMFit, nmExclude, nmNote } from './nm-fit.js';
import { buildOptimizer } from './optimizer.js';

const config = (raw: Record<string, unknown>): TrainConfig => {
  const r = parseTrainConfig(raw, MODEL_NAMES);
  if (E.isLeft(r)) throw r.left;
  return r.right;
};
const paramsOf = (model: string, input: number[], width = [16]) => buildModel(model, { shape: input, numClasses: 10 }, width).init(random.key(0), [-1, ...input])[1] as Tree;

/** Every group of m consecutive entries along axis 1 holds exactly n ones. */
function isNM(mask: Tensor, n: number, m: number): boolean {
  const [o, c, ...rest] = mask.shape as number[];
  const inner = rest.reduce((a, b) => a * b, 1);
  const v = mask.toArray();
  for (let i = 0; i < o!; i++)
    for (let g = 0; g < c! / m; g++)
      for (let k = 0; k < inner; k++) {
        let ones = 0;
        for (let j = 0; j < m; j++) ones += v[(i * c! + g * m + j) * inner + k]!;
        if (ones !== n) return false;
      }
  return true;
}

describe('N:M fit of the CLI models', () => {
  const left = (optimizer: string, pattern: string, model: string, input: number[], width = '16') =>
    checkNMFit(config({ optimizer, pattern, model, width }), paramsOf(model, input, width.split(',').map(Number)));

  it('2:4: the MLP fits whole; the CNN and ResNet-20 leave out only their first conv; LeNet-5 also its 6-channel conv2', () => {
    expect(left('ssam-f-implicit', '2:4', 'mlp', [1, 28, 28])).toEqual([]);
    expect(left('ssam-f-implicit', '2:4', 'cnn', [1, 28, 28])).toEqual(['conv1.w [16, 1, 3, 3]']);
    expect(left('ssam-f', '2:4', 'cnn', [3, 32, 32])).toEqual(['conv1.w [16, 3, 3, 3]']);
    expect(left('ssam-f-implicit', '2:4', 'resnet20', [3, 32, 32])).toEqual(['conv1.w [16, 3, 3, 3]']);
    expect(left('ssam-f-implicit', '2:4', 'lenet5', [1, 28, 28])).toEqual(['conv1.w [6, 1, 5, 5]', 'conv2.w [16, 6, 5, 5]']);
    expect(left('ssam-f-implicit', '1:2', 'lenet5', [1, 28, 28])).toEqual(['conv1.w [6, 1, 5, 5]']);
    // Other patterns never leave anything out.
    expect(left('ssam-f', 'structured', 'lenet5', [1, 28, 28])).toEqual([]);
  });

  it('a model with no weight that fits is a usage error naming them and a fix', () => {
    expect(() => left('ssam-f-implicit', '2:4', 'mlp', [1, 5, 5], '30')).toThrow(UsageError);
    expect(() => left('ssam-f-implicit', '2:4', 'mlp', [1, 5, 5], '30')).toThrow(/fc1\.w \[30, 25\], fc2\.w \[10, 30\]\)\. Choose an M .*nm:1:2/);
  });

  it('nmExclude leaves out exactly the weights whose input size m does not divide, never vectors', () => {
    const ex = nmExclude(4);
    const p = paramsOf('cnn', [3, 32, 32]) as Record<string, Record<string, Tensor>>;
    expect(ex('conv1.w', p.conv1!.w!)).toBe(true);
    expect(ex('conv1.b', p.conv1!.b!)).toBe(false);
    expect(ex('conv2.w', p.conv2!.w!)).toBe(false);
    expect(ex('fc.w', p.fc!.w!)).toBe(false);
  });

  it('the run header says what leaving a weight out means for each form', () => {
    expect(nmNote('ssam-f', ['conv1.w [16, 1, 3, 3]'], 4)).toBe('N:M selection leaves out conv1.w [16, 1, 3, 3] (input size not a multiple of 4; not perturbed)');
    expect(nmNote('ssam-f-implicit', ['conv1.w [16, 1, 3, 3]'], 4)).toMatch(/input gradients stay dense\)$/);
  });

  it('ssam-f-implicit on the small CNN: the mask before pass 1 is 2:4 on every fitting weight, tagged for the sparse kernels', () => {
    const input = [1, 28, 28];
    const c = config({ optimizer: 'ssam-f-implicit', pattern: 'nm:2:4', model: 'cnn', fisherSamples: '4' });
    const opt = buildOptimizer(c, 10);
    expect(opt.implicit).toBeDefined();
    const params = paramsOf('cnn', input);
    let k = 0;
    const fisher = (p: Tree) => tree.map((x: Tensor) => random.uniform(random.key(++k), x.shape), p);
    const prep = opt.implicit!.prepare(opt.init(params), params, { fisher });
    expect(prep.mask?.pattern).toEqual({ n: 2, m: 4, axis: 'in' });
    const mask = prep.mask!.mask as Record<string, Record<string, Tensor>>;
    // Left out of the selection: in the implicit form its input gradient stays dense (mask 1).
    expect(Array.from(mask.conv1!.w!.toArray()).every((v) => v === 1)).toBe(true);
    expect(isNM(mask.conv2!.w!, 2, 4)).toBe(true);
    expect(isNM(mask.fc!.w!, 2, 4)).toBe(true);
    expect(Array.from(mask.fc!.b!.toArray()).every((v) => v === 1)).toBe(true); // vectors are kept whole
    // The explicit form has no implicit hook, and does not perturb what it leaves out.
    const explicit = buildOptimizer({ ...c, optimizer: 'ssam-f' }, 10);
    expect(explicit.implicit).toBeUndefined();
    const grads = tree.map((x: Tensor) => random.normal(random.key(++k), x.shape), params);
    const [, state] = explicit.update(grads, explicit.init(params), params, { gradFn: () => grads, fisher }) as [unknown, { sparse: { mask: typeof mask } }];
    expect(Array.from(state.sparse.mask.conv1!.w!.toArray()).every((v) => v === 0)).toBe(true);
    expect(isNM(state.sparse.mask.conv2!.w!, 2, 4)).toBe(true);
  });
});
