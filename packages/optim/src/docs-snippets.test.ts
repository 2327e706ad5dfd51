import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { checkSnippets, docFiles, extractBlocks, formatDiagnostic, repoRoot } from '../../../tools/check-md-snippets.js';

// Every ```ts block of README.md, docs/guide/*.md and packages/*/README.md type-checks the way a
// user's project sees it (strict, nodenext, the packages' built .d.ts). It lives here because
// @ssam/optim's docs lean on every other package; it covers all of them. `pnpm test` builds first.
const built = docFiles()
  .filter((f) => f.startsWith('packages/'))
  .map((f) => path.join(repoRoot, path.dirname(f)))
  .filter((d) => 'exports' in JSON.parse(readFileSync(path.join(d, 'package.json'), 'utf8')))
  .map((d) => path.join(d, 'dist'));

describe('docs snippets type-check (tools/check-md-snippets.ts)', () => {
  it('every TypeScript block of the READMEs and guides compiles under strict nodenext', () => {
    const missing = built.filter((d) => !existsSync(d));
    expect(missing, 'build the packages first (pnpm build)').toEqual([]);
    const r = checkSnippets();
    expect(r.diagnostics.map(formatDiagnostic)).toEqual([]);
    expect(r.checked.length).toBeGreaterThanOrEqual(45);
    // exemptions stay rare and each says why
    expect(r.exempt.length).toBeLessThanOrEqual(3);
  });

  it('has teeth: a planted error is reported at its Markdown file and line', () => {
    const dir = mkdtempSync(path.join(os.tmpdir(), 'ssam-md-'));
    try {
      const md = path.join(dir, 'planted.md');
      writeFileSync(
        md,
        [
          '# A guide', // 1
          '```ts', // 2
          "import { tensor } from '@ssam/tensor';", // 3
          'const x = tensor([1, 2]);', // 4
          '```', // 5
          'Later, the next block continues the same module:', // 6
          '```ts', // 7
          'const n: string = x.size;', // 8: a number is not a string
          'isMatrix(x);', // 9: an undefined name
          '```', // 10
          '```ts no-check: pseudo-code for the reader, not a program', // 11
          'for (...) step();', // 12
          '```', // 13
        ].join('\n'),
      );
      const r = checkSnippets({ files: [md] });
      expect(r.diagnostics.map((d) => [d.file, d.line, d.code])).toEqual([
        [md, 8, 'TS2322'],
        [md, 9, 'TS2304'],
      ]);
      expect(r.exempt.map((b) => b.line)).toEqual([12]);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('a no-check block must give a reason, and unknown info strings are refused', () => {
    expect(() => extractBlocks('a.md', '```ts no-check\nx\n```')).toThrow(/a\.md:1: a no-check block needs a reason/);
    expect(() => extractBlocks('a.md', 'text\n```ts run\nx\n```')).toThrow(/a\.md:2: unknown info string "run"/);
    expect(() => extractBlocks('a.md', '```ts\nx\n')).toThrow(/a\.md:1: unclosed/);
  });
});
