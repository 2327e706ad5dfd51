/**
 * @ssam/masks: the masks that make SAM sparse. Scores (Fisher, |g|, |w|, random), selections
 * (global/per-tensor top-k, structured, N:M), SSAM-D's drop-and-grow, and refresh schedules.
 * A mask is a pytree shaped like the params with 0/1 float32 leaves (1 = perturbed).
 * @example
 * import { topKMask, weightMagnitude, density } from '@ssam/masks';
 * const mask = topKMask(weightMagnitude(params), { sparsity: 0.5 });
 * density(mask); // 0.5 (exactly floor(N/2) ones)
 */
export {
  type Mask, applyMask, density, countOnes, partition, combine, union, intersect, complement, fullMask, emptyMask,
} from './mask.js';
export { type Exclude, excludeVectors, excludedLeaves } from './exclude.js';
export { topKMask, keepCount, type TopKOptions } from './topk.js';
export { structuredMask, type StructuredOptions } from './structured.js';
export { nmMask, type NMOptions } from './nm.js';
export { gradientMagnitude, weightMagnitude, randomScores } from './scores.js';
export { fisherScores, type PerExampleLoss, type FisherOptions } from './fisher.js';
export {
  randomMask, dropAndGrow, cosineDropRate, type RandomMaskOptions, type DropAndGrowOptions, type CosineDropRateOptions,
} from './dynamic.js';
export {
  everyEpochs, everySteps, isFirstStepOfEpoch, positionOf, never, type TrainingPosition, type RefreshSchedule,
} from './schedule.js';
export { leafPaths } from './internal/paths.js';
