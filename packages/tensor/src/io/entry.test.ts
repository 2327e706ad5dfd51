import { readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

// The main entry runs in browsers too: file IO lives behind the ./io subpath only. This walks the
// static and dynamic relative imports reachable from src/index.ts and lists any node:fs import.
const src = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');

function reach(entry: string): Map<string, string> {
  const seen = new Map<string, string>();
  const visit = (file: string) => {
    if (seen.has(file)) return;
    const text = readFileSync(file, 'utf8');
    seen.set(file, text);
    for (const m of text.matchAll(/(?:from|import)\s*\(?\s*['"](\.[^'"]+)['"]/g)) visit(path.resolve(path.dirname(file), m[1]!.replace(/\.js$/, '.ts')));
  };
  visit(entry);
  return seen;
}

// A value import of node:fs (type-only imports vanish at build; wasm/node.ts reaches Node's modules
// through process.getBuiltinModule where it runs on Node).
const fsImports = (files: Map<string, string>) =>
  [...files].filter(([, t]) => /^\s*(import(?!\s+type\b)[^;]*?from\s*|.*\bimport\s*\(\s*)['"](node:)?fs(\/promises)?['"]/m.test(t)).map(([f]) => path.relative(src, f));

describe('@ssam/tensor entry points', () => {
  it('the main entry reaches no node:fs; the io entry does (the walk finds it)', () => {
    expect(fsImports(reach(path.join(src, 'index.ts')))).toEqual([]);
    expect(fsImports(reach(path.join(src, 'io', 'index.ts'))).sort()).toEqual(['io/atomic.ts', 'io/safetensors.ts']);
  });
});
