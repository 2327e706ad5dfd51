import * as nn from '@ssam/models';
import type { Layer } from '@ssam/models';
import { UsageError } from '../config.js';

/** What a model needs from the data: the shape of one example and the number of classes. */
export interface ModelInput {
  readonly shape: readonly number[];
  readonly numClasses: number;
}

interface ModelEntry {
  readonly summary: string;
  /** Minimum rank of one example (1 = feature vectors work, 3 = needs C×H×W images). */
  readonly minRank: 1 | 3;
  readonly build: (input: ModelInput, width: readonly number[]) => Layer;
  /** Draws random numbers from the step's key in training (dropout): `--compile` cannot trace it. */
  readonly dropout?: true;
}

/** The models `--model` accepts, by CLI name. */
export const MODELS: Readonly<Record<string, ModelEntry>> = {
  mlp: { summary: 'multi-layer perceptron, hidden widths from --width', minRank: 1, build: (i, w) => nn.mlp([...w, i.numClasses]) },
  lenet5: { summary: 'LeNet-5 (28×28 inputs: padding 2; 32×32: padding 0)', minRank: 3, build: (i) => nn.lenet5({ numClasses: i.numClasses, padding: i.shape[1] === 32 ? 0 : 2 }) },
  cnn: { summary: 'small CNN: two 3×3 conv + pool stages, one dense layer', minRank: 3, build: (i) => nn.smallCnn({ numClasses: i.numClasses }) },
  resnet20: { summary: 'CIFAR ResNet-20 (0.27 M params)', minRank: 3, build: (i) => nn.resnet20({ numClasses: i.numClasses }) },
  resnet32: { summary: 'CIFAR ResNet-32', minRank: 3, build: (i) => nn.resnet32({ numClasses: i.numClasses }) },
  resnet56: { summary: 'CIFAR ResNet-56', minRank: 3, build: (i) => nn.resnet56({ numClasses: i.numClasses }) },
  resnet18: { summary: 'CIFAR ResNet-18 of the SSAM code (11.2 M params)', minRank: 3, build: (i) => nn.resnet18Cifar({ numClasses: i.numClasses }) },
  'wrn-16-8': { summary: 'Wide ResNet 16-8 (11 M params)', minRank: 3, build: (i) => nn.wideResNet({ depth: 16, width: 8, numClasses: i.numClasses }) },
  'wrn-28-10': { summary: 'Wide ResNet 28-10 (36.5 M params)', minRank: 3, build: (i) => nn.wideResNet({ depth: 28, width: 10, numClasses: i.numClasses }) },
  vgg11: { summary: 'VGG-11 with BatchNorm', minRank: 3, dropout: true, build: (i) => nn.vgg11({ numClasses: i.numClasses }) },
  vgg16: { summary: 'VGG-16 with BatchNorm', minRank: 3, dropout: true, build: (i) => nn.vgg16({ numClasses: i.numClasses }) },
};

export const MODEL_NAMES: readonly string[] = Object.keys(MODELS);

/**
 * Builds the model for the data and checks that they fit, by running `init` (shapes only matter);
 * a mismatch is a UsageError naming both.
 */
export function buildModel(name: string, input: ModelInput, width: readonly number[], o: { compile?: boolean } = {}): Layer {
  const entry = MODELS[name];
  if (!entry) throw new UsageError(`--model must be one of ${MODEL_NAMES.join(', ')}; got '${name}'`);
  checkCompile(name, o.compile ?? false);
  if (input.shape.length < entry.minRank)
    throw new UsageError(`--model ${name} needs image data (C×H×W examples); this data set has examples of shape [${input.shape.join(', ')}]. Use --model mlp`);
  return entry.build(input, width);
}

/**
 * `--compile` traces each pass once and replays the plan; a model whose training pass draws from
 * the step's key (dropout) would replay one draw, so makeTrainStep refuses it at its first step.
 * Refused here instead, before any data is read or anything is written.
 */
export function checkCompile(name: string, compile: boolean): void {
  if (compile && MODELS[name]?.dropout)
    throw new UsageError(`--compile cannot be used with --model ${name}: its classifier uses dropout, which draws random numbers at each step and cannot be compiled; drop --compile (or pass --no-compile)`);
}
