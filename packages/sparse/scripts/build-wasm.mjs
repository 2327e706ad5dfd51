#!/usr/bin/env node
// Compiles assembly/index.ts into dist/ssam-sparse.wasm (imported shared memory: the worker threads
// of src/wasm-threads.ts instantiate it too), with the flags of tools/build-wasm.mjs.
// `node scripts/build-wasm.mjs [--if-stale]`.
import { wasmBuilder } from '../../../tools/build-wasm.mjs';

const builder = wasmBuilder(import.meta.url, 'ssam-sparse.wasm', () => import('assemblyscript/asc'));
export const { wasmPath, buildWasm } = builder;
await builder.run();
