/** The functions of ssam-kernels.wasm that the JavaScript side calls (see assembly/index.ts). */
/** Must equal assembly/index.ts abiVersion(). */
export const ABI_VERSION = 1;

export interface KernelExports {
  abiVersion(): number;
  packedWidth(n: number): number;
  packedBSize(k: number, n: number): number;
  tileScratchSize(): number;
  // parallel entry points: (...args, chunk, tid)
  bmmPackB(...args: number[]): void;
  bmmCompute(...args: number[]): void;
}

/**
 * Exports that the fork-join pool may run on worker threads, by index. Each takes its arguments
 * followed by (chunk, tid) and computes one chunk of the work using thread `tid`'s scratch.
 */
export const PARALLEL_OPS = ['bmmPackB', 'bmmCompute'] as const satisfies readonly (keyof KernelExports)[];
export type ParallelOp = (typeof PARALLEL_OPS)[number];
