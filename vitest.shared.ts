// Shared vitest settings: tests import workspace packages from their TypeScript sources through
// the "source" export condition, so `pnpm test` needs no build step.
export const shared = {
  resolve: { conditions: ['source'] },
  ssr: { resolve: { conditions: ['source'] } },
  test: {
    include: ['src/**/*.test.ts', 'test/**/*.test.ts'],
    testTimeout: 60_000,
    hookTimeout: 60_000,
  },
};
