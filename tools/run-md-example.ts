import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';

/**
 * Runs the first ```ts block of a Markdown file exactly as written and returns its stdout. The
 * script is written inside `pkgDir` (so workspace packages resolve by name, from their TypeScript
 * sources) and deleted afterwards. Used by the README tests: examples cannot drift from the API.
 * tsx strips types without checking them; tools/check-md-snippets.ts type-checks every block.
 */
export function runMarkdownExample(mdFile: string, pkgDir: string, opts: { env?: Record<string, string>; timeout?: number } = {}): string {
  const code = /```ts\n([\s\S]*?)```/.exec(readFileSync(mdFile, 'utf8'))?.[1];
  if (!code) throw new Error(`${mdFile} has no \`\`\`ts example`);
  const dir = mkdtempSync(path.join(pkgDir, '.readme-'));
  const file = path.join(dir, 'example.ts');
  writeFileSync(file, code);
  try {
    return execFileSync(process.execPath, ['--conditions=source', '--import', 'tsx', file], {
      cwd: pkgDir,
      encoding: 'utf8',
      env: { ...process.env, ...opts.env },
      timeout: opts.timeout ?? 60_000,
    });
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
