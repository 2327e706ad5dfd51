// Entry of the @ssam/tensor WebAssembly kernels (compiled by scripts/build-wasm.mjs).
export { packedWidth, packedBSize, tileScratchSize } from './gemm';
export { bmmPackB, bmmCompute } from './matmul';

/** Bumped whenever an export changes; the loader refuses a stale dist/ssam-kernels.wasm. */
export function abiVersion(): i32 {
  return 1;
}
