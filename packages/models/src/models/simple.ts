import { ArgumentError } from '@ssam/tensor';
import { serial } from '../combinators.js';
import type { Layer } from '../layer.js';
import { relu } from '../layers/activations.js';
import { conv2d } from '../layers/conv.js';
import { dense } from '../layers/dense.js';
import { maxPool } from '../layers/pooling.js';
import { flatten } from '../layers/reshape.js';

/**
 * Multi-layer perceptron: flatten, then dense layers of the given widths with `activation` between
 * them (none after the last).
 * - input `[N, ...]` (flattened), output `[N, sizes.at(-1)]`
 * - params `{ fc1: { w, b }, fc2: ..., fcK: ... }`, PyTorch's default Linear init
 * @example mlp([256, 10]).init(key, [-1, 1, 28, 28]) // 784 → 256 → 10: 203,530 params
 */
export function mlp(sizes: readonly number[], opts: { activation?: Layer; bias?: boolean } = {}): Layer {
  if (sizes.length === 0) throw new ArgumentError('mlp', 'sizes must name at least one layer width, e.g. mlp([256, 10])');
  const act = opts.activation ?? relu;
  const layers: Record<string, Layer> = { flatten };
  sizes.forEach((s, i) => {
    layers[`fc${i + 1}`] = dense(s, { bias: opts.bias ?? true });
    if (i < sizes.length - 1) layers[`act${i + 1}`] = act;
  });
  return serial(layers);
}

/**
 * LeNet-5 style CNN (LeCun et al. 1998, with ReLU and max-pooling): conv 5×5 → 6, pool 2,
 * conv 5×5 → 16, pool 2, dense 120, dense 84, dense classes.
 * - input `[N, C, 28, 28]` with the default `padding: 2` (MNIST; 61,706 params at C = 1 and 10
 *   classes), or `[N, C, 32, 32]` with `padding: 0` (the original), output `[N, numClasses]`
 * - params `{ conv1, conv2, fc1, fc2, fc3 }`, PyTorch default init
 */
export function lenet5(opts: { numClasses?: number; padding?: number } = {}): Layer {
  return serial({
    conv1: conv2d(6, 5, { padding: opts.padding ?? 2 }),
    relu1: relu,
    pool1: maxPool({ kernel: 2 }),
    conv2: conv2d(16, 5),
    relu2: relu,
    pool2: maxPool({ kernel: 2 }),
    flatten,
    fc1: dense(120),
    relu3: relu,
    fc2: dense(84),
    relu4: relu,
    fc3: dense(opts.numClasses ?? 10),
  });
}

/**
 * The small CNN of the benchmarks: conv 3×3 (pad 1) → 16, ReLU, max-pool 2; conv 3×3 (pad 1) → 32,
 * ReLU, max-pool 2; dense → classes.
 * - input `[N, 3, 32, 32]` (dense 2048 → 10; 25,578 params), output `[N, numClasses]`
 * - params `{ conv1: { w, b }, conv2: { w, b }, fc: { w, b } }`, PyTorch default init
 */
export function smallCnn(opts: { numClasses?: number } = {}): Layer {
  return serial({
    conv1: conv2d(16, 3, { padding: 1 }),
    relu1: relu,
    pool1: maxPool({ kernel: 2 }),
    conv2: conv2d(32, 3, { padding: 1 }),
    relu2: relu,
    pool2: maxPool({ kernel: 2 }),
    flatten,
    fc: dense(opts.numClasses ?? 10),
  });
}
