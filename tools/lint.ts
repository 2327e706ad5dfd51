// `pnpm lint`: checks the conventions every package follows, in one pass over packages/.
// - package.json: exports map with types, "./internal/*": null, sideEffects false, files, README
// - sources: no focused tests (.only), no skipped tests without a reason comment on the line above,
//   no "TODO"/"FIXME" in src (open an issue instead), files over 300 lines are reported
// Exits 1 on errors; warnings (long files) do not fail.
import { readdirSync, readFileSync, statSync, existsSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const errors: string[] = [];
const warnings: string[] = [];

function walk(dir: string, out: string[] = []): string[] {
  for (const name of readdirSync(dir)) {
    if (name === 'node_modules' || name === 'dist' || name === 'build') continue;
    const p = path.join(dir, name);
    if (statSync(p).isDirectory()) walk(p, out);
    else if (/\.(ts|mts)$/.test(name)) out.push(p);
  }
  return out;
}

const only = process.argv[2];
for (const pkg of readdirSync(path.join(root, 'packages'))) {
  if (only && pkg !== only) continue;
  const dir = path.join(root, 'packages', pkg);
  const pj = JSON.parse(readFileSync(path.join(dir, 'package.json'), 'utf8'));
  const rel = (p: string) => path.relative(root, p);
  if (!pj.private) {
    if (pj.sideEffects !== false) errors.push(`${pj.name}: package.json needs "sideEffects": false`);
    if (pj.exports?.["./internal/*"] !== null) errors.push(`${pj.name}: exports must block "./internal/*": null`);
    if (!pj.exports?.['.']?.types) errors.push(`${pj.name}: exports["."] needs "types"`);
    if (!Array.isArray(pj.files)) errors.push(`${pj.name}: package.json needs "files" so pnpm pack ships only what users need`);
    if (!existsSync(path.join(dir, 'README.md'))) errors.push(`${pj.name}: README.md is missing`);
  }
  const srcDir = path.join(dir, 'src');
  if (!existsSync(srcDir)) continue;
  for (const file of walk(srcDir)) {
    const lines = readFileSync(file, 'utf8').split('\n');
    const isTest = /\.test\.ts$/.test(file);
    lines.forEach((line, i) => {
      if (isTest && /\b(it|test|describe)\.only\(/.test(line)) errors.push(`${rel(file)}:${i + 1}: focused test (.only)`);
      if (!isTest && /\b(TODO|FIXME)\b/.test(line)) errors.push(`${rel(file)}:${i + 1}: TODO/FIXME in source`);
    });
    if (lines.length > 300 && !isTest) warnings.push(`${rel(file)}: ${lines.length} lines (over 300: consider splitting)`);
  }
}
for (const w of warnings) console.log(`warning: ${w}`);
for (const e of errors) console.log(`error: ${e}`);
console.log(`lint: ${errors.length} errors, ${warnings.length} warnings`);
process.exit(errors.length ? 1 : 0);
