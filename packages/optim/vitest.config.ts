import { fileURLToPath } from 'node:url';
import { defineProject } from 'vitest/config';
import { shared } from '../../vitest.shared.js';

// @ssam/models and @ssam/data are used by the train-step and learning tests only, so they are not
// dependencies of @ssam/optim; the tests reach their sources directly.
const src = (pkg: string) => fileURLToPath(new URL(`../${pkg}/src/index.ts`, import.meta.url));

export default defineProject({
  ...shared,
  resolve: { ...shared.resolve, alias: { '@ssam/models': src('models'), '@ssam/data': src('data') } },
  test: { ...shared.test, name: 'optim' },
});
