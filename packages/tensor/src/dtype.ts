/** Element types. `float32` for values, `int32` for labels and indices. */
export type DType = 'float32' | 'int32';

export type TypedArray = Float32Array | Int32Array;

let nextAllocation: TypedArray | undefined;

/**
 * @internal used by compiled plans: the next `allocate` of `into`'s dtype and length returns `into`
 * (zeroed), so a plain-JS kernel writes its result straight into the plan's arena slot.
 */
export function allocateInto(into: TypedArray | undefined): void {
  nextAllocation = into;
}

export function allocate(dtype: DType, size: number): TypedArray {
  const into = nextAllocation;
  if (into !== undefined && into.length === size && (dtype === 'int32') === into instanceof Int32Array) {
    nextAllocation = undefined;
    return into.fill(0);
  }
  return dtype === 'int32' ? new Int32Array(size) : new Float32Array(size);
}

export function isDType(x: unknown): x is DType {
  return x === 'float32' || x === 'int32';
}

/** Whether `v` is a number that an int32 holds exactly after truncation toward zero: [−2³¹, 2³¹). */
export const fitsInt32 = (v: number): boolean => v > -2147483649 && v < 2147483648;
