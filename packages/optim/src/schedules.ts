import { ArgumentError } from '@ssam/tensor';
import { checkFinite, checkNonNegative, checkNonNegativeInt, checkPositiveInt } from './internal/validate.js';
import type { Schedule } from './types.js';

// Schedules are pure functions of a step count that starts at 0: `scaleByLearningRate(s)` calls
// s(k) for the k-th update. Wrap one in `perEpoch` to change it once per epoch; then the first
// step of epoch e uses s(e) — not s(e − 1), the reference code's one-epoch-late scheduler.

/** The same value at every step. @example constantSchedule(0.1)(1234) === 0.1 */
export function constantSchedule(value: number): Schedule {
  const v = checkFinite('constantSchedule', 'value', value);
  return () => v;
}

/**
 * Straight line from `init` to `end` over `steps` steps, then constant `end`.
 * @example linearSchedule({ init: 0.1, end: 0, steps: 100 })(50) // 0.05
 */
export function linearSchedule({ init, end, steps }: { init: number; end: number; steps: number }): Schedule {
  const op = 'linearSchedule';
  checkFinite(op, 'init', init);
  checkFinite(op, 'end', end);
  checkPositiveInt(op, 'steps', steps);
  return (t) => init + ((end - init) * Math.min(Math.max(t, 0), steps)) / steps;
}

export interface WarmupCosineOptions {
  /** Value at step 0 (default 0). */
  readonly init?: number;
  /** Value reached at the end of the warm-up. */
  readonly peak: number;
  /** Linear warm-up length in steps (default 0: plain cosine from `peak`). */
  readonly warmupSteps?: number;
  /** Step at which the cosine reaches `end`; constant after that. Includes the warm-up. */
  readonly totalSteps: number;
  /** Final value (default 0; PyTorch's eta_min). */
  readonly end?: number;
}

/**
 * Linear warm-up from `init` to `peak`, then a half cosine from `peak` down to `end` at
 * `totalSteps` (PyTorch CosineAnnealingLR after the warm-up).
 * @example warmupCosineSchedule({ peak: 0.1, warmupSteps: 5, totalSteps: 100 })(5) // 0.1
 */
export function warmupCosineSchedule({ init = 0, peak, warmupSteps = 0, totalSteps, end = 0 }: WarmupCosineOptions): Schedule {
  const op = 'warmupCosineSchedule';
  checkFinite(op, 'init', init);
  checkFinite(op, 'peak', peak);
  checkFinite(op, 'end', end);
  checkNonNegativeInt(op, 'warmupSteps', warmupSteps);
  checkPositiveInt(op, 'totalSteps', totalSteps);
  if (warmupSteps >= totalSteps)
    throw new ArgumentError(op, `warmupSteps (${warmupSteps}) must be smaller than totalSteps (${totalSteps}), which includes the warm-up`);
  const decay = totalSteps - warmupSteps;
  return (t) => {
    if (t < warmupSteps) return init + ((peak - init) * t) / warmupSteps;
    const s = Math.min(t - warmupSteps, decay);
    return end + ((peak - end) * (1 + Math.cos((Math.PI * s) / decay))) / 2;
  };
}

/**
 * `init · γ^k` where k is the number of milestones ≤ t (PyTorch MultiStepLR).
 * @example multistepSchedule({ init: 0.1, milestones: [100, 150], gamma: 0.1 })(120) // 0.01
 */
export function multistepSchedule({ init, milestones, gamma = 0.1 }: { init: number; milestones: readonly number[]; gamma?: number }): Schedule {
  const op = 'multistepSchedule';
  checkFinite(op, 'init', init);
  checkNonNegative(op, 'gamma', gamma);
  if (!Array.isArray(milestones)) throw new ArgumentError(op, `milestones must be an array of step counts, got ${String(milestones)}`);
  milestones.forEach((m, i) => {
    checkNonNegativeInt(op, `milestones[${i}]`, m);
    if (i > 0 && m <= milestones[i - 1]!)
      throw new ArgumentError(op, `milestones must increase strictly; got ${milestones[i - 1]} then ${m} at index ${i}`);
  });
  const ms = [...milestones];
  return (t) => {
    let k = 0;
    while (k < ms.length && ms[k]! <= t) k++;
    return init * Math.pow(gamma, k);
  };
}

/**
 * Turns a per-epoch schedule into a per-step one: step k uses `schedule(floor(k / stepsPerEpoch))`.
 * The first step of epoch e therefore already uses the value for epoch e.
 * @example
 * const lr = perEpoch(warmupCosineSchedule({ peak: 0.05, totalSteps: 200 }), 391); // 200 epochs of 391 batches
 */
export function perEpoch(schedule: Schedule, stepsPerEpoch: number): Schedule {
  const op = 'perEpoch';
  if (typeof schedule !== 'function') throw new ArgumentError(op, `schedule must be a function of the epoch, got ${String(schedule)}`);
  checkPositiveInt(op, 'stepsPerEpoch', stepsPerEpoch);
  return (t) => schedule(Math.floor(t / stepsPerEpoch));
}
