import { defineProject } from 'vitest/config';

export default defineProject({ test: { name: 'tools', include: ['*.test.ts'], testTimeout: 600_000, hookTimeout: 300_000 } });
