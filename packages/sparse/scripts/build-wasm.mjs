#!/usr/bin/env node
// Compiles assembly/index.ts into dist/ssam-sparse.wasm (SIMD, threads, an imported shared memory
// that the worker threads of src/wasm-threads.ts instantiate it on too, no runtime).
//   node scripts/build-wasm.mjs             always rebuild
//   node scripts/build-wasm.mjs --if-stale  only when a source is newer than the .wasm
import { existsSync, mkdirSync, readdirSync, statSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const pkgDir = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const srcDir = path.join(pkgDir, 'assembly');
export const wasmPath = path.join(pkgDir, 'dist', 'ssam-sparse.wasm');
export const ASC_FLAGS = [
  '-O3', '--noAssert', '--runtime', 'stub', '--use', 'abort=',
  '--enable', 'simd', '--enable', 'threads', '--importMemory', '--sharedMemory',
  '--initialMemory', '1', '--maximumMemory', '65536',
];

function newestSource() {
  let t = 0;
  for (const f of readdirSync(srcDir)) if (f.endsWith('.ts')) t = Math.max(t, statSync(path.join(srcDir, f)).mtimeMs);
  return Math.max(t, statSync(fileURLToPath(import.meta.url)).mtimeMs);
}

async function loadAsc() {
  return import('assemblyscript/asc');
}

export async function buildWasm({ ifStale = false, quiet = false } = {}) {
  if (ifStale && existsSync(wasmPath) && statSync(wasmPath).mtimeMs >= newestSource()) return wasmPath;
  mkdirSync(path.dirname(wasmPath), { recursive: true });
  const { default: asc } = await loadAsc();
  let stderr = '';
  const { error } = await asc.main([path.join(srcDir, 'index.ts'), ...ASC_FLAGS, '--outFile', wasmPath], {
    stdout: { write: () => true },
    stderr: { write: (s) => ((stderr += String(s)), true) },
  });
  if (error) throw new Error(`asc failed: ${error.message}\n${stderr}`);
  if (stderr.trim() && !quiet) process.stderr.write(stderr);
  if (!quiet) console.log(`built ${path.relative(pkgDir, wasmPath)}`);
  return wasmPath;
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) await buildWasm({ ifStale: process.argv.includes('--if-stale') });
