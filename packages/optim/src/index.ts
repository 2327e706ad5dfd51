/**
 * @ssam/optim: optax-style gradient transformations (SGD, AdamW, schedules, combinators) and the
 * sharpness-aware family (SAM, ASAM, SSAM-F, SSAM-D) as pure steps.
 * @example
 * import { sam, sgd, applyUpdates } from '@ssam/optim';
 * const opt = sam({ rho: 0.05, base: sgd({ lr: 0.1, momentum: 0.9 }) });
 */
export type { GradientTransformation, Params, Updates, OptState, GradFn, FisherSampler, UpdateExtra, Schedule, ImplicitMask, ImplicitPass } from './types.js';
export { chain, identity, applyUpdates } from './combine.js';
export { scale, scaleBySchedule, scaleByLearningRate, type ScaleByScheduleState } from './scale.js';
export { scaleByMomentum, type ScaleByMomentumOptions, type ScaleByMomentumState } from './momentum.js';
export { addDecayedWeights } from './decay.js';
export { scaleByAdam, type ScaleByAdamOptions, type ScaleByAdamState } from './adam.js';
export { clipByGlobalNorm } from './clip.js';
export { masked, type LeafMask } from './masked.js';
export { sgd, type SgdOptions } from './sgd.js';
export { adamw, adam, type AdamOptions } from './adamw.js';
export { constantSchedule, linearSchedule, warmupCosineSchedule, multistepSchedule, perEpoch, type WarmupCosineOptions } from './schedules.js';
export { sam, asam, samAscent, type SamOptions, type AdaptiveOption } from './sam/sam.js';
export { type SamState, type SamStats, type SamForm, type MaskPolicy, type StepContext } from './sam/core.js';
export { normalizeGlobal, maskBy, scaleByRho, ascentChain, type AscentContext, type AscentExtra } from './sam/ascent.js';
export { globalNorm, squaredNorm } from './sam/norm.js';
export { ssamF, type SsamFOptions, type SsamFState, type SsamMaskState, type MaskPattern } from './sam/ssamF.js';
export { ssamD, type SsamDOptions, type SsamDState, type SsamDMaskState, type DynamicScore, type ScoreFunction, type ScoreContext } from './sam/ssamD.js';
export { type RefreshOptions } from './sam/refresh.js';
export { makeTrainStep, samStats, type Model, type TrainStep, type TrainStepOptions, type TrainStepResult, type TrainMetrics, type SkipReason } from './train/trainStep.js';
export { perExampleCrossEntropy } from './train/loss.js';
export { type Batch } from './train/microbatch.js';
export { friendlySam, subtractEma, type FriendlySamOptions, type SubtractEmaState } from './variants/friendlySam.js';
export { samOn, isNormalizationParam, leafMaskPolicy, type SamOnOptions, type LeafSelector } from './variants/samOn.js';
export { vasso, emaOfGradients, type VassoOptions, type EmaOfGradientsState } from './variants/vasso.js';
export { esamSwp, bernoulliMaskPolicy, type EsamSwpOptions, type SwpMaskState } from './variants/esamSwp.js';
export { rwp, randomFilterNoise, filterScale, type RwpOptions } from './variants/rwp.js';
export { lookSam, type LookSamOptions, type LookSamState } from './variants/lookSam.js';
export { gsam, gsamRho, type GsamOptions, type GsamState } from './variants/gsam.js';
export { momentumSam, momentumSamWeights, type MomentumSamOptions, type MomentumSamState } from './variants/momentumSam.js';
