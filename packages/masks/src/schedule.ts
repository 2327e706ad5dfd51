import { ArgumentError } from '@ssam/tensor';
import { checkInt } from './internal/validate.js';

/**
 * When to refresh a mask, as pure functions of the training position. A schedule answers "is a
 * refresh due at this step?"; the caller refreshes BEFORE the step (the @ssam default: the first
 * step already uses a computed mask) or AFTER it (the reference timing, which starts from an
 * all-zero mask and computes the first mask after the first step).
 */
export interface TrainingPosition {
  /** Global step counter, from 0. */
  readonly step: number;
  /** Epoch, from 0. */
  readonly epoch: number;
  /** Step within the epoch, from 0. */
  readonly stepInEpoch: number;
}

export type RefreshSchedule = (pos: TrainingPosition) => boolean;

/** The position of global step `step` when every epoch has `stepsPerEpoch` steps. */
export function positionOf(step: number, stepsPerEpoch: number): TrainingPosition {
  checkInt('positionOf', step, 'step', 0);
  checkInt('positionOf', stepsPerEpoch, 'stepsPerEpoch', 1);
  return { step, epoch: Math.floor(step / stepsPerEpoch), stepInEpoch: step % stepsPerEpoch };
}

function checkPos(op: string, pos: TrainingPosition): void {
  for (const k of ['step', 'epoch', 'stepInEpoch'] as const)
    if (!Number.isInteger(pos?.[k]) || pos[k] < 0)
      throw new ArgumentError(op, `position.${k} must be an integer ≥ 0; got ${String(pos?.[k])}. Build positions with positionOf(step, stepsPerEpoch)`);
}

/** True at the first step of every epoch. */
export function isFirstStepOfEpoch(pos: TrainingPosition): boolean {
  checkPos('isFirstStepOfEpoch', pos);
  return pos.stepInEpoch === 0;
}

/**
 * Due at the first step of epochs 0, k, 2k, ... (SSAM's `updateInterval` in epochs; the papers
 * use k = 1 or 5).
 * @example const due = everyEpochs(5); due(positionOf(step, stepsPerEpoch))
 */
export function everyEpochs(k: number): RefreshSchedule {
  checkInt('everyEpochs', k, 'k', 1, 'Refresh every k ≥ 1 epochs');
  return (pos) => isFirstStepOfEpoch(pos) && pos.epoch % k === 0;
}

/** Due at global steps offset, offset + k, offset + 2k, ... (offset defaults to 0). */
export function everySteps(k: number, { offset = 0 }: { readonly offset?: number } = {}): RefreshSchedule {
  checkInt('everySteps', k, 'k', 1, 'Refresh every k ≥ 1 steps');
  checkInt('everySteps', offset, 'offset', 0);
  return (pos) => {
    checkPos('everySteps', pos);
    return pos.step >= offset && (pos.step - offset) % k === 0;
  };
}

/** Never due (a fixed mask). */
export const never: RefreshSchedule = () => false;
