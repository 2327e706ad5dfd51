import { ArgumentError, fmtShape } from '../errors.js';
import type { PrimAttrs, PrimName } from '../primitives.js';
import { dataOf, isTensor, setHostReadGuard, type Tensor } from '../tensor.js';
import { popObserver, pushObserver, type Tracer } from '../trace.js';
import * as tree from '../tree.js';
import type { Graph, Node, OutLeaf, Value } from './graph.js';

/** How deep `compile` traces are nested right now (an inner compiled function then runs inline). */
let tracing = 0;
export const isTracing = (): boolean => tracing > 0;

/**
 * Runs `f(...args)` once eagerly with an observer that records every primitive (also inside
 * `untraced`, so stopGradient stays a node) and a guard that turns a host read of a traced value
 * into an error. Tensors the observer has not seen made are constants of the graph.
 */
export function traceGraph(name: string, f: (...args: never[]) => unknown, args: readonly unknown[]): Graph {
  const [leaves] = tree.flatten(args as tree.Tree<unknown>);
  const argPaths = tree.paths(args as tree.Tree<unknown>);
  const values: Value[] = [];
  const nodes: Node[] = [];
  const ids = new Map<Tensor, number>();
  const made = new Map<number, string>(); // value id → what made it, for the host-read error
  const inputs = leaves.map((l, i) => {
    if (!isTensor(l)) return -1;
    const seen = ids.get(l);
    if (seen !== undefined) return seen;
    const id = values.push({ shape: l.shape, dtype: l.dtype, src: { kind: 'input', leaf: i } }) - 1;
    ids.set(l, id);
    made.set(id, `the argument args${argPaths[i]!.map((p) => `[${JSON.stringify(p)}]`).join('')}`);
    return id;
  });
  // small constants with the same bits are one value (every `mul(x, 0.5)` makes its own scalar),
  // so that common-subexpression elimination sees through them
  const smallConsts = new Map<string, number>();
  const idOf = (t: Tensor): number => {
    let id = ids.get(t);
    if (id !== undefined) return id;
    const key = t.size <= 16 ? `${t.dtype}[${t.shape.join(',')}]${new Uint32Array(dataOf(t).buffer, dataOf(t).byteOffset, t.size).join(',')}` : undefined;
    id = key === undefined ? undefined : smallConsts.get(key);
    if (id === undefined) {
      id = values.push({ shape: t.shape, dtype: t.dtype, src: { kind: 'const', tensor: t } }) - 1;
      if (key !== undefined) smallConsts.set(key, id);
    }
    ids.set(t, id);
    return id;
  };
  const observer: Tracer = {
    record<P extends PrimName>(prim: P, ins: readonly Tensor[], attrs: PrimAttrs[P], output: Tensor): void {
      const inIds = ins.map(idOf);
      const out = values.push({ shape: output.shape, dtype: output.dtype, src: { kind: 'node', node: nodes.length } }) - 1;
      nodes.push({ prim, attrs, inputs: inIds, out });
      ids.set(output, out);
      made.set(out, `the primitive \`${prim}\``);
    },
  };
  const guard = (t: Tensor, what: string): void => {
    const id = ids.get(t);
    const by = id === undefined ? undefined : made.get(id);
    if (by === undefined) return;
    throw new ArgumentError(
      name,
      `\`${what}\` reads the values of a tensor of shape ${fmtShape(t.shape)} made by ${by} inside a compiled function. ` +
        'A compiled function is traced once per input signature, so its values are not known then. ' +
        'Return the tensor from the function and read it after the call, use `where` instead of a branch on a value, ' +
        'or pass the value in as a static number argument (a new value compiles a new plan).',
    );
  };
  tracing++;
  pushObserver(observer);
  setHostReadGuard(guard);
  let result: unknown;
  try {
    result = f(...(args as never[]));
  } finally {
    tracing--;
    popObserver(observer);
    setHostReadGuard(undefined);
  }
  const [outLeaves, outDef] = tree.flatten(result as tree.Tree<unknown>);
  const outputs: OutLeaf[] = outLeaves.map((l) => (isTensor(l) ? { value: idOf(l) } : { baked: l }));
  return { values, nodes, inputs, outputs, outDef };
}
