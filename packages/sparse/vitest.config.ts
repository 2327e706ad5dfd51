import { defineProject } from 'vitest/config';
import { shared } from '../../vitest.shared.js';

// globalSetup compiles assembly/ into dist/ssam-sparse.wasm when it is missing or stale, so the
// wasm kernel tests run from the TypeScript sources without a `pnpm build`.
export default defineProject({
  ...shared,
  test: { ...shared.test, name: 'sparse', globalSetup: ['./scripts/vitest-global-setup.ts'] },
});
