/** Must equal assembly/index.ts abiVersion(). */
export const ABI_VERSION = 8;

type Entry = (...args: number[]) => void;

/** The functions of ssam-kernels.wasm that the JavaScript side calls (see assembly/index.ts). */
export interface KernelExports {
  abiVersion(): number;
  /** Digest of the op codes compiled in (assembly/opcodes.ts, generated from opcodes.ts). */
  opTableDigest(): number;
  packedWidth(n: number): number;
  packedBSize(k: number, n: number): number;
  tileScratchSize(): number;
  convScratchSize(geom: number): number;
  winoScratchSize(geom: number): number;
  fusedScratchSize(nRegs: number): number;
  // parallel entry points: (...args, chunk, tid)
  bmmPackB: Entry;
  bmmCompute: Entry;
  bmv: Entry;
  convForward: Entry;
  convBackInput: Entry;
  convBackFilter: Entry;
  convSumParts: Entry;
  winoFilter: Entry;
  winoConv: Entry;
  winoBackFilter: Entry;
  winoFilterGrad: Entry;
  maxPoolForward: Entry;
  maxPoolBackward: Entry;
  avgPoolForward: Entry;
  avgPoolBackward: Entry;
  unary: Entry;
  binary: Entry;
  select: Entry;
  addcmul: Entry;
  reduce: Entry;
  reduceRows: Entry;
  reduceAround: Entry;
  fused: Entry;
}

/**
 * Exports that the fork-join pool may run on worker threads, by index. Each takes its arguments
 * followed by (chunk, tid) and computes one chunk of the work using thread `tid`'s scratch.
 */
export const PARALLEL_OPS = [
  'bmmPackB', 'bmmCompute', 'bmv', 'convForward', 'convBackInput', 'convBackFilter', 'convSumParts',
  'maxPoolForward', 'maxPoolBackward', 'avgPoolForward', 'avgPoolBackward', 'unary', 'binary', 'select', 'addcmul', 'reduce', 'reduceRows', 'reduceAround', 'fused',
  'winoFilter', 'winoConv', 'winoBackFilter', 'winoFilterGrad',
] as const satisfies readonly (keyof KernelExports)[];
export type ParallelOp = (typeof PARALLEL_OPS)[number];
