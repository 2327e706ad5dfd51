#!/usr/bin/env node
// Compiles the AssemblyScript kernels (assembly/*.ts) into dist/ssam-kernels.wasm, with the
// flags of tools/build-wasm.mjs. `node scripts/build-wasm.mjs [--if-stale]`.
import { wasmBuilder } from '../../../tools/build-wasm.mjs';

const builder = wasmBuilder(import.meta.url, 'ssam-kernels.wasm', () => import('assemblyscript/asc'));
export const { wasmPath, buildWasm } = builder;
await builder.run();
