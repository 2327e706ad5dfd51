import { everyEpochs, everySteps, positionOf, type RefreshSchedule } from '@ssam/masks';
import { ArgumentError, random, tensor, type Key, type Tensor } from '@ssam/tensor';
import { checkOneOf, checkPositiveInt } from '../internal/validate.js';

/** When an SSAM mask is recomputed. */
export interface RefreshOptions {
  /** Recompute every `interval` epochs (or steps, with `intervalUnit: 'step'`). Default 1. */
  readonly interval?: number;
  /** Batches per epoch; required when the interval counts epochs (the default). */
  readonly stepsPerEpoch?: number;
  readonly intervalUnit?: 'epoch' | 'step';
}

export interface RefreshClock {
  /** Is a refresh due at global step `step` (from 0)? Always true at step 0. */
  due(step: number): boolean;
  /** The epoch of `step` (the step itself when the unit is 'step'). */
  epoch(step: number): number;
}

export function refreshClock(op: string, o: RefreshOptions): RefreshClock {
  const interval = checkPositiveInt(op, 'interval', o.interval ?? 1);
  const unit = checkOneOf(op, 'intervalUnit', o.intervalUnit ?? 'epoch', ['epoch', 'step'] as const);
  if (unit === 'step') {
    const sched: RefreshSchedule = everySteps(interval);
    return { due: (step) => sched(positionOf(step, 1)), epoch: (step) => step };
  }
  if (o.stepsPerEpoch === undefined)
    throw new ArgumentError(op, "interval counts epochs, so stepsPerEpoch (batches per epoch) is required; or pass intervalUnit: 'step' to count steps");
  const spe = checkPositiveInt(op, 'stepsPerEpoch', o.stepsPerEpoch);
  const sched = everyEpochs(interval);
  return { due: (step) => sched(positionOf(step, spe)), epoch: (step) => Math.floor(step / spe) };
}

// PRNG keys ride in optimizer state as int32 [2] tensors (the two words, bit-cast), so the state
// stays a tree of tensors that any checkpoint format can store.
export const keyToTensor = (k: Key): Tensor => tensor(Int32Array.from([k.words[0] | 0, k.words[1] | 0]), [2], { dtype: 'int32' });
export function keyFromTensor(t: Tensor): Key {
  const w = t.toArray();
  return random.keyFromWords(w[0]! >>> 0, w[1]! >>> 0);
}
