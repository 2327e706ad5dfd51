import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

// The README example runs exactly as written (the package imports itself by name, from sources).
const here = path.dirname(fileURLToPath(import.meta.url));

describe('README example', () => {
  it('runs as written: every optimizer descends, and only the SAM family runs pass 2', () => {
    const readme = readFileSync(path.join(here, '..', 'README.md'), 'utf8');
    const code = /```ts\n([\s\S]*?)```/.exec(readme)?.[1];
    expect(code, 'README.md has a ```ts example').toBeTruthy();
    const dir = mkdtempSync(path.join(here, '..', '.readme-'));
    const file = path.join(dir, 'example.ts');
    writeFileSync(file, code!);
    try {
      const out = execFileSync(process.execPath, ['--conditions=source', '--import', 'tsx', file], {
        cwd: path.join(here, '..'),
        encoding: 'utf8',
        timeout: 60_000,
      });
      const rows = [...out.matchAll(/^(\w+): loss ([\d.e+-]+) → ([\d.e+-]+), (\d+) second passes$/gm)];
      expect(rows.map((r) => r[1])).toEqual(['sgd', 'sam', 'ssamF', 'ssamD']);
      for (const [, name, first, last, calls] of rows) {
        expect(Number(last)).toBeLessThan(Number(first) / 100);
        expect(Number(calls)).toBe(name === 'sgd' ? 0 : 60);
      }
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
