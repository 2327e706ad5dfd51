import { fc, test } from '@fast-check/vitest';
import { describe, expect, it } from 'vitest';
import type { RunSummary } from '../train/loop.js';
import { aggregate, meanStd, type RunResult } from './aggregate.js';
import { markdownTable, textTable } from './table.js';

const summary = (acc: number, stepMs: number, status: RunSummary['status'] = 'complete'): RunSummary => ({
  status, epochs: 1, steps: 10, finalTestAcc: acc, bestTestAcc: acc, bestEpoch: 1, finalTrainLoss: 1 - acc,
  meanEpochSeconds: stepMs / 100, meanStepMs: stepMs, maskDensity: 0.5, paramCount: 10, history: [],
});
const run = (optimizer: string, seed: number, acc: number, stepMs: number, status?: RunSummary['status']): RunResult => ({ optimizer, seed, dir: '', summary: summary(acc, stepMs, status) });

describe('meanStd', () => {
  it('is the mean and the sample standard deviation', () => {
    expect(meanStd([1, 2, 3, 4])).toEqual({ mean: 2.5, std: Math.sqrt(5 / 3), n: 4 });
    expect(meanStd([0.9])).toEqual({ mean: 0.9, std: 0, n: 1 });
    expect(meanStd([Number.NaN, 2])).toEqual({ mean: 2, std: 0, n: 1 });
    expect(meanStd([]).n).toBe(0);
  });

  test.prop([fc.array(fc.double({ min: -1e6, max: 1e6, noNaN: true }), { minLength: 2, maxLength: 20 }), fc.double({ min: -1e3, max: 1e3, noNaN: true })])(
    'shifts with the data and keeps its spread',
    (xs, c) => {
      const a = meanStd(xs);
      const b = meanStd(xs.map((x) => x + c));
      expect(b.mean).toBeCloseTo(a.mean + c, 3);
      expect(b.std).toBeCloseTo(a.std, 3);
      expect(a.std).toBeGreaterThanOrEqual(0);
    },
  );
});

describe('aggregate', () => {
  it('groups by optimizer in the requested order, relative to SGD, leaving diverged runs out of the accuracy', () => {
    const results = [run('sam', 0, 0.9, 20), run('sgd', 0, 0.8, 10), run('sam', 1, 0.7, 20), run('sgd', 1, 0.6, 10), run('sam', 2, 0.1, 20, 'diverged')];
    const { rows, baseline } = aggregate(results, ['sgd', 'sam']);
    expect(baseline).toBe('sgd');
    expect(rows.map((r) => r.optimizer)).toEqual(['sgd', 'sam']);
    expect(rows[1]).toMatchObject({ seeds: 3, diverged: 1, stepRatio: 2 });
    expect(rows[1]!.bestAcc.mean).toBeCloseTo(0.8);
    expect(rows[0]!.stepRatio).toBe(1);
  });

  it('uses the first optimizer as the baseline without SGD', () => {
    expect(aggregate([run('sam', 0, 0.9, 20), run('ssam-f', 0, 0.9, 30)], ['sam', 'ssam-f']).baseline).toBe('sam');
  });
});

describe('tables', () => {
  it('aligns text columns and writes Markdown rows', () => {
    const t = textTable(['name', 'value'], [['a', '1.00'], ['long name', '10.00']]).split('\n');
    expect(t[0]).toBe('name       value');
    expect(t[2]).toBe('a           1.00');
    expect(markdownTable(['a', 'b'], [['x', '1']])).toBe('| a | b |\n| --- | ---: |\n| x | 1 |\n');
  });
});
