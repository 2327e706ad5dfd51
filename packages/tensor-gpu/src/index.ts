/**
 * @ssam/tensor-gpu: a gpu.js backend for @ssam/tensor. Every primitive is a generated GLSL kernel
 * in single precision; results stay on the GPU as textures until read.
 * @example
 * import { withBackend, matmul, ones } from '@ssam/tensor';
 * import { gpuBackend } from '@ssam/tensor-gpu';
 * const gpu = gpuBackend(); // needs a GL context: a browser, or `xvfb-run -a` with headless-gl
 * withBackend(gpu, () => matmul(ones([128, 64]), ones([64, 32]))).toArray();
 */
export { gpuBackend, isOnGpu, DEFAULT_CPU_THRESHOLD, type GpuBackend, type GpuBackendOptions } from './backend.js';
export { probeGpuJs, isSoftwareRenderer, type GpuJsMode, type GpuProbe } from './mode.js';
export { GpuStorage, type GpuStats, type ScopeOptions } from './runtime.js';
export { calibrateCpuThreshold, type Calibration, type CalibrationRow } from './calibrate.js';
