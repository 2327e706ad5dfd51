import { add, type PrimName, type Tensor } from '@ssam/tensor';
import { unbroadcast } from './internal/adjoints.js';
import { vjpRules, type VjpRule } from './rules.js';
import type { OverrideNode, VjpOverride } from './override.js';
import type { Tape, TapeNode } from './tape.js';

function accumulate(acc: Map<Tensor, Tensor>, t: Tensor, g: Tensor): void {
  const prev = acc.get(t);
  acc.set(t, prev === undefined ? g : add(prev, g));
}

type Override = { readonly fn: VjpOverride; readonly leafIndex: (t: Tensor) => number | undefined; readonly leafCount: number };

/** Applies one node's rule: consumes its output cotangents and adds to its inputs' cotangents. */
function step(acc: Map<Tensor, Tensor>, node: TapeNode, over: Override | undefined): void {
  let ins: readonly (Tensor | null)[];
  let what: string;
  if (node.kind === 'prim') {
    const g = acc.get(node.out);
    if (g === undefined) return;
    acc.delete(node.out);
    what = node.prim;
    const mine = over?.fn(g, { prim: node.prim, inputs: node.inputs, attrs: node.attrs, out: node.out, leafIndex: over.leafIndex, leafCount: over.leafCount } as OverrideNode, node.needs);
    if (mine) {
      what = `VjpOverride for '${node.prim}'`;
      if (mine.length !== node.inputs.length)
        throw new TypeError(`VjpOverride: for '${node.prim}' it returned ${mine.length} cotangents; return one per input (${node.inputs.length}), null where not needed`);
    }
    ins = mine ?? (vjpRules[node.prim] as VjpRule<PrimName>)(g, node, node.needs);
  } else {
    const outCts = node.outs.map((o) => acc.get(o) ?? null);
    if (outCts.every((c) => c === null)) return;
    for (const o of node.outs) acc.delete(o);
    what = 'customVjp';
    ins = node.bwd(outCts);
  }
  for (let i = 0; i < node.inputs.length; i++) {
    const gi = ins[i];
    if (!node.needs[i] || gi === null || gi === undefined) continue;
    const x = node.inputs[i]!;
    if (what.startsWith('VjpOverride') && gi.shape.join() !== x.shape.join()) {
      // an override's cotangent may keep the broadcast output shape, like a rule's; anything else is its mistake
      try {
        accumulate(acc, x, unbroadcast(gi, x.shape, what));
      } catch {
        throw new RangeError(`${what}: the cotangent of input ${i} has shape [${gi.shape.join(', ')}], but the input has shape [${x.shape.join(', ')}]; return one shaped like the input`);
      }
      continue;
    }
    accumulate(acc, x, unbroadcast(gi, x.shape, what));
  }
}

/**
 * Walks the tape backwards from the output cotangents and returns the cotangents of `leaves` (null
 * where nothing flowed). Cotangents are dropped as soon as their node has consumed them. With
 * `release`, each node is dropped too, so the intermediates it held can be collected while the
 * rest of the backward pass runs (valueAndGrad uses this: its pullback runs exactly once).
 * `override` may replace the rule of any primitive node (see VjpOverride).
 */
export function backward(
  tape: Tape,
  outputs: readonly Tensor[],
  cts: readonly (Tensor | null)[],
  leaves: readonly Tensor[],
  release: boolean,
  override?: VjpOverride,
): (Tensor | null)[] {
  let over: Override | undefined;
  if (override) {
    const index = new Map<Tensor, number>(leaves.map((l, i) => [l, i]));
    over = { fn: override, leafIndex: (t) => index.get(t), leafCount: leaves.length };
  }
  const acc = new Map<Tensor, Tensor>();
  for (let i = 0; i < outputs.length; i++) if (cts[i]) accumulate(acc, outputs[i]!, cts[i]!);
  const nodes = tape.nodes;
  for (let n = nodes.length - 1; n >= 0; n--) {
    const node = nodes[n];
    if (node === undefined) continue;
    if (release) nodes[n] = undefined;
    // NOTE: the work happens in a separate frame so that no stale local of this loop keeps a
    // consumed cotangent or intermediate alive while later rules run.
    step(acc, node, over);
  }
  if (release) tape.nodes = [];
  return leaves.map((l) => acc.get(l) ?? null);
}
