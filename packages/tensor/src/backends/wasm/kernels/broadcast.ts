import { stridesOf } from '../../../shape.js';

/** A rank-4 iteration space with per-operand element strides (0 along broadcast axes). */
export interface Collapsed {
  readonly dims: [number, number, number, number];
  readonly strides: [number, number, number, number][];
}

/**
 * Collapses NumPy broadcasting of `inShapes` to `outShape` into at most four axes: size-1 output
 * axes are dropped and neighbouring axes merged wherever every operand steps through them as one
 * axis. Returns null when more than four axes remain (the caller falls back to the reference).
 */
export function collapse(outShape: readonly number[], inShapes: readonly (readonly number[])[]): Collapsed | null {
  const r = outShape.length;
  const st = inShapes.map((s) => {
    const own = stridesOf(s);
    return outShape.map((d, i) => {
      const j = i - (r - s.length);
      return j < 0 || (s[j] === 1 && d !== 1) ? 0 : own[j]!;
    });
  });
  const dims: number[] = [];
  const ops: number[][] = inShapes.map(() => []);
  for (let i = 0; i < r; i++) {
    const d = outShape[i]!;
    if (d === 1) continue;
    const last = dims.length - 1;
    // merge axis i into the previous kept axis when each operand's stride there equals stride·d
    if (last >= 0 && st.every((s, q) => ops[q]![last] === s[i]! * d)) {
      dims[last] = dims[last]! * d;
      st.forEach((s, q) => (ops[q]![last] = s[i]!));
      continue;
    }
    dims.push(d);
    st.forEach((s, q) => ops[q]!.push(s[i]!));
  }
  if (dims.length > 4) return null;
  while (dims.length < 4) {
    dims.unshift(1);
    ops.forEach((o) => o.unshift(0));
  }
  return { dims: dims as Collapsed['dims'], strides: ops as Collapsed['strides'] };
}
