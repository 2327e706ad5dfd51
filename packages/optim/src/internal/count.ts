import { ArgumentError, isTensor, scalar, type Tensor } from '@ssam/tensor';

// Step counters live in optimizer state as rank-0 int32 tensors, so a state checkpoints as a
// tree of tensors like everything else.

export const zeroCount = (): Tensor => scalar(0, 'int32');

export function readCount(op: string, c: unknown): number {
  if (!isTensor(c) || c.size !== 1)
    throw new ArgumentError(op, `state.count must be a rank-0 tensor (build the state with init(params)); got ${String(c)}`);
  return c.item();
}

export const nextCount = (n: number): Tensor => scalar(n + 1, 'int32');
