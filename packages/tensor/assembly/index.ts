// Entry of the @ssam/tensor WebAssembly kernels (compiled by scripts/build-wasm.mjs). Functions
// whose last two parameters are (chunk, tid) are run chunk by chunk by the fork-join pool.
export { packedWidth, packedBSize, tileScratchSize } from './gemm';
export { bmmPackB, bmmCompute } from './matmul';
export { bmv } from './gemv';
export { convScratchSize, convForward, convBackInput, convBackFilter, convSumParts } from './conv';
export { winoScratchSize, winoFilter, winoConv } from './winograd';
export { winoBackFilter, winoFilterGrad } from './winograd-grad';
export { maxPoolForward, maxPoolBackward, avgPoolForward, avgPoolBackward } from './pool';
export { unary, binary, select, addcmul } from './elementwise';
export { reduce, reduceRows, reduceAround } from './reduce';
export { fusedScratchSize, fused } from './fused';
export { opTableDigest } from './opcodes';

/** Bumped whenever an export changes; the loader refuses a stale dist/ssam-kernels.wasm. */
export function abiVersion(): i32 {
  return 8;
}
