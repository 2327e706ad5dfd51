#!/usr/bin/env node
// Compiles the AssemblyScript kernels (assembly/*.ts) into dist/ssam-kernels.wasm, with the
// flags of tools/build-wasm.mjs. `node scripts/build-wasm.mjs [--if-stale]`.
// Before compiling it writes assembly/opcodes.ts from src/backends/wasm/opcodes.ts, the single
// source of the op codes (loaded through tsx; the file is rewritten only when its text changes,
// so --if-stale still sees an unchanged table as up to date).
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { wasmBuilder } from '../../../tools/build-wasm.mjs';

const builder = wasmBuilder(import.meta.url, 'ssam-kernels.wasm', () => import('assemblyscript/asc'));
export const { wasmPath } = builder;
export const opcodesPath = fileURLToPath(new URL('../assembly/opcodes.ts', import.meta.url));

/** Writes assembly/opcodes.ts when missing or different; returns its text. */
export async function generateOpcodes() {
  const { tsImport } = await import('tsx/esm/api');
  const table = await tsImport('../src/backends/wasm/opcodes.ts', import.meta.url);
  const text = table.assemblySource();
  if (!existsSync(opcodesPath) || readFileSync(opcodesPath, 'utf8') !== text) writeFileSync(opcodesPath, text);
  return text;
}

export async function buildWasm(opts = {}) {
  await generateOpcodes();
  return builder.buildWasm(opts);
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) await buildWasm({ ifStale: process.argv.includes('--if-stale') });
