import { collapse, type Collapsed } from '../backends/wasm/kernels/broadcast.js';
import { compareOp } from '../backends/wasm/kernels/elementwise.js';
import { BINARY_OPS, FUSED_KINDS, FUSED_WORDS, UNARY_OPS } from '../backends/wasm/opcodes.js';
import { ELEMENTWISE, type PrimAttrs, type PrimName } from '../primitives.js';
import type { Graph, Node } from './graph.js';

/** A chain of elementwise primitives run as one pass of the wasm `fused` kernel. */
export interface Fused {
  /** FUSED_WORDS (7) words per instruction: kind, op, dst, a, b, c, imm bits (assembly/fused.ts) */
  readonly program: Int32Array;
  readonly nInstr: number;
  readonly nRegs: number;
  /** the collapsed iteration space of the output with the strides of every input (= node.inputs) */
  readonly col: Collapsed;
  /** primitives it replaces, in order */
  readonly prims: readonly PrimName[];
}

export type PlanNode = Node & { readonly fused?: Fused };

const { unary: K_UNARY, binary: K_BINARY, select: K_SELECT, addcmul: K_ADDCMUL } = FUSED_KINDS;
const f32bits = (v: number): number => new Int32Array(new Float32Array([v]).buffer)[0]!;

function encode(n: Node): [kind: number, op: number, imm: number] {
  if (n.prim in UNARY_OPS) return [K_UNARY, UNARY_OPS[n.prim as keyof typeof UNARY_OPS], 0];
  if (n.prim in BINARY_OPS) return [K_BINARY, BINARY_OPS[n.prim as keyof typeof BINARY_OPS], 0];
  if (n.prim === 'compare') return [K_BINARY, compareOp(n.attrs as PrimAttrs['compare']), 0];
  if (n.prim === 'where') return [K_SELECT, 0, 0];
  return [K_ADDCMUL, 0, f32bits((n.attrs as PrimAttrs['addcmul']).value)];
}

const shapeEq = (a: readonly number[], b: readonly number[]) => a.length === b.length && a.every((d, i) => d === b[i]);

/**
 * Elementwise-chain fusion. A node joins its consumer's cluster when every reader of its output is
 * that consumer, it is not a plan output, and its output has the consumer's shape (broadcasting
 * happens only at the cluster's inputs). Candidates are the float32 ELEMENTWISE primitives with a
 * wasm kernel (all but pow) on at least `minElements` outputs: exactly the cases where the single
 * kernels run the wasm code whose functions the fused kernel shares, so the bits are the same.
 */
export function fuseElementwise(g: Graph, minElements: number): { nodes: PlanNode[]; fusedAway: number } {
  const uses = new Map<number, Set<number>>(); // value → indices of reading nodes
  g.nodes.forEach((n, k) => n.inputs.forEach((i) => (uses.get(i) ?? uses.set(i, new Set()).get(i)!).add(k)));
  const isOutput = new Set(g.outputs.flatMap((o) => ('value' in o ? [o.value] : [])));
  const candidate = g.nodes.map((n) => {
    const v = g.values[n.out]!;
    return (ELEMENTWISE.has(n.prim) || n.prim === 'broadcastTo') && n.prim !== 'pow' && v.dtype === 'float32' && v.shape.reduce((a, b) => a * b, 1) >= minElements && n.inputs.every((i) => g.values[i]!.dtype === 'float32');
  });
  // into[k]: the node whose cluster node k joins (-1: it is a cluster root or not fused)
  const into: number[] = g.nodes.map((n, k) => {
    if (!candidate[k] || isOutput.has(n.out)) return -1;
    const readers = uses.get(n.out);
    if (readers === undefined || readers.size !== 1) return -1;
    const [c] = readers;
    return candidate[c!] && shapeEq(g.values[g.nodes[c!]!.out]!.shape, g.values[n.out]!.shape) ? c! : -1;
  });
  const rootOf = (k: number): number => (into[k]! < 0 ? k : rootOf(into[k]!));
  const members = new Map<number, number[]>();
  g.nodes.forEach((_, k) => {
    if (candidate[k]) (members.get(rootOf(k)) ?? members.set(rootOf(k), []).get(rootOf(k))!).push(k);
  });
  const out: PlanNode[] = [];
  let fusedAway = 0;
  g.nodes.forEach((n, k) => {
    if (into[k]! >= 0) return; // runs inside its root's cluster
    const ms = members.get(k);
    // a cluster needs two members, and its root (which writes the output) must compute something
    if (ms === undefined || ms.length < 2 || n.prim === 'broadcastTo') {
      ms?.forEach((m) => out.push(g.nodes[m]!));
      if (ms === undefined) out.push(n);
      return;
    }
    const fused = buildProgram(g, ms.map((m) => g.nodes[m]!));
    if (fused === null) {
      // more than four collapsed axes: run the members one by one
      ms.forEach((m) => out.push(g.nodes[m]!));
      return;
    }
    fusedAway += ms.length - 1;
    out.push({ prim: n.prim, attrs: n.attrs, inputs: fused.inputs, out: n.out, fused: fused.fused });
  });
  return { nodes: out, fusedAway };
}

function buildProgram(g: Graph, ms: readonly Node[]): { inputs: number[]; fused: Fused } | null {
  const internal = new Map<number, number>(); // value → register
  const inputs: number[] = [];
  const regOf = (v: number): number => {
    const r = internal.get(v);
    if (r !== undefined) return r;
    let q = inputs.indexOf(v);
    if (q < 0) q = inputs.push(v) - 1;
    return q;
  };
  // leaves first, so that their registers are 0..L-1. A broadcastTo member is no instruction: its
  // readers read its input, broadcast by the strides (it joins only a consumer of its own output
  // shape, so its input broadcasts to the cluster's shape).
  const made = new Set(ms.map((m) => m.out));
  for (const m of ms) for (const i of m.inputs) if (!made.has(i) && !inputs.includes(i)) inputs.push(i);
  const instrs = ms.filter((m) => m.prim !== 'broadcastTo');
  const program = new Int32Array(instrs.length * FUSED_WORDS);
  let k = 0;
  for (const m of ms) {
    if (m.prim === 'broadcastTo') {
      internal.set(m.out, regOf(m.inputs[0]!));
      continue;
    }
    const [kind, op, imm] = encode(m);
    const dst = inputs.length + k;
    const [a = 0, b = 0, c = 0] = m.inputs.map(regOf);
    program.set([kind, op, dst, a, b, c, imm], k * FUSED_WORDS);
    internal.set(m.out, dst);
    k++;
  }
  const outShape = g.values[ms[ms.length - 1]!.out]!.shape;
  const col = collapse(outShape, inputs.map((i) => g.values[i]!.shape));
  if (col === null) return null;
  return { inputs, fused: { program, nInstr: instrs.length, nRegs: inputs.length + instrs.length, col, prims: ms.map((m) => m.prim) } };
}
