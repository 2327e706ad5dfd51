import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { runMarkdownExample } from '../../../tools/run-md-example.js';

// The README example runs exactly as written (the package imports itself by name, from sources).
const here = path.dirname(fileURLToPath(import.meta.url));

describe('README example', () => {
  it('runs as written: every optimizer descends, and only the SAM family runs pass 2', () => {
    const out = runMarkdownExample(path.join(here, '..', 'README.md'), path.join(here, '..'));
    const rows = [...out.matchAll(/^(\w+): loss ([\d.e+-]+) → ([\d.e+-]+), (\d+) second passes$/gm)];
    expect(rows.map((r) => r[1])).toEqual(['sgd', 'sam', 'ssamF', 'ssamD']);
    for (const [, name, first, last, calls] of rows) {
      expect(Number(last)).toBeLessThan(Number(first) / 100);
      expect(Number(calls)).toBe(name === 'sgd' ? 0 : 60);
    }
  });
});
