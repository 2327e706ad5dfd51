import { fileURLToPath } from 'node:url';
import { defineProject } from 'vitest/config';
import { shared } from '../../vitest.shared.js';

// @ssam/models and @ssam/data are dev dependencies (train-step and learning tests, bench).
// @ssam/optim itself is aliased so the guide's code runs verbatim (it imports the package by name).
const src = (p: string) => fileURLToPath(new URL(`../${p}`, import.meta.url));

export default defineProject({
  ...shared,
  resolve: {
    ...shared.resolve,
    alias: [
      { find: /^@ssam\/optim$/, replacement: src('optim/src/index.ts') },
      { find: /^@ssam\/optim\/testing$/, replacement: src('optim/src/testing/index.ts') },
    ],
  },
  test: { ...shared.test, name: 'optim' },
});
