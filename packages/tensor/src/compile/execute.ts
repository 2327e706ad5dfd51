import type { Kernel, Kernels } from '../backend.js';
import type { WasmRuntime } from '../backends/wasm/runtime.js';
import type { PrimName } from '../primitives.js';
import { dataOf, fromHost, type Tensor } from '../tensor.js';
import * as tree from '../tree.js';
import type { Graph } from './graph.js';
import { aliases, assignSlots, type Layout } from './liveness.js';
import { optimize } from './passes.js';

/** A traced, optimised graph with its arena layout: what `compile` caches per input signature. */
export interface Plan {
  readonly graph: Graph;
  readonly layout: Layout;
}

export function makePlan(traced: Graph): Plan {
  const graph = optimize(traced);
  return { graph, layout: assignSlots(graph) };
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
      rt.nextOutput = at;
      rt.nextOutputBytes = size * 4;
      const y = (kernels[n.prim] as Kernel<PrimName>)(ins, n.attrs);
      rt.nextOutput = -1;
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
