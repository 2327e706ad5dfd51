import type { RunSummary } from '../train/loop.js';

/**
 * How a run ended, for the comparison:
 * - `diverged`: the loss (or the parameters) stopped being finite; training stopped there.
 * - `collapsed`: it trained to the end but learned nothing: at the last epoch its test accuracy
 *   is within the chance margin, or its train loss stayed no better than uniform guessing in every
 *   epoch after the first (the first epoch's mean includes the starting loss, ln K itself; so a
 *   one-epoch run is judged on its accuracy alone). See {@link chanceMargins}.
 * - `ok`: everything else.
 */
export type Outcome = 'ok' | 'collapsed' | 'diverged';

/** What chance means for a data set: its class count and the size of its test set. */
export interface ChanceContext {
  readonly classes: number;
  readonly testSize: number;
}

/**
 * The thresholds of collapse. A classifier at chance scores p = 1/K on average; one that always
 * predicts the same class scores that class's frequency, and on n test images the score of a
 * chance classifier has a standard deviation of √(p(1 − p)/n). So:
 *
 *   test accuracy ≤ 1/K + max(0.5/K, 3·√(p(1 − p)/n))   (10 classes, 10,000 test images: ≤ 15 %)
 *   train loss   ≥ 0.95·ln K                             (10 classes: ≥ 2.187; uniform is ln 10 = 2.303)
 *
 * The 0.5/K covers unbalanced classes (MNIST's run from 8.9 % to 11.4 %); the 3σ covers small
 * test sets. A run that learns at all leaves both thresholds behind within an epoch or two.
 */
export function chanceMargins({ classes, testSize }: ChanceContext): { maxAcc: number; minLoss: number } {
  const p = 1 / classes;
  const sigma = Math.sqrt((p * (1 - p)) / Math.max(1, testSize));
  return { maxAcc: p + Math.max(0.5 * p, 3 * sigma), minLoss: 0.95 * Math.log(classes) };
}

/** The rule in words, for the line under the table. */
export function collapseRule(chance: ChanceContext): string {
  const { maxAcc, minLoss } = chanceMargins(chance);
  return `collapsed = at the last epoch, test accuracy ≤ ${(maxAcc * 100).toFixed(1)} % (chance ${(100 / chance.classes).toFixed(1)} % plus a margin) or train loss ≥ ${minLoss.toFixed(3)} (0.95·ln ${chance.classes}) in every epoch after the first; diverged = a non-finite loss`;
}

/** A run's outcome, and in words why it failed (undefined when ok). */
export function classify(s: RunSummary, chance: ChanceContext): { outcome: Outcome; why?: string } {
  const nonFinite = s.history.some((h) => !Number.isFinite(h.trainLoss));
  if (s.status === 'diverged' || nonFinite) return { outcome: 'diverged', why: s.message ?? 'the training loss is not finite' };
  const last = s.history.at(-1);
  if (!last) return { outcome: 'diverged', why: 'no epoch finished' };
  const { maxAcc, minLoss } = chanceMargins(chance);
  const atChance = last.testAcc <= maxAcc;
  const uniformLoss = s.history.length > 1 && s.history.slice(1).every((h) => h.trainLoss >= minLoss);
  if (!atChance && !uniformLoss) return { outcome: 'ok' };
  // Since when: the first epoch from which every later epoch stayed failed.
  const failed = (h: (typeof s.history)[number]) => h.testAcc <= maxAcc || h.trainLoss >= minLoss;
  let since = s.history.length;
  while (since > 0 && failed(s.history[since - 1]!)) since--;
  return { outcome: 'collapsed', why: `from epoch ${since + 1}: test acc ${(last.testAcc * 100).toFixed(1)} %, train loss ${last.trainLoss.toFixed(3)}` };
}
