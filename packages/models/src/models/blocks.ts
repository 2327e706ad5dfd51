import { pad, slice } from '@ssam/tensor';
import { residual, serial } from '../combinators.js';
import type { Initializer } from '../init.js';
import { EMPTY, type Empty, type Layer } from '../layer.js';
import { relu } from '../layers/activations.js';
import { batchNorm } from '../layers/batchnorm.js';
import { conv2d } from '../layers/conv.js';
import { oneShape, oneTensor, positiveInt } from '../internal/check.js';

/**
 * Option A shortcut of He et al. (2016) for CIFAR ResNets: subsample by `stride` and zero-pad the
 * channels up to `outChannels` (half before, half after), no parameters. The common PyTorch version
 * writes it as `F.pad(x[:, :, ::2, ::2], (0, 0, 0, 0, planes // 4, planes // 4))`.
 * - input `[N, C, H, W]`, output `[N, outChannels, ⌈H / stride⌉, ⌈W / stride⌉]`
 */
export function padShortcut(outChannels: number, stride: number): Layer<Empty, Empty> {
  positiveInt('padShortcut', 'stride', stride);
  const pads = (c: number): [number, number] => {
    const extra = outChannels - c;
    if (extra < 0) throw new Error(`padShortcut: cannot shrink ${c} channels to ${outChannels}; use a 1×1 conv shortcut`);
    return [Math.floor(extra / 2), extra - Math.floor(extra / 2)];
  };
  return {
    init(_key, inShape) {
      const [n, c, h, w] = oneShape('padShortcut', inShape, [4], 'NCHW') as [number, number, number, number];
      pads(c);
      return [[n, outChannels, Math.ceil(h / stride), Math.ceil(w / stride)], EMPTY, EMPTY];
    },
    apply(_p, _s, x) {
      const t = oneTensor('padShortcut', x, [4], 'NCHW');
      const sub = stride === 1 ? t : slice(t, [undefined, undefined, { step: stride }, { step: stride }]);
      return [pad(sub, [[0, 0], pads(t.shape[1]!)]), EMPTY];
    },
  };
}

export interface BlockOptions {
  readonly stride: number;
  /** 'A' (padding, parameter-free), 'B' (1×1 conv + BN) when the shape changes; identity otherwise. */
  readonly shortcut: 'A' | 'B';
  readonly convInit?: Initializer;
}

const convBias = (init?: Initializer) => ({ bias: false, ...(init ? { wInit: init } : {}) });

/** The 1×1 conv + BN projection shortcut (option B). Params `{ conv: { w }, bn: { gamma, beta } }`. */
export function projection(outChannels: number, stride: number, convInit?: Initializer): Layer {
  return serial({ conv: conv2d(outChannels, 1, { stride, ...convBias(convInit) }), bn: batchNorm() });
}

/**
 * ResNet basic block (He et al. 2016): relu(bn2(conv2(relu(bn1(conv1(x))))) + shortcut(x)), 3×3
 * convs without bias, the first with `stride`.
 * - input `[N, inPlanes, H, W]`, output `[N, planes, H / stride, W / stride]`
 * - params `{ main: { conv1, bn1, conv2, bn2 }, shortcut?: { conv, bn } }`
 */
export function basicBlock(inPlanes: number, planes: number, opts: BlockOptions): Layer {
  const c = convBias(opts.convInit);
  const main = serial({
    conv1: conv2d(planes, 3, { stride: opts.stride, padding: 1, ...c }),
    bn1: batchNorm(),
    relu,
    conv2: conv2d(planes, 3, { padding: 1, ...c }),
    bn2: batchNorm(),
  });
  const needs = opts.stride !== 1 || inPlanes !== planes;
  const sc = !needs ? undefined : opts.shortcut === 'A' ? padShortcut(planes, opts.stride) : projection(planes, opts.stride, opts.convInit);
  return residual(main, sc, { post: relu });
}

/**
 * ResNet bottleneck block, torchvision's "v1.5" (stride on the 3×3 conv): 1×1 → planes, 3×3 →
 * planes, 1×1 → 4·planes, each followed by BN, ReLU between, ReLU after the sum.
 * - input `[N, inPlanes, H, W]`, output `[N, 4·planes, H / stride, W / stride]`
 * - params `{ main: { conv1, bn1, conv2, bn2, conv3, bn3 }, shortcut?: { conv, bn } }`
 */
export function bottleneckBlock(inPlanes: number, planes: number, opts: BlockOptions): Layer {
  const c = convBias(opts.convInit);
  const main = serial({
    conv1: conv2d(planes, 1, c),
    bn1: batchNorm(),
    relu1: relu,
    conv2: conv2d(planes, 3, { stride: opts.stride, padding: 1, ...c }),
    bn2: batchNorm(),
    relu2: relu,
    conv3: conv2d(planes * 4, 1, c),
    bn3: batchNorm(),
  });
  const needs = opts.stride !== 1 || inPlanes !== planes * 4;
  const sc = !needs ? undefined : opts.shortcut === 'A' ? padShortcut(planes * 4, opts.stride) : projection(planes * 4, opts.stride, opts.convInit);
  return residual(main, sc, { post: relu });
}
