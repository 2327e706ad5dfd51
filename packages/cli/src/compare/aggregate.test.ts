import { describe, expect, it } from 'vitest';
import type { EpochRecord } from '../train/run-dir.js';
import type { RunSummary } from '../train/loop.js';
import { aggregate, METRICS, verdict, type RunResult } from './aggregate.js';
import { chanceMargins, classify } from './collapse.js';
import { markdownTable, tableCells, tableHeader, tableNotes, textTable } from './table.js';

const CHANCE = { classes: 10, testSize: 10000 };

const epoch = (e: number, testAcc: number, trainLoss: number): EpochRecord => ({
  epoch: e, step: e * 10, lr: 0.1, trainLoss, trainAcc: 0, testLoss: trainLoss, testAcc, maskDensity: 0.5, epsNorm: 0, seconds: 1, stepMs: 1,
});

/** A run whose epochs end at the given test accuracies (train loss falling with them unless given). */
function summary(accs: readonly number[], o: { loss?: readonly number[]; status?: RunSummary['status']; stepMs?: number } = {}): RunSummary {
  const history = accs.map((a, i) => epoch(i + 1, a, o.loss?.[i] ?? 2.3 * (1 - a)));
  const best = Math.max(...accs);
  return {
    status: o.status ?? 'complete', epochs: accs.length, steps: accs.length * 10, finalTestAcc: accs.at(-1)!, bestTestAcc: best,
    bestEpoch: accs.indexOf(best) + 1, finalTrainLoss: history.at(-1)!.trainLoss, meanEpochSeconds: 1, meanStepMs: o.stepMs ?? 1, maskDensity: 0.5, paramCount: 10, history,
  };
}
const run = (optimizer: string, seed: number, s: RunSummary, stepMs = 1): RunResult => ({
  optimizer, seed, dir: `runs/${optimizer}-s${seed}`, summary: s, times: { wallMs: Array(300).fill(stepMs), cpuMs: Array(300).fill(stepMs) },
});

describe('collapse detection', () => {
  it('has the documented thresholds', () => {
    expect(chanceMargins(CHANCE).maxAcc).toBeCloseTo(0.15, 12); // 1/10 + 0.5/10 (3σ = 0.009 is smaller)
    expect(chanceMargins({ classes: 10, testSize: 200 }).maxAcc).toBeCloseTo(0.1 + 3 * Math.sqrt(0.09 / 200), 12);
    expect(chanceMargins(CHANCE).minLoss).toBeCloseTo(0.95 * Math.log(10), 12);
    expect(chanceMargins({ classes: 100, testSize: 10000 }).maxAcc).toBeCloseTo(0.015, 12);
  });

  it('flags a run at chance or at the uniform loss, names since when, and leaves a learning run alone', () => {
    expect(classify(summary([0.1, 0.1, 0.1], { loss: [2.3, 2.3, 2.3] }), CHANCE)).toMatchObject({ outcome: 'collapsed', why: expect.stringContaining('from epoch 1') });
    expect(classify(summary([0.6, 0.8, 0.12], { loss: [1, 0.5, 2.3] }), CHANCE)).toMatchObject({ outcome: 'collapsed', why: expect.stringContaining('from epoch 3') });
    // Accuracy above the threshold but the loss no better than guessing uniformly after the first epoch;
    // one epoch alone is judged on its accuracy (its mean loss includes the start, ln 10).
    expect(classify(summary([0.3, 0.3], { loss: [2.3, 2.25] }), CHANCE).outcome).toBe('collapsed');
    expect(classify(summary([0.3, 0.3], { loss: [2.3, 2.1] }), CHANCE).outcome).toBe('ok');
    // Learned in the first epoch, then fell back to the uniform loss: the first epoch does not count.
    expect(classify(summary([0.5, 0.3], { loss: [1.0, 2.25] }), CHANCE).outcome).toBe('collapsed');
    expect(classify(summary([0.3], { loss: [2.25] }), CHANCE).outcome).toBe('ok');
    expect(classify(summary([0.16], { loss: [2.1] }), CHANCE).outcome).toBe('ok');
    expect(classify(summary([0.1, 0.5], { loss: [2.3, 1.5] }), CHANCE).outcome).toBe('ok');
    expect(classify(summary([0.9], { status: 'diverged' }), CHANCE).outcome).toBe('diverged');
    expect(classify(summary([0.5], { loss: [Number.NaN] }), CHANCE).outcome).toBe('diverged');
  });
});

