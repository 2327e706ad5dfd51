import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { runMarkdownExample } from '../../../tools/run-md-example.js';

// The root README's example is run exactly as written, so it cannot drift from the API.
const here = path.dirname(fileURLToPath(import.meta.url));
const root = path.resolve(here, '../../..');

describe('README example', () => {
  it('runs as written and trains', () => {
    const out = runMarkdownExample(path.join(root, 'README.md'), path.join(here, '..'), { env: { SSAM_THREADS: '1' }, timeout: 120_000 });
    const losses = [...out.matchAll(/loss ([\d.]+)/g)].map((m) => Number(m[1]));
    expect(losses.length).toBeGreaterThanOrEqual(3);
    expect(losses[losses.length - 1]!).toBeLessThan(losses[0]!);
    expect(out).toContain('mask density 0.5');
  });
});
