/**
 * @ssam/models: layers and models as pure `init` / `apply` pairs (JAX stax, equinox), losses,
 * metrics and parameter groups. Parameters and state are pytrees with readable keys.
 * @example
 * import { random } from '@ssam/tensor';
 * import * as nn from '@ssam/models';
 * const model = nn.serial({ fc1: nn.dense(32), act: nn.relu, fc2: nn.dense(10) });
 * const [outShape, params, state] = model.init(random.key(0), [-1, 4]);
 */
export { EMPTY, isLayer, type ApplyContext, type Empty, type Layer, type Params, type Shape, type ShapeTree, type State, type Value } from './layer.js';
export * as initializers from './init.js';
export type { Fans, Initializer } from './init.js';
export { serial, parallel, fanOut, fanInSum, fanInConcat, residual, splitKey, type Layers } from './combinators.js';

export { dense, type DenseOptions, type DenseParams } from './layers/dense.js';
export { conv2d, type Conv2dLayerOptions, type Conv2dParams } from './layers/conv.js';
export { batchNorm, type BatchNormOptions, type BatchNormParams, type BatchNormState } from './layers/batchnorm.js';
export { relu, gelu, tanh, sigmoid, identity, elementwise } from './layers/activations.js';
export { maxPool, avgPool, globalAvgPool, type PoolOptions } from './layers/pooling.js';
export { flatten } from './layers/reshape.js';
export { dropout } from './layers/dropout.js';

export { mlp, lenet5, smallCnn } from './models/simple.js';
export { padShortcut, projection, basicBlock, bottleneckBlock, type BlockOptions } from './models/blocks.js';
export { resnet, resnet18, resnet34, resnet50, resnet18Cifar, resnetCifar, resnet20, resnet32, resnet56, type ResNetOptions, type CifarResNetOptions } from './models/resnet.js';
export { wideResNet, wideBasicBlock, type WideResNetOptions } from './models/wide-resnet.js';
export { vgg, vgg11, vgg16, type VggOptions } from './models/vgg.js';

export { softmaxCrossEntropy, type CrossEntropyOptions } from './losses.js';
export { accuracy, topKAccuracy, topKCorrect } from './metrics.js';
export { countParams, namedParams, getPath, evalShape, type ShapeOf } from './params.js';
export { paramGroups, groupMask, byKind, byPath, type GroupRule, type ParamKind } from './groups.js';