describe('aggregate', () => {
  // sgd seed 1 collapsed; sam = sgd + 0.02 on the other seeds; ssam-f = sam − 0.01 ± noise; asam diverged at seed 2.
  const results = [
    run('sgd', 0, summary([0.5, 0.80]), 10), run('sgd', 1, summary([0.1, 0.1], { loss: [2.3, 2.3] }), 10), run('sgd', 2, summary([0.5, 0.70]), 10), run('sgd', 3, summary([0.5, 0.75]), 10),
    run('sam', 0, summary([0.5, 0.82]), 20), run('sam', 1, summary([0.5, 0.60]), 20), run('sam', 2, summary([0.5, 0.72]), 20), run('sam', 3, summary([0.5, 0.77]), 20),
    run('ssam-f', 0, summary([0.5, 0.80]), 15), run('ssam-f', 1, summary([0.5, 0.60]), 15), run('ssam-f', 2, summary([0.5, 0.71]), 15), run('ssam-f', 3, summary([0.5, 0.77]), 15),
  ];
  const c = aggregate(results, ['sgd', 'sam', 'ssam-f'], { chance: CHANCE });
  const row = (o: string) => c.rows.find((r) => r.optimizer === o)!;

  it('counts the collapsed seed and leaves it out of the mean', () => {
    expect(c.reference).toBe('sam');
    expect(row('sgd')).toMatchObject({ seeds: 4, collapsed: 1, diverged: 0 });
    expect(row('sgd').runs.map((r) => r.outcome)).toEqual(['ok', 'collapsed', 'ok', 'ok']);
    expect(row('sgd').metrics.finalAcc!.n).toBe(3);
    expect(row('sgd').metrics.finalAcc!.mean).toBeCloseTo(0.75, 12);
    // t interval of (0.80, 0.70, 0.75): s = 0.05, half = t(0.975, 2)·0.05/√3.
    expect(row('sgd').metrics.finalAcc!.ci[0]).toBeCloseTo(0.75 - 4.3026527 * 0.05 / Math.sqrt(3), 5);
    const withFailed = aggregate(results, ['sgd', 'sam'], { chance: CHANCE, includeFailed: true });
    expect(withFailed.rows[0]!.metrics.finalAcc!.n).toBe(4);
    expect(withFailed.rows[0]!.metrics.finalAcc!.mean).toBeCloseTo(0.5875, 12);
  });

  it('pairs by seed over the seeds both trained: the known difference, its interval and the verdict', () => {
    const d = row('sgd').paired!.finalAcc!;
    expect(d.keys).toEqual([0, 2, 3]);
    expect(d.mean).toBeCloseTo(-0.02, 12);
    expect(d.ci[1] - d.ci[0]).toBeLessThan(1e-9);
    expect(verdict(row('sgd'), 'sam', METRICS[0]!)).toBe('sgd − sam: −2.00 pt [−2.00, −2.00], sgd lower at 3 seeds (the 95 % interval excludes 0)');
    // ssam-f − sam = (−0.02, 0, −0.01, 0): mean −0.0075, s = 0.009574, half = t(0.975, 3)·s/2 = 0.015234.
    const e = row('ssam-f').paired!.finalAcc!;
    expect(e.mean).toBeCloseTo(-0.0075, 12);
    expect(e.ci[1]).toBeCloseTo(-0.0075 + 3.1824463 * 0.0095743 / 2, 5);
    expect(verdict(row('ssam-f'), 'sam', METRICS[0]!)).toBe('ssam-f − sam: −0.75 pt [−2.27, +0.77], not distinguishable at 4 seeds');
    expect(row('sam').paired).toBeUndefined();
  });

  it('takes --baseline, and with one seed says no comparison is possible', () => {
    expect(aggregate(results, ['sgd', 'sam', 'ssam-f'], { chance: CHANCE, reference: 'ssam-f' }).rows[1]!.paired!.finalAcc!.mean).toBeCloseTo(0.0075, 12);
    const one = aggregate(results.filter((r) => r.seed === 0), ['sgd', 'sam'], { chance: CHANCE });
    expect(verdict(one.rows[0]!, 'sam', METRICS[0]!)).toBe('sgd − sam: −2.00 pt from one seed; no comparison is possible with one seed (run --seeds 3 or more)');
    expect(tableNotes(one)[0]).toMatch(/^One seed: no interval, and no comparison is possible/);
    const dead = aggregate(results.filter((r) => r.seed === 1), ['sgd', 'sam'], { chance: CHANCE });
    expect(verdict(dead.rows[0]!, 'sam', METRICS[0]!)).toBe('sgd − sam: no seed where both trained to the end, so no comparison');
  });

  it('times steps on CPU relative to SGD, and says when the runs are too short to tell', () => {
    expect(row('sam').stepRatio).toBeCloseTo(2, 12);
    expect(row('ssam-f').stepRatio).toBeCloseTo(1.5, 12);
    expect(c.timingCaveat).toBeUndefined();
    const short = aggregate([{ ...results[0]!, times: { wallMs: Array(50).fill(1), cpuMs: Array(50).fill(1) } }], ['sgd'], { chance: CHANCE });
    expect(short.timingCaveat).toBe('the runs are too short to time: 40 steps each after warm-up (want ≥ 200)');
    // Long enough, but each step's time drawn from a wide spread: the ratio's two standard errors pass 10 %.
    // Times 2, 4, ..., 20 ms repeating: median 11, IQR 9, so each median's relative se is √(π/2)·(9/1.349)/√270/11 = 0.046.
    const spread = (k: number) => Array.from({ length: 300 }, (_, i) => k * (2 + 2 * (i % 10)));
    const wide = aggregate([{ ...results[0]!, times: { wallMs: spread(1), cpuMs: spread(1) } }, { ...results[4]!, times: { wallMs: spread(2), cpuMs: spread(2) } }], ['sgd', 'sam'], { chance: CHANCE });
    expect(wide.timingCaveat).toMatch(/^the runs are too short to time: 270 steps each after warm-up, and the step-time ratios are uncertain by up to ±1[0-9] %/);
    const noisy = aggregate([results[4]!, { ...results[5]!, times: { wallMs: Array(300).fill(30), cpuMs: Array(300).fill(30) } }], ['sam'], { chance: CHANCE });
    expect(noisy.timingCaveat).toMatch(/sam's step time varies by 40 % between seeds/);
    const busy = aggregate([{ ...results[0]!, times: { wallMs: Array(300).fill(30), cpuMs: Array(300).fill(10) } }], ['sgd'], { chance: CHANCE });
    expect(busy.timingCaveat).toMatch(/^the machine was busy: a step's wall-clock time was up to 3\.0× its CPU time/);
  });

  it('is generic over named metrics', () => {
    const g = aggregate(results, ['sgd', 'sam'], { chance: CHANCE, metrics: [{ key: 'epochs', label: 'epochs', csv: 'epochs', of: (s) => s.epochs, scale: 1, unit: '', digits: 0 }] });
    expect(g.rows[0]!.metrics.epochs!.mean).toBe(2);
    expect(tableHeader(g)).toContain('epochs');
  });

  it('writes the per-seed values and marks the failed run in the table, and names it under it', () => {
    const cells = tableCells(c);
    expect(cells[0]!.slice(0, 3)).toEqual(['sgd', '4 (1 collapsed)', '75.00 [62.58, 87.42]']);
    expect(cells[0]![5]).toBe('80.0/80.0  10.0/10.0*  70.0/70.0  75.0/75.0');
    const notes = tableNotes(c).join('\n');
    expect(notes).toContain('Left out of the means (--include-failed keeps them): sgd seed 1 collapsed (from epoch 1: test acc 10.0 %, train loss 2.300)');
    expect(notes).toContain('  ssam-f − sam: −0.75 pt');
  });

  it('lists the median and range with more than five seeds', () => {
    const many = Array.from({ length: 7 }, (_, s) => run('sam', s, summary([0.5, 0.7 + s / 100])));
    expect(tableCells(aggregate(many, ['sam'], { chance: CHANCE }))[0]![5]).toBe('73.0 (70.0–76.0) / 73.0 (70.0–76.0)');
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
