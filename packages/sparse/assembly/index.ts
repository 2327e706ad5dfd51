// The module's exports (scripts/build-wasm.mjs compiles this file into dist/ssam-sparse.wasm).
export { spmm } from './spmm';
export { spmmPairs, gatherVals } from './pairs';
export { spmmKeyPairs } from './keypairs';
export { padPlanes, scatterPhase, scatterPair2, transpose } from './layout';
export { planChunk, convBlock } from './parallel';
