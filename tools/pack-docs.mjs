#!/usr/bin/env node
// A package's README links the repo's guides as ../../docs/…, which a tarball does not contain.
// `prepack` (run by `pnpm pack` / `pnpm publish` in the package folder) copies every repo document
// the README links into the package's `docs/` and points the links there; `postpack` restores the
// README and removes the copies. So the links work in the repo and in the tarball alike.
//   node ../../tools/pack-docs.mjs prepack|postpack
import { cpSync, existsSync, mkdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';

const mode = process.argv[2];
const pkg = process.cwd();
const readme = path.join(pkg, 'README.md');
const saved = path.join(pkg, '.README.md.prepack');
const out = path.join(pkg, 'docs');
const LINK = /\]\((\.\.\/\.\.\/(docs\/[^)#\s]+))(#[^)\s]*)?\)/g;

if (mode === 'prepack') {
  if (existsSync(saved)) throw new Error(`pack-docs: ${saved} exists (an earlier pack did not finish); restore README.md from it first`);
  const text = readFileSync(readme, 'utf8');
  const linked = new Set([...text.matchAll(LINK)].map((m) => m[2]));
  if (linked.size === 0) process.exit(0);
  if (existsSync(out)) throw new Error(`pack-docs: ${out} exists; the package's own docs/ folder would be overwritten`);
  for (const rel of linked) {
    const src = path.join(pkg, '..', '..', rel);
    if (!existsSync(src)) throw new Error(`pack-docs: README.md links ${rel}, which does not exist`);
    mkdirSync(path.dirname(path.join(pkg, rel)), { recursive: true });
    cpSync(src, path.join(pkg, rel));
  }
  renameSync(readme, saved);
  writeFileSync(readme, text.replace(LINK, (_m, _full, rel, hash = '') => `](${rel}${hash})`));
} else if (mode === 'postpack') {
  if (existsSync(saved)) renameSync(saved, readme);
  rmSync(out, { recursive: true, force: true });
} else {
  throw new Error('usage: pack-docs.mjs prepack|postpack');
}
