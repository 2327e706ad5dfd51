import { ArgumentError, ShapeError, describeValue, fmtShape } from './errors.js';

export type Shape = readonly number[];

/**
 * The most elements a tensor may hold: 2³¹ − 1, so that every element has an int32 index (argmax,
 * gather, scatterAdd) and a float32 tensor stays under 8 GiB.
 */
export const MAX_SIZE = 0x7fff_ffff;

export function sizeOf(shape: Shape): number {
  let n = 1;
  for (const d of shape) n *= d;
  return n;
}

/** Row-major (C order) strides in elements. */
export function stridesOf(shape: Shape): number[] {
  const st = new Array<number>(shape.length);
  let s = 1;
  for (let i = shape.length - 1; i >= 0; i--) {
    st[i] = s;
    s *= shape[i]!;
  }
  return st;
}

export function shapesEqual(a: Shape, b: Shape): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}

/** NumPy broadcasting of any number of shapes; throws a ShapeError naming `op` on mismatch. */
export function broadcastShapes(op: string, ...shapes: Shape[]): number[] {
  const rank = Math.max(0, ...shapes.map((s) => s.length));
  const out = new Array<number>(rank).fill(1);
  for (let i = 0; i < rank; i++) {
    for (const s of shapes) {
      const d = s[s.length - rank + i] ?? 1;
      const o = out[i]!;
      if (d === o || d === 1) continue;
      if (o === 1) out[i] = d;
      else
        throw new ShapeError(
          op,
          `shapes ${shapes.map(fmtShape).join(' and ')} do not broadcast: dimension ${i - rank} is ${o} vs ${d}; ` +
            `insert a size-1 axis (reshape) or transpose so the dimensions line up`,
        );
    }
  }
  if (sizeOf(out) > MAX_SIZE)
    throw new ShapeError(op, `shapes ${shapes.map(fmtShape).join(' and ')} broadcast to ${fmtShape(out)}, ${sizeOf(out)} elements; a tensor holds at most 2^31 - 1`);
  return out;
}

/** Normalises a possibly negative axis into [0, rank). */
export function normAxis(op: string, axis: number, rank: number, arg = 'axis'): number {
  if (typeof axis !== 'number' || !Number.isInteger(axis) || axis < -rank || axis >= rank)
    throw new ArgumentError(op, `${arg} ${describeValue(axis)} is out of range for a tensor of rank ${rank} (valid: ${-rank}..${rank - 1})`);
  return axis < 0 ? axis + rank : axis;
}

/** Normalises an axes argument (undefined = all axes) into sorted unique non-negative axes. */
export function normAxes(op: string, axes: number | readonly number[] | undefined, rank: number): number[] {
  if (axes === undefined) return Array.from({ length: rank }, (_, i) => i);
  if (typeof axes !== 'number' && !Array.isArray(axes))
    throw new ArgumentError(op, `axes must be an axis, an array of axes or undefined (all axes), got ${describeValue(axes)}`);
  const list = typeof axes === 'number' ? [axes] : (axes as readonly number[]);
  const out = [...new Set(list.map((a) => normAxis(op, a, rank, 'axes')))].sort((x, y) => x - y);
  if (out.length !== list.length) throw new ArgumentError(op, `axes ${JSON.stringify(list)} repeat an axis`);
  return out;
}

/** Refuses an op whose result would hold more than MAX_SIZE elements. */
export function checkOutSize(op: string, shape: Shape): void {
  const n = sizeOf(shape);
  if (n > MAX_SIZE) throw new ShapeError(op, `the result ${fmtShape(shape)} would hold ${n} elements; a tensor holds at most 2^31 - 1 (${MAX_SIZE})`);
}

/** Checks that `shape` is an array of non-negative integers holding at most MAX_SIZE elements. */
export function checkShape(op: string, arg: string, shape: unknown): asserts shape is Shape {
  if (!Array.isArray(shape)) throw new ArgumentError(op, `${arg} must be an array of sizes such as [2, 3], got ${describeValue(shape)}`);
  let n = 1;
  for (const d of shape as unknown[]) {
    if (typeof d !== 'number' || !Number.isInteger(d) || d < 0)
      throw new ArgumentError(op, `${arg} ${describeValue(shape)} must hold non-negative integers`);
    n *= d;
  }
  if (n > MAX_SIZE || shape.some((d) => d > MAX_SIZE))
    throw new ArgumentError(op, `${arg} ${fmtShape(shape as number[])} has ${n} elements; a tensor holds at most 2^31 - 1 (${MAX_SIZE})`);
}
