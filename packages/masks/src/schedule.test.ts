import { describe, expect, it } from 'vitest';
import { fc, test } from '@fast-check/vitest';
import { everyEpochs, everySteps, isFirstStepOfEpoch, never, positionOf } from './schedule.js';

describe('refresh schedules', () => {
  test.prop([fc.integer({ min: 1, max: 5 }), fc.integer({ min: 1, max: 7 }), fc.integer({ min: 1, max: 40 })])(
    'everyEpochs(k) is due exactly once per k epochs, at the first step of epochs 0, k, 2k, ...',
    (k, stepsPerEpoch, epochs) => {
      const due = everyEpochs(k);
      const hits = Array.from({ length: epochs * stepsPerEpoch }, (_, s) => s).filter((s) => due(positionOf(s, stepsPerEpoch)));
      expect(hits).toEqual(Array.from({ length: Math.ceil(epochs / k) }, (_, i) => i * k * stepsPerEpoch));
    },
  );

  test.prop([fc.integer({ min: 1, max: 9 }), fc.integer({ min: 0, max: 9 }), fc.integer({ min: 1, max: 5 })])('everySteps(k, offset) is due at offset + jk', (k, offset, spe) => {
    const due = everySteps(k, { offset });
    const hits = Array.from({ length: 60 }, (_, s) => s).filter((s) => due(positionOf(s, spe)));
    expect(hits).toEqual(Array.from({ length: 60 }, (_, s) => s).filter((s) => s >= offset && (s - offset) % k === 0));
  });

  it('positions, first steps, never, and validation', () => {
    expect(positionOf(7, 3)).toEqual({ step: 7, epoch: 2, stepInEpoch: 1 });
    expect(isFirstStepOfEpoch(positionOf(6, 3))).toBe(true);
    expect(isFirstStepOfEpoch(positionOf(7, 3))).toBe(false);
    expect(never(positionOf(0, 1))).toBe(false);
    expect(() => everyEpochs(0)).toThrow(/everyEpochs: k must be an integer ≥ 1; got 0/);
    expect(() => positionOf(1, 0)).toThrow(/positionOf: stepsPerEpoch must be an integer ≥ 1/);
    expect(() => everySteps(2)({ step: -1, epoch: 0, stepInEpoch: 0 })).toThrow(/everySteps: position.step must be an integer ≥ 0/);
  });
});
