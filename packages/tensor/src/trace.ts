import type { PrimAttrs, PrimName } from './primitives.js';
import type { Tensor } from './tensor.js';

/**
 * A tracer sees every primitive application while it is active. @ssam/autograd installs one per
 * `vjp` so that the tape records exactly the primitives a function ran. Tracers nest: the ops of an
 * inner pullback are recorded by the outer tracers, which is what makes higher-order derivatives
 * work.
 */
export interface Tracer {
  record<P extends PrimName>(prim: P, inputs: readonly Tensor[], attrs: PrimAttrs[P], output: Tensor): void;
}

const tracers: Tracer[] = [];
let paused = 0;
/**
 * Observers see every primitive, also inside `untraced` (a stopGradient is still a node of a
 * compiled plan, only one that autograd does not differentiate). `compile` installs one while it
 * traces.
 */
const observers: Tracer[] = [];

/** @internal used by `compile` */
export function pushObserver(t: Tracer): void {
  observers.push(t);
}

/** @internal true while `compile` traces (random draws refuse to run then). */
export function observing(): boolean {
  return observers.length > 0;
}

/** @internal used by `compile` */
export function popObserver(t: Tracer): void {
  const i = observers.lastIndexOf(t);
  if (i >= 0) observers.splice(i, 1);
}

export function pushTracer(t: Tracer): void {
  tracers.push(t);
}

export function popTracer(t: Tracer): void {
  const i = tracers.lastIndexOf(t);
  if (i >= 0) tracers.splice(i, 1);
}

/** Runs `fn` with no tracer recording (used by custom VJPs and stopGradient-like code). */
export function untraced<T>(fn: () => T): T {
  paused++;
  try {
    return fn();
  } finally {
    paused--;
  }
}

export function activeTracers(): readonly Tracer[] {
  return paused > 0 ? [] : tracers;
}

export function notifyTracers<P extends PrimName>(
  prim: P,
  inputs: readonly Tensor[],
  attrs: PrimAttrs[P],
  output: Tensor,
): void {
  for (let i = 0; i < observers.length; i++) observers[i]!.record(prim, inputs, attrs, output);
  if (paused > 0) return;
  for (let i = 0; i < tracers.length; i++) tracers[i]!.record(prim, inputs, attrs, output);
}
