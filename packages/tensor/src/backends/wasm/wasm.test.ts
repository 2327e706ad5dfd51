import { afterAll } from 'vitest';
import { runConformance } from '../../testing/conformance.js';
import { createWasmBackend } from './backend.js';

// The shared conformance suite against the reference backend, four ways: with the production
// thresholds (small tensors go to the reference kernels, small ops stay on one thread) and with
// every threshold at 0, which sends every float32 case through the wasm kernels and, with two
// threads, through the fork-join pool (two chunks run concurrently even on a single core).
const backends = [
  createWasmBackend({ threads: 1 }),
  { ...createWasmBackend({ threads: 2 }), name: 'wasm-2-threads' },
  { ...createWasmBackend({ threads: 1, minElements: 0, minParallelWork: 0 }), name: 'wasm-all-kernels' },
  { ...createWasmBackend({ threads: 2, minElements: 0, minParallelWork: 0 }), name: 'wasm-all-kernels-2-threads' },
];
afterAll(() => backends.forEach((b) => b.dispose()));

for (const b of backends) runConformance(b);
