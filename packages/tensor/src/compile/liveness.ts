import type { Graph } from './graph.js';

/** Slot byte sizes are rounded to this (the kernels' SIMD loads like 64-byte alignment). */
const ALIGN = 64;
const slotBytes = (elements: number): number => Math.max(ALIGN, Math.ceil((elements * 4) / ALIGN) * ALIGN);

/** Where every value of a graph lives in the plan's arena (byte offsets from its base). */
export interface Layout {
  /** byte offset per value id (-1: not used by the plan) */
  readonly offsets: readonly number[];
  /** the arena's size in bytes */
  readonly bytes: number;
  /** bytes a plan without reuse would need (every value its own slot), for the docs and tests */
  readonly unshared: number;
}

/** A value whose buffer is another's: a `reshape` result is a view of its input. */
export const aliases = (prim: string): boolean => prim === 'reshape';

/**
 * Buffers reused by liveness. Values are visited in execution order: arguments and constants
 * first, then each node's output. A buffer whose last reader has run goes back to a free list and
 * the next value that fits takes it (best fit). A node's output is placed BEFORE its inputs are
 * released, so no kernel ever writes over an operand it is still reading. Outputs are never
 * released. Reshapes share their input's buffer; the buffer lives until the last reader of any of
 * its views.
 */
export function assignSlots(g: Graph): Layout {
  const nV = g.values.length;
  const root = g.values.map((_, i) => i);
  for (const n of g.nodes) if (aliases(n.prim)) root[n.out] = root[n.inputs[0]!]!;
  // last step reading each root buffer: node index; outputs live to the end (Infinity)
  const last: number[] = new Array(nV).fill(-1);
  g.nodes.forEach((n, k) => {
    for (const i of n.inputs) last[root[i]!] = Math.max(last[root[i]!]!, k);
    last[root[n.out]!] = Math.max(last[root[n.out]!]!, k);
  });
  for (const o of g.outputs) if ('value' in o) last[root[o.value]!] = Infinity;
  const used = new Set<number>();
  for (const n of g.nodes) {
    used.add(n.out);
    for (const i of n.inputs) used.add(i);
  }
  for (const o of g.outputs) if ('value' in o) used.add(o.value);

  const offsets: number[] = new Array(nV).fill(-1);
  const free: { off: number; size: number }[] = [];
  let top = 0;
  let unshared = 0;
  const alloc = (v: number): void => {
    const need = slotBytes(g.values[v]!.shape.reduce((a, b) => a * b, 1));
    unshared += need;
    let best = -1;
    for (let j = 0; j < free.length; j++) if (free[j]!.size >= need && (best < 0 || free[j]!.size < free[best]!.size)) best = j;
    if (best >= 0) {
      const b = free.splice(best, 1)[0]!;
      offsets[v] = b.off;
      if (b.size - need >= ALIGN) free.push({ off: b.off + need, size: b.size - need });
      return;
    }
    offsets[v] = top;
    top += need;
  };
  const sizeOfRoot = (v: number): number => slotBytes(g.values[v]!.shape.reduce((a, b) => a * b, 1));
  const release = (k: number, n: { inputs: readonly number[] }): void => {
    const done = new Set<number>();
    for (const i of n.inputs) {
      const r = root[i]!;
      if (last[r] === k && !done.has(r)) {
        done.add(r);
        free.push({ off: offsets[r]!, size: sizeOfRoot(r) });
      }
    }
  };
  // arguments and constants: every used value that no node makes
  const made = new Set(g.nodes.map((n) => n.out));
  for (let v = 0; v < nV; v++) if (used.has(v) && !made.has(v)) alloc(v);
  g.nodes.forEach((n, k) => {
    if (aliases(n.prim)) offsets[n.out] = offsets[root[n.out]!]!;
    else alloc(n.out);
    release(k, n);
  });
  return { offsets, bytes: Math.max(top, ALIGN), unshared };
}
