import { describe, expect, it } from 'vitest';
import { silentProgress } from '../progress.js';
import { median, medianRelSe, runTiming, timingSink, warmupSteps } from './timing.js';

describe('step timing', () => {
  it('times the intervals between step reports within an epoch, not across its end', () => {
    const { sink, times } = timingSink(silentProgress);
    const info = { epoch: 1, step: 1, loss: 0, acc: 0 };
    sink.start('x', 2, 3);
    sink.step(info); // the first step of a run: start() → step 1
    sink.step(info);
    sink.step(info);
    sink.epochEnd({ epoch: 1, trainLoss: 0, testAcc: 0, seconds: 0 });
    sink.step(info); // the first step after evaluation is not timed
    sink.step(info);
    sink.stop();
    expect(times.wallMs).toHaveLength(4);
    expect(times.cpuMs).toHaveLength(4);
    for (const t of [...times.wallMs, ...times.cpuMs]) expect(t).toBeGreaterThanOrEqual(0);
  });

  it('leaves out the warm-up: 10 % of the steps, at least 10', () => {
    expect(warmupSteps(50)).toBe(10);
    expect(warmupSteps(1000)).toBe(100);
    expect(warmupSteps(8)).toBe(4);
    expect(warmupSteps(0)).toBe(0);
    const slowStart = [...Array(10).fill(100), ...Array(90).fill(5)];
    expect(runTiming({ wallMs: slowStart, cpuMs: slowStart })).toMatchObject({ steps: 90, wallMs: 5, cpuMs: 5, cpuRelSe: 0 });
    expect(runTiming(undefined).steps).toBe(0);
  });

  it("gives the median's relative standard error √(π/2)·(IQR/1.349)/√n / median", () => {
    // 1..101: median 51, quartiles 26 and 76 (linear interpolation), n = 101.
    const xs = Array.from({ length: 101 }, (_, i) => i + 1);
    expect(median(xs)).toBe(51);
    expect(medianRelSe(xs)).toBeCloseTo((Math.sqrt(Math.PI / 2) * (50 / 1.349)) / Math.sqrt(101) / 51, 12);
    expect(medianRelSe([1, 2])).toBeNaN();
  });
});
