import { random, tree, type Tensor } from '@ssam/tensor';
import { expect, it } from 'vitest';
import { countParams } from '../params.js';
import { resnet50 } from './resnet.js';

// One forward pass on a 1×3×224×224 input with the reference kernels, sampled parameters and
// eval-mode BatchNorm: about 9 s on an idle core (17 s seen under a busy machine) including init. It has a file of its own so the slow
// ImageNet passes run beside the quick model tests rather than after them.
it('ImageNet ResNet-50: 25,557,032 params, one forward pass on 1×3×224×224 gives finite [1, 1000] logits', () => {
  const model = resnet50();
  const [out, params, state] = model.init(random.key(0), [1, 3, 224, 224]);
  expect(countParams(params)).toBe(25_557_032);
  const [y, s1] = model.apply(params, state, random.normal(random.key(1), [1, 3, 224, 224]), { train: false });
  expect(out).toEqual([1, 1000]);
  expect((y as Tensor).shape).toEqual([1, 1000]);
  expect((y as Tensor).toArray().every(Number.isFinite)).toBe(true);
  // Evaluation leaves the running statistics as they were.
  expect(tree.leaves(s1)).toEqual(tree.leaves(state));
});
