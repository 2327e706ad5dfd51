import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

// The root README's example is run exactly as written, so it cannot drift from the API.
const here = path.dirname(fileURLToPath(import.meta.url));
const root = path.resolve(here, '../../..');

describe('README example', () => {
  it('runs as written and trains', () => {
    const readme = readFileSync(path.join(root, 'README.md'), 'utf8');
    const code = /```ts\n([\s\S]*?)```/.exec(readme)?.[1];
    expect(code, 'README.md has a ```ts example').toBeTruthy();
    // Inside this package so the workspace packages resolve; from TypeScript sources.
    const dir = mkdtempSync(path.join(here, '..', '.readme-'));
    const file = path.join(dir, 'example.ts');
    writeFileSync(file, code!);
    try {
      const out = execFileSync(process.execPath, ['--conditions=source', '--import', 'tsx', file], {
        cwd: path.join(here, '..'),
        encoding: 'utf8',
        env: { ...process.env, SSAM_THREADS: '1' },
        timeout: 120_000,
      });
      const losses = [...out.matchAll(/loss ([\d.]+)/g)].map((m) => Number(m[1]));
      expect(losses.length).toBeGreaterThanOrEqual(3);
      expect(losses[losses.length - 1]!).toBeLessThan(losses[0]!);
      expect(out).toContain('mask density 0.5');
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
