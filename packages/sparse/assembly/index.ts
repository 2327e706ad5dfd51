// The module's exports (scripts/build-wasm.mjs compiles this file into dist/ssam-sparse.wasm).
export { spmm } from './spmm';
export { spmmPairs, gatherVals } from './pairs';
export { spmmKeyPairs } from './keypairs';
export { padPlanes, scatterPhase, scatterPair2, transpose } from './layout';
export { planChunk, convBlock } from './parallel';

/** The kernel ABI (src/wasm-module.ts SPARSE_ABI): 2 = plan kinds 0 pairs, 1 CSR, 2 key pairs. */
export function abiVersion(): i32 {
  return 2;
}
