import { apply, type PrimAttrs, type PrimName, type Tensor } from '@ssam/tensor';
import { untraced, type Tracer } from '@ssam/tensor/trace';

/** One recorded primitive application. `needs[i]`: input i depends on the differentiated leaves. */
export interface PrimNode<P extends PrimName = PrimName> {
  readonly kind: 'prim';
  readonly prim: P;
  readonly inputs: readonly Tensor[];
  readonly attrs: PrimAttrs[P];
  readonly out: Tensor;
  readonly needs: readonly boolean[];
}

/** A `customVjp` call: the user's backward maps output cotangents to input cotangents. */
export interface CustomNode {
  readonly kind: 'custom';
  readonly inputs: readonly Tensor[];
  readonly outs: readonly Tensor[];
  readonly needs: readonly boolean[];
  readonly bwd: (cts: readonly (Tensor | null)[]) => readonly (Tensor | null)[];
}

export type TapeNode = PrimNode | CustomNode;

/**
 * Primitives whose outputs are locally constant in their inputs (derivative zero almost
 * everywhere). Their outputs never become live, so nothing downstream of them is taped.
 */
const LOCALLY_CONSTANT: ReadonlySet<PrimName> = new Set<PrimName>(['compare', 'sign']);

/**
 * The tape of one `vjp`: a Tracer that records, in program order, every primitive whose inputs
 * depend (by tensor identity) on this tape's leaves. Each tape tracks its own dependency set, so
 * nested tapes never confuse their perturbations: an inner tape does not see an outer leaf unless
 * a value it traces was computed from it, and vice versa.
 */
export class Tape implements Tracer {
  nodes: (TapeNode | undefined)[] = [];
  /** Tensors that depend on the leaves; only needed while `f` runs, dropped by `close()`. */
  private live: Set<Tensor> | null = new Set();

  constructor(leaves: readonly Tensor[]) {
    for (const l of leaves) if (l.dtype === 'float32') this.live!.add(l);
  }

  isLive(t: Tensor): boolean {
    return this.live !== null && this.live.has(t);
  }

  record<P extends PrimName>(prim: P, inputs: readonly Tensor[], attrs: PrimAttrs[P], out: Tensor): void {
    const live = this.live;
    if (live === null || out.dtype !== 'float32' || LOCALLY_CONSTANT.has(prim)) return;
    let any = false;
    const needs = new Array<boolean>(inputs.length);
    for (let i = 0; i < inputs.length; i++) {
      const n = live.has(inputs[i]!);
      needs[i] = n;
      any ||= n;
    }
    if (!any) return;
    this.nodes.push({ kind: 'prim', prim, inputs, attrs, out, needs } as PrimNode);
    live.add(out);
  }

  recordCustom(inputs: readonly Tensor[], outs: readonly Tensor[], bwd: CustomNode['bwd']): void {
    const live = this.live;
    if (live === null) return;
    const needs = inputs.map((t) => live.has(t));
    if (!needs.some(Boolean)) return;
    this.nodes.push({ kind: 'custom', inputs, outs, needs, bwd });
    for (const o of outs) if (o.dtype === 'float32') live.add(o);
  }

  /** Ends recording; returns which of `outputs` depend on the leaves. */
  close(outputs: readonly Tensor[]): boolean[] {
    const live = this.live;
    this.live = null;
    return outputs.map((t) => live !== null && live.has(t));
  }
}

/**
 * A new tensor object that shares `t`'s storage. Going through the `reshape` primitive lets the
 * enclosing tapes record the link (so an inner `vjp` leaf still depends on an outer leaf).
 */
export function identity(t: Tensor): Tensor {
  return apply('reshape', [t], { shape: t.shape });
}

/** Like `identity`, but invisible to every tape: the result is a constant (stopGradient). */
export function detached(t: Tensor): Tensor {
  return untraced(() => apply('reshape', [t], { shape: t.shape }));
}
