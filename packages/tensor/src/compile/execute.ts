import type { Kernel, Kernels } from '../backend.js';
import type { WasmRuntime } from '../backends/wasm/runtime.js';
import type { PrimName } from '../primitives.js';
import { allocateInto } from '../dtype.js';
import { dataOf, fromHost, type Tensor } from '../tensor.js';
import * as tree from '../tree.js';
import type { Graph } from './graph.js';
import { aliases, assignSlots, type Layout } from './liveness.js';
import { fuseElementwise, type Fused, type PlanNode } from './fusion.js';
import { optimize } from './passes.js';

/** Primitives whose wasm kernel writes the slot itself (`rt.nextOutput`) unless the inputs are tiny. */
const WASM_FIRST: ReadonlySet<PrimName> = new Set<PrimName>(['matmul', 'conv2d', 'conv2dBackInput', 'conv2dBackFilter']);

/** A traced, optimised graph with its arena layout: what `compile` caches per input signature. */
export interface Plan {
  readonly graph: Graph & { readonly nodes: readonly PlanNode[] };
  readonly layout: Layout;
  /** primitives folded into fused elementwise kernels */
  readonly fusedAway: number;
}

export function makePlan(traced: Graph, opts: { readonly fuse: boolean; readonly minElements: number }): Plan {
  const optimized = optimize(traced);
  const { nodes, fusedAway } = opts.fuse ? fuseElementwise(optimized, opts.minElements) : { nodes: optimized.nodes, fusedAway: 0 };
  const graph = { ...optimized, nodes };
  return { graph, layout: assignSlots(graph), fusedAway };
}

/** One fused elementwise chain: inputs in place, the program and strides in scratch, the result into its slot. */
function runFused(rt: WasmRuntime, f: Fused, ins: readonly Tensor[], at: number, size: number): void {
  const work = rt.bytesWork(size * 4 * (ins.length + 1));
  const mark = rt.begin(0, work);
  try {
    const prog = rt.putInts(f.program);
    const ptrs = rt.putInts(ins.map((t) => dataOf(t).byteOffset));
    const sp = rt.putInts([...f.col.strides.flat(), ...f.col.dims]);
    const stride = rt.exports.fusedScratchSize(f.nRegs);
    const scratch = rt.alloc(rt.threads * stride);
    const rows = f.col.dims[0] * f.col.dims[1] * f.col.dims[2];
    const per = Math.ceil(rows / rt.chunks(rows, work));
    rt.run('fused', [prog, f.nInstr, ins.length, f.nRegs, ptrs, sp, at, sp + 16 * ins.length, scratch, stride, per], Math.ceil(rows / per), work);
  } finally {
    rt.release(mark);
  }
}

/**
 * Runs a plan on the wasm runtime with every tensor resident in its memory: the arena is pinned at
 * the start of the runtime's scratch space for the length of the run; arguments and constants are
 * copied in once, each kernel reads its operands in place and writes its result straight into the
 * value's slot (`rt.nextOutput`), and only the outputs are copied out into host arrays. A kernel
 * that answers with a host array (the plain-JS movement kernels, tiny or int32 inputs) has its
 * result copied into the slot, so the next kernel again finds it resident.
 */
export function runPlan(plan: Plan, rt: WasmRuntime, kernels: Kernels, argLeaves: readonly unknown[]): unknown {
  const { graph: g, layout } = plan;
  const base = rt.pin(layout.bytes);
  try {
    const vals: (Tensor | undefined)[] = new Array(g.values.length);
    const place = (v: number, data: ArrayLike<number>): Tensor => {
      const val = g.values[v]!;
      const view = rt.residentView(base + layout.offsets[v]!, data.length, val.dtype);
      view.set(data);
      return fromHost(view, val.shape, val.dtype);
    };
    for (let v = 0; v < g.values.length; v++) {
      if (layout.offsets[v]! < 0) continue;
      const src = g.values[v]!.src;
      if (src.kind === 'input') vals[v] = place(v, dataOf(argLeaves[src.leaf] as Tensor));
      else if (src.kind === 'const') vals[v] = place(v, dataOf(src.tensor));
    }
    for (const n of g.nodes) {
      const ins = n.inputs.map((i) => vals[i]!);
      const val = g.values[n.out]!;
      if (aliases(n.prim)) {
        vals[n.out] = fromHost(dataOf(ins[0]!), val.shape, val.dtype);
        continue;
      }
      const at = base + layout.offsets[n.out]!;
      const size = val.shape.reduce((a, b) => a * b, 1);
      if (n.fused !== undefined) {
        runFused(rt, n.fused, ins, at, size);
        vals[n.out] = fromHost(rt.residentView(at, size, 'float32'), val.shape, 'float32');
        continue;
      }
      rt.nextOutput = at;
      rt.nextOutputBytes = size * 4;
      // a kernel that runs in JavaScript (movement, tiny or int32 inputs) allocates into the slot
      if (!WASM_FIRST.has(n.prim)) allocateInto(rt.residentView(at, size, val.dtype));
      let y: Tensor;
      try {
        y = (kernels[n.prim] as Kernel<PrimName>)(ins, n.attrs);
      } finally {
        rt.nextOutput = -1;
        allocateInto(undefined);
      }
      const data = dataOf(y);
      vals[n.out] = rt.resident.has(data) && data.byteOffset === at ? y : place(n.out, data);
    }
    const outs = g.outputs.map((o) => {
      if (!('value' in o)) return o.baked;
      const t = vals[o.value]!;
      return fromHost(dataOf(t).slice(), t.shape, t.dtype);
    });
    return tree.unflatten(g.outDef, outs);
  } finally {
    rt.unpin();
  }
}
