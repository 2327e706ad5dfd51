import { tensor, type Tensor } from '@ssam/tensor';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { applyUpdates } from './combine.js';
import { constantSchedule, linearSchedule, multistepSchedule, perEpoch, warmupCosineSchedule } from './schedules.js';
import { sgd } from './sgd.js';
import type { Schedule } from './types.js';

/** The learning rate each update actually used, read back from w − η·1 with g = 1. */
function lrsUsed(lr: Schedule, steps: number): number[] {
  const opt = sgd({ lr });
  let params = { w: tensor([0]) };
  let state = opt.init(params);
  const out: number[] = [];
  for (let k = 0; k < steps; k++) {
    const before = params.w.item();
    const [u, s] = opt.update({ w: tensor([1]) }, state, params);
    params = applyUpdates(params, u) as { w: Tensor };
    state = s;
    out.push(before - params.w.item());
  }
  return out;
}

describe('schedules', () => {
  it('constant', () => expect(constantSchedule(0.3)(12345)).toBe(0.3));
  it('linear: endpoints, midpoint, constant after', () => {
    const s = linearSchedule({ init: 1, end: 0, steps: 10 });
    expect([s(0), s(5), s(10), s(20)]).toEqual([1, 0.5, 0, 0]);
  });
  it('warmup + cosine: 0 → peak linearly, then half cosine to end', () => {
    const s = warmupCosineSchedule({ peak: 1, warmupSteps: 4, totalSteps: 14, end: 0.1 });
    expect(s(0)).toBe(0);
    expect(s(2)).toBe(0.5);
    expect(s(4)).toBe(1);
    expect(s(9)).toBeCloseTo(0.55, 12);
    expect(s(14)).toBeCloseTo(0.1, 12);
    expect(s(100)).toBeCloseTo(0.1, 12);
  });
  it('cosine matches PyTorch CosineAnnealingLR(T_max) for every epoch', () => {
    const s = warmupCosineSchedule({ peak: 0.05, totalSteps: 200 });
    for (let e = 0; e <= 200; e += 13) expect(s(e)).toBeCloseTo(0.05 * (1 + Math.cos((Math.PI * e) / 200)) / 2, 12);
  });
  it('multistep matches MultiStepLR (milestone counts as reached at its own step)', () => {
    const s = multistepSchedule({ init: 1, milestones: [3, 6], gamma: 0.1 });
    expect([0, 2, 3, 5, 6, 100].map(s).map((x) => +x.toPrecision(6))).toEqual([1, 1, 0.1, 0.1, 0.01, 0.01]);
  });
  it('schedules are non-increasing after the warm-up (property)', () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 20 }), fc.integer({ min: 1, max: 200 }), fc.double({ min: 1e-4, max: 10, noNaN: true }), (w, d, peak) => {
        const s = warmupCosineSchedule({ peak, warmupSteps: w, totalSteps: w + d });
        for (let t = w; t < w + d + 5; t++) expect(s(t + 1)).toBeLessThanOrEqual(s(t) + 1e-12);
        for (let t = 0; t < w; t++) expect(s(t + 1)).toBeGreaterThanOrEqual(s(t));
      }),
      { numRuns: 50 },
    );
  });
  it('rejects bad arguments when built', () => {
    expect(() => warmupCosineSchedule({ peak: 1, warmupSteps: 10, totalSteps: 10 })).toThrow(/warmupSteps \(10\) must be smaller than totalSteps/);
    expect(() => linearSchedule({ init: 1, end: 0, steps: 0 })).toThrow(/steps must be a positive integer/);
    expect(() => multistepSchedule({ init: 1, milestones: [5, 3] })).toThrow(/milestones must increase strictly/);
    expect(() => perEpoch(constantSchedule(1), 0)).toThrow(/stepsPerEpoch/);
  });
});

describe('schedules inside the optimizer: no one-epoch-late scheduler (field notes #6)', () => {
  it('per step: update k uses lr(k), starting with lr(0) at step 0', () => {
    const lr = linearSchedule({ init: 0.5, end: 0.1, steps: 4 });
    const used = lrsUsed(lr, 6);
    used.forEach((x, k) => expect(x).toBeCloseTo(lr(k), 6));
    expect(used[0]).toBeCloseTo(0.5, 6);
  });
  it('per epoch: the FIRST step of epoch e already uses lr(e)', () => {
    const byEpoch = multistepSchedule({ init: 0.4, milestones: [1, 2], gamma: 0.5 });
    const stepsPerEpoch = 3;
    const used = lrsUsed(perEpoch(byEpoch, stepsPerEpoch), 9);
    expect(used[0]).toBeCloseTo(0.4, 6); // step 0 of epoch 0
    expect(used[3]).toBeCloseTo(0.2, 6); // first step of epoch 1 — the late scheduler gives 0.4 here
    expect(used[6]).toBeCloseTo(0.1, 6); // first step of epoch 2
    used.forEach((x, k) => expect(x).toBeCloseTo(byEpoch(Math.floor(k / stepsPerEpoch)), 6));
  });
});
