/**
 * @ssam/sparse: N:M weights in compressed form (values + in-group indices), kernels that skip the
 * masked work, and the implicit sparse perturbation of SSAM (Mi et al., TPAMI 2025): forward
 * exact, weight gradient dense, input gradient through W ⊙ M.
 */
export { compressNM, decompressNM, type NMCompressed, type CompressOptions } from './compress.js';
export { nmMatmul, nmMatmulT } from './kernels.js';
export { nmConv2dBackInput } from './conv.js';
export { implicitOverride, implicitValueAndGrad, type ImplicitOverride, type ImplicitMaskOptions } from './override.js';
export { maskedDenseApply, maskedConvApply, type LayerParams, type ImplicitOptions } from './implicit.js';
export { nmMatmulWasm, nmMatmulTWasm, nmConv2dBackInputWasm, wasmAvailable } from './wasm.js';
export { sparseThreads, setSparseThreads } from './wasm-threads.js';
