import { numBatches } from '@ssam/data';
import { countParams, type Layer } from '@ssam/models';
import type { GradientTransformation } from '@ssam/optim';
import { ArgumentError, random, type Key } from '@ssam/tensor';
import { UsageError, type TrainConfig } from '../config.js';
import type { RunData } from '../setup/datasets.js';
import { buildModel } from '../setup/models.js';
import { checkNMFit } from '../setup/nm-fit.js';
import { buildOptimizer, learningRate, perturbationRadius } from '../setup/optimizer.js';
import type { TrainState } from './step.js';

/** The run's keys, all derived from the seed: parameter init, data order/augmentation, steps. */
export interface RunKeys {
  readonly init: Key;
  readonly data: Key;
  readonly step: Key;
}

/** A run ready to start: validated, data loaded, model and optimizer built; nothing written yet. */
export interface PreparedRun {
  readonly config: TrainConfig;
  readonly data: RunData;
  readonly model: Layer;
  readonly optimizer: GradientTransformation<any>;
  readonly stepsPerEpoch: number;
  readonly lrAt: (step: number) => number;
  /** SAM's radius ρ at a step (0 for sgd). */
  readonly rhoAt: (step: number) => number;
  readonly keys: RunKeys;
  readonly paramCount: number;
  /** N:M runs: the weights left out of the selection (their input size is not a multiple of M). */
  readonly nmExcluded: readonly string[];
  /** The state at step 0 (params from `keys.init`). */
  readonly initial: TrainState;
}

export function runKeys(seed: number): RunKeys {
  const [init, data, step] = random.split(random.key(seed), 3) as [Key, Key, Key];
  return { init, data, step };
}

/**
 * Builds everything a run needs from its config and data. Combinations the model or optimizer
 * reject (an image model on feature vectors, an N:M pattern the layer sizes cannot hold) become
 * UsageErrors, before anything is written.
 */
export function prepareRun(config: TrainConfig, data: RunData): PreparedRun {
  const stepsPerEpoch = numBatches(data.train.length, config.batchSize);
  const keys = runKeys(config.seed);
  const model = buildModel(config.model, { shape: data.train.shape, numClasses: data.train.numClasses }, config.width, { compile: config.compile });
  try {
    const optimizer = buildOptimizer(config, stepsPerEpoch);
    const [, params, modelState] = model.init(keys.init, [-1, ...data.train.shape]);
    const nmExcluded = checkNMFit(config, params);
    const optState = optimizer.init(params);
    return {
      config, data, model, optimizer, stepsPerEpoch, keys,
      lrAt: learningRate(config, stepsPerEpoch),
      rhoAt: perturbationRadius(config),
      paramCount: countParams(params),
      nmExcluded,
      initial: { params, modelState, optState },
    };
  } catch (e) {
    if (e instanceof ArgumentError) throw new UsageError(`${config.optimizer} on ${config.model}: ${e.message}`);
    throw e;
  }
}
