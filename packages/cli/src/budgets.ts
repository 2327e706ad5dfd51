/**
 * Budget presets: defaults for the options that set how much work a run does. Options given on
 * the command line override them. `quick` is the default: the README's `ssam compare` (SGD, SAM,
 * SSAM-F, SSAM-D on MNIST with the MLP) in about 35 s on 2 cores. `tiny` exercises the same job
 * in seconds (CI); `full` trains on all 60,000 MNIST images.
 */
export const BUDGETS = {
  quick: {
    summary: '30,000 training images, 3 epochs, MLP 784-64-10 (the default; about 35 s on 2 cores)',
    values: { trainSubset: 30000, epochs: 3, width: '64', batchSize: 64 },
  },
  tiny: {
    summary: '2,000 training and 1,000 test images, 2 epochs, MLP 784-32-10 (seconds; CI smoke runs)',
    values: { trainSubset: 2000, testSubset: 1000, epochs: 2, width: '32', batchSize: 32, fisherSamples: 32 },
  },
  full: {
    summary: 'all training images, 10 epochs, MLP 784-256-10',
    values: { epochs: 10, width: '256', batchSize: 128 },
  },
} as const satisfies Record<string, { summary: string; values: Record<string, unknown> }>;

export type BudgetName = keyof typeof BUDGETS;
export const BUDGET_NAMES = Object.keys(BUDGETS) as BudgetName[];
export const DEFAULT_BUDGET: BudgetName = 'quick';
