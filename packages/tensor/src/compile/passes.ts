import type { Graph, Node, OutLeaf } from './graph.js';

/** Attribute key that tells NaN, ±Infinity and -0 apart (JSON.stringify maps the first three to null). */
function attrsKey(attrs: unknown): string {
  return JSON.stringify(attrs, (_k, v: unknown) => (typeof v === 'number' ? (Object.is(v, -0) ? '-0' : String(v)) : v));
}

/**
 * Common subexpressions: a node with the same primitive, attributes and (already merged) inputs as
 * an earlier one is replaced by it. Kernels are deterministic functions of exactly these, so the
 * merged graph computes the same bits.
 */
export function eliminateCommonSubexpressions(g: Graph): Graph {
  const rep = g.values.map((_, i) => i);
  const seen = new Map<string, number>();
  const nodes: Node[] = [];
  for (const n of g.nodes) {
    const inputs = n.inputs.map((i) => rep[i]!);
    const key = `${n.prim}|${inputs.join(',')}|${attrsKey(n.attrs)}`;
    const hit = seen.get(key);
    if (hit !== undefined) {
      rep[n.out] = hit;
      continue;
    }
    seen.set(key, n.out);
    nodes.push({ ...n, inputs });
  }
  const outputs: OutLeaf[] = g.outputs.map((o) => ('value' in o ? { value: rep[o.value]! } : o));
  return { ...g, nodes, outputs };
}

/** Dead code: keeps only the nodes that an output depends on. */
export function eliminateDeadCode(g: Graph): Graph {
  const live = new Set<number>();
  for (const o of g.outputs) if ('value' in o) live.add(o.value);
  const keep: boolean[] = new Array(g.nodes.length).fill(false);
  for (let k = g.nodes.length - 1; k >= 0; k--) {
    const n = g.nodes[k]!;
    if (!live.has(n.out)) continue;
    keep[k] = true;
    for (const i of n.inputs) live.add(i);
  }
  return { ...g, nodes: g.nodes.filter((_, k) => keep[k]) };
}

/** The passes in the order `compile` runs them. */
export const optimize = (g: Graph): Graph => eliminateDeadCode(eliminateCommonSubexpressions(g));
