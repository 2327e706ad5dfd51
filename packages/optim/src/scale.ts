import { ArgumentError, tree, type Tensor } from '@ssam/tensor';
import { nextCount, readCount, zeroCount } from './internal/count.js';
import { checkFinite, checkRateOrSchedule } from './internal/validate.js';
import type { GradientTransformation, Schedule } from './types.js';

/**
 * Multiplies every update by a fixed factor `s`.
 * @example
 * const half = scale(0.5);
 */
export function scale(s: number): GradientTransformation<Record<string, never>> {
  const factor = checkFinite('scale', 's', s);
  return {
    init: () => ({}),
    update: (grads, state) => [tree.scale(factor, grads), state],
  };
}

export interface ScaleByScheduleState {
  readonly count: Tensor;
}

/**
 * Multiplies the updates by `schedule(count)`, where `count` is the number of updates applied
 * before this one: the first update uses `schedule(0)`.
 * @example
 * const t = scaleBySchedule((step) => 1 / Math.sqrt(step + 1));
 */
export function scaleBySchedule(schedule: Schedule): GradientTransformation<ScaleByScheduleState> {
  if (typeof schedule !== 'function') throw new ArgumentError('scaleBySchedule', `schedule must be a function of the step, got ${String(schedule)}`);
  return {
    init: () => ({ count: zeroCount() }),
    update(grads, state) {
      const n = readCount('scaleBySchedule.update', state.count);
      return [tree.scale(schedule(n), grads), { count: nextCount(n) }];
    },
  };
}

/**
 * Scales by −lr (the sign flip that turns a gradient into a descent step). `lr` is a number or a
 * schedule of the step count; step k of training (from 0) uses `lr(k)`.
 * @example
 * const opt = chain(scaleByMomentum({ momentum: 0.9 }), scaleByLearningRate(warmupCosineSchedule({ peak: 0.1, warmupSteps: 100, totalSteps: 5000 })));
 */
export function scaleByLearningRate(lr: number | Schedule): GradientTransformation<ScaleByScheduleState | Record<string, never>> {
  const rate = checkRateOrSchedule('scaleByLearningRate', 'lr', lr);
  if (typeof rate === 'number') return scale(-rate);
  const inner = scaleBySchedule((step) => -rate(step));
  return inner as GradientTransformation<ScaleByScheduleState | Record<string, never>>;
}
