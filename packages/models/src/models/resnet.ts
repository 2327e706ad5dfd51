import { ArgumentError } from '@ssam/tensor';
import { serial } from '../combinators.js';
import { kaimingNormal, type Initializer } from '../init.js';
import type { Layer } from '../layer.js';
import { relu } from '../layers/activations.js';
import { batchNorm } from '../layers/batchnorm.js';
import { conv2d } from '../layers/conv.js';
import { dense } from '../layers/dense.js';
import { globalAvgPool, maxPool } from '../layers/pooling.js';
import { basicBlock, bottleneckBlock } from './blocks.js';

export interface ResNetOptions {
  /** 'basic' (ResNet-18/34) or 'bottleneck' (ResNet-50 and deeper). */
  readonly block: 'basic' | 'bottleneck';
  /** Blocks per stage, e.g. [2, 2, 2, 2]. */
  readonly layers: readonly number[];
  /** Planes per stage (default [64, 128, 256, 512]); stage i > 0 starts with stride 2. */
  readonly widths?: readonly number[];
  /** 'imagenet': 7×7/2 conv + 3×3/2 max-pool; 'cifar': 3×3/1 conv, no max-pool. */
  readonly stem: 'imagenet' | 'cifar';
  readonly numClasses?: number;
  /** Shortcut when the shape changes: 'B' (1×1 conv + BN, default) or 'A' (zero padding). */
  readonly shortcut?: 'A' | 'B';
  /** Conv weight init (default PyTorch's Conv2d init). */
  readonly convInit?: Initializer;
  /** Classifier weight init (default PyTorch's Linear init). */
  readonly denseInit?: Initializer;
  /** Classifier key: 'fc' (torchvision, default) or 'linear' (the CIFAR code of SSAM). */
  readonly headName?: string;
}

/**
 * A residual network from its stages (He et al. 2016). Input `[N, 3, H, W]`, output `[N, classes]`;
 * a global average pool before the classifier makes any input size ≥ 32 work.
 * Params: `{ conv1, bn1, layer1: [block, ...], ..., fc }`.
 */
export function resnet(opts: ResNetOptions): Layer {
  const widths = opts.widths ?? [64, 128, 256, 512];
  if (widths.length !== opts.layers.length) throw new ArgumentError('resnet', `widths (${widths.length}) and layers (${opts.layers.length}) must have the same length`);
  const expansion = opts.block === 'basic' ? 1 : 4;
  const make = opts.block === 'basic' ? basicBlock : bottleneckBlock;
  const ci = opts.convInit ? { wInit: opts.convInit } : {};
  const parts: Record<string, Layer> =
    opts.stem === 'imagenet'
      ? { conv1: conv2d(widths[0]!, 7, { stride: 2, padding: 3, bias: false, ...ci }), bn1: batchNorm(), relu, maxpool: maxPool({ kernel: 3, stride: 2, padding: 1 }) }
      : { conv1: conv2d(widths[0]!, 3, { padding: 1, bias: false, ...ci }), bn1: batchNorm(), relu };
  let inPlanes = widths[0]!;
  opts.layers.forEach((n, i) => {
    const blocks: Layer[] = [];
    for (let j = 0; j < n; j++) {
      blocks.push(make(inPlanes, widths[i]!, { stride: j === 0 && i > 0 ? 2 : 1, shortcut: opts.shortcut ?? 'B', ...(opts.convInit ? { convInit: opts.convInit } : {}) }));
      inPlanes = widths[i]! * expansion;
    }
    parts[`layer${i + 1}`] = serial(...blocks);
  });
  parts.pool = globalAvgPool;
  parts[opts.headName ?? 'fc'] = dense(opts.numClasses ?? 1000, opts.denseInit ? { wInit: opts.denseInit } : {});
  return serial(parts);
}

/** torchvision's init: conv kaiming_normal_(mode='fan_out', nonlinearity='relu'); BN 1/0; fc default. */
const torchvisionConv = kaimingNormal({ mode: 'fanOut' });

/**
 * ImageNet ResNet-18 (torchvision `resnet18`): 11,689,512 params at 1000 classes.
 * Input `[N, 3, 224, 224]` → `[N, numClasses]`.
 */
export const resnet18 = (opts: { numClasses?: number } = {}): Layer =>
  resnet({ block: 'basic', layers: [2, 2, 2, 2], stem: 'imagenet', convInit: torchvisionConv, numClasses: opts.numClasses ?? 1000 });

