import { ArgumentError } from '@ssam/tensor';
import { serial } from '../combinators.js';
import type { Layer } from '../layer.js';
import { relu } from '../layers/activations.js';
import { batchNorm } from '../layers/batchnorm.js';
import { conv2d } from '../layers/conv.js';
import { dense } from '../layers/dense.js';
import { dropout } from '../layers/dropout.js';
import { maxPool } from '../layers/pooling.js';
import { flatten } from '../layers/reshape.js';

/** Simonyan & Zisserman's configurations A, B, D, E: conv widths, 'M' for a 2×2 max-pool. */
const CONFIGS: Record<number, readonly (number | 'M')[]> = {
  11: [64, 'M', 128, 'M', 256, 256, 'M', 512, 512, 'M', 512, 512, 'M'],
  13: [64, 64, 'M', 128, 128, 'M', 256, 256, 'M', 512, 512, 'M', 512, 512, 'M'],
  16: [64, 64, 'M', 128, 128, 'M', 256, 256, 256, 'M', 512, 512, 512, 'M', 512, 512, 512, 'M'],
  19: [64, 64, 'M', 128, 128, 'M', 256, 256, 256, 256, 'M', 512, 512, 512, 512, 'M', 512, 512, 512, 512, 'M'],
};

export interface VggOptions {
  readonly depth: 11 | 13 | 16 | 19;
  readonly numClasses?: number;
  /** BatchNorm after every conv (default true). */
  readonly batchNorm?: boolean;
  /**
   * 'mlp' (default, the SSAM code): dense 4096, ReLU, dropout 0.5, dense 4096, ReLU, dropout 0.5,
   * dense classes. 'linear': one dense layer 512 → classes (kuangliu's pytorch-cifar).
   */
  readonly head?: 'mlp' | 'linear';
  /** Dropout rate of the 'mlp' head (default 0.5, PyTorch's nn.Dropout()). */
  readonly dropRate?: number;
}

/**
 * VGG for 32×32 inputs as in the SSAM code (`models/vgg.py`, after weiaicunzai/pytorch-cifar100):
 * 3×3 convs with bias (padding 1) + BN + ReLU, 2×2 max-pools, flatten (512·1·1 at 32×32), head.
 * PyTorch default init. VGG-11-BN: 28,149,514 params, VGG-16-BN: 33,646,666 (10 classes, 'mlp' head);
 * with the 'linear' head 9,231,114 and 14,728,266.
 * Input `[N, 3, 32, 32]` → `[N, numClasses]`; params `{ features: { conv1, bn1, conv2, ... }, classifier: { fc1, fc2, fc3 } }`.
 * The 'mlp' head has dropout, so training needs `ctx.key`.
 */
export function vgg(opts: VggOptions): Layer {
  const cfg = CONFIGS[opts.depth];
  if (!cfg) throw new ArgumentError('vgg', `depth must be 11, 13, 16 or 19, got ${opts.depth}`);
  const bn = opts.batchNorm ?? true;
  const features: Record<string, Layer> = {};
  let conv = 0, pool = 0;
  for (const v of cfg) {
    if (v === 'M') features[`pool${++pool}`] = maxPool({ kernel: 2, stride: 2 });
    else {
      conv++;
      features[`conv${conv}`] = conv2d(v, 3, { padding: 1 });
      if (bn) features[`bn${conv}`] = batchNorm();
      features[`relu${conv}`] = relu;
    }
  }
  const classes = opts.numClasses ?? 10;
  const rate = opts.dropRate ?? 0.5;
  const classifier =
    (opts.head ?? 'mlp') === 'linear'
      ? serial({ fc: dense(classes) })
      : serial({ fc1: dense(4096), relu1: relu, drop1: dropout(rate), fc2: dense(4096), relu2: relu, drop2: dropout(rate), fc3: dense(classes) });
  return serial({ features: serial(features), flatten, classifier });
}

/** VGG-11 with BN for CIFAR (see `vgg`). */
export const vgg11 = (opts: Omit<VggOptions, 'depth'> = {}): Layer => vgg({ ...opts, depth: 11 });
/** VGG-16 with BN for CIFAR (see `vgg`). */
export const vgg16 = (opts: Omit<VggOptions, 'depth'> = {}): Layer => vgg({ ...opts, depth: 16 });
