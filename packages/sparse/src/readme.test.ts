import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { runMarkdownExample } from '../../../tools/run-md-example.js';

// The README example runs exactly as written (the package imports itself by name, from sources).
const here = path.dirname(fileURLToPath(import.meta.url));

describe('README example', () => {
  it('runs as written: the 2:4 compression keeps half of the 128 weights', () => {
    const out = runMarkdownExample(path.join(here, '..', 'README.md'), path.join(here, '..'));
    expect(out.trim()).toBe('64 64');
  });
});