/** ImageNet ResNet-34 (torchvision `resnet34`): 21,797,672 params at 1000 classes. */
export const resnet34 = (opts: { numClasses?: number } = {}): Layer =>
  resnet({ block: 'basic', layers: [3, 4, 6, 3], stem: 'imagenet', convInit: torchvisionConv, numClasses: opts.numClasses ?? 1000 });

/**
 * ImageNet ResNet-50 (torchvision `resnet50`, bottleneck v1.5): 25,557,032 params at 1000 classes.
 * Input `[N, 3, 224, 224]` → `[N, numClasses]`.
 */
export const resnet50 = (opts: { numClasses?: number } = {}): Layer =>
  resnet({ block: 'bottleneck', layers: [3, 4, 6, 3], stem: 'imagenet', convInit: torchvisionConv, numClasses: opts.numClasses ?? 1000 });

/**
 * The CIFAR ResNet-18 of the SSAM code (Mi et al. 2022, `models/resnet.py`, after kuangliu's
 * pytorch-cifar): 3×3 stem without max-pool, BasicBlock [2, 2, 2, 2], 1×1 conv + BN shortcuts,
 * PyTorch default init, classifier named `linear`. 11,173,962 params at 10 classes.
 * Input `[N, 3, 32, 32]` → `[N, numClasses]`.
 */
export const resnet18Cifar = (opts: { numClasses?: number } = {}): Layer =>
  resnet({ block: 'basic', layers: [2, 2, 2, 2], stem: 'cifar', numClasses: opts.numClasses ?? 10, headName: 'linear' });

export interface CifarResNetOptions {
  /** 6n + 2: 20, 32, 44, 56, 110. */
  readonly depth: number;
  readonly numClasses?: number;
  /** 'A' (default; zero-padding, as He et al. and the common PyTorch version) or 'B' (1×1 conv + BN). */
  readonly shortcut?: 'A' | 'B';
  /** Planes of the three stages (default [16, 32, 64]); smaller widths make quick test models. */
  readonly widths?: readonly [number, number, number];
}

/**
 * The CIFAR ResNets of He et al. (2016, §4.2) as in the common PyTorch version (akamaster
 * pytorch_resnet_cifar10): 3×3 conv → 16, three stages of n basic blocks (16, 32, 64 planes), global
 * average pool, linear; option A shortcuts; conv and linear weights kaiming_normal_ (fan_in), linear
 * bias PyTorch default. At 10 classes ResNet-20/32/56 have 269,722 / 464,154 / 853,018 params with
 * option A (the totals that version prints; "0.27M" in its table) and 272,474 / 466,906 / 855,770
 * with option B (2,752 more: the two 1×1 conv + BN projections).
 * Input `[N, 3, 32, 32]` → `[N, numClasses]`; params `{ conv1, bn1, layer1..3, linear }`.
 */
export function resnetCifar(opts: CifarResNetOptions): Layer {
  const { depth } = opts;
  if (!Number.isInteger(depth) || depth < 8 || (depth - 2) % 6 !== 0) throw new ArgumentError('resnetCifar', `depth must be 6n + 2 with n ≥ 1 (20, 32, 44, 56, 110), got ${depth}`);
  const n = (depth - 2) / 6;
  const init = kaimingNormal({ mode: 'fanIn' });
  return resnet({
    block: 'basic', layers: [n, n, n], widths: opts.widths ?? [16, 32, 64], stem: 'cifar', shortcut: opts.shortcut ?? 'A',
    convInit: init, denseInit: init, numClasses: opts.numClasses ?? 10, headName: 'linear',
  });
}

/** CIFAR ResNet-20: 269,722 params at 10 classes (option A; 272,474 with option B). */
export const resnet20 = (opts: Omit<CifarResNetOptions, 'depth'> = {}): Layer => resnetCifar({ ...opts, depth: 20 });
/** CIFAR ResNet-32: 464,154 params at 10 classes (option A; 466,906 with option B). */
export const resnet32 = (opts: Omit<CifarResNetOptions, 'depth'> = {}): Layer => resnetCifar({ ...opts, depth: 32 });
/** CIFAR ResNet-56: 853,018 params at 10 classes (option A; 855,770 with option B). */
export const resnet56 = (opts: Omit<CifarResNetOptions, 'depth'> = {}): Layer => resnetCifar({ ...opts, depth: 56 });
