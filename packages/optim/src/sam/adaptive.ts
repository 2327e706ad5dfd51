import { ArgumentError, tree } from '@ssam/tensor';
import { checkNonNegative } from '../internal/validate.js';
import type { LeafMask } from '../masked.js';
import type { Params } from '../types.js';

// ASAM (Kwon et al. 2021, arXiv 2102.11600): the ascent is rescaled by T = |w| (+ η), ε = ρ·T²g/‖Tg‖.

/**
 * ASAM's two published forms. `true`: T = |w| on every parameter (the common PyTorch SAM form).
 * An object: T = |w| + η on the selected tensors (default: rank ≥ 2, i.e. weight matrices and
 * conv kernels) and T = 1 elsewhere (the ASAM authors' form, η = 0.01).
 */
export type AdaptiveOption = boolean | { readonly eta?: number; readonly only?: LeafMask };

/** How ASAM rescales the ascent: `T = |w| + eta` on the selected leaves, `T = 1` elsewhere. */
export interface AdaptiveSpec {
  readonly eta: number;
  /** One boolean per parameter tensor: does T = |w| + η apply? */
  readonly only: (params: Params) => boolean[];
}

export function adaptiveSpec(op: string, a: AdaptiveOption | undefined): AdaptiveSpec | undefined {
  if (a === undefined || a === false) return undefined;
  if (a === true) return { eta: 0, only: (p) => tree.leaves(p).map(() => true) };
  if (typeof a !== 'object' || a === null) throw new ArgumentError(op, `adaptive must be true, false or { eta, only }; got ${String(a)}`);
  const eta = checkNonNegative(op, 'adaptive.eta', a.eta ?? 0.01);
  const only = a.only;
  const select = (p: Params): boolean[] => {
    if (only === undefined) return tree.leaves(p).map((w) => w.rank >= 2);
    const m = typeof only === 'function' ? only(p) : only;
    const ls = tree.leaves<unknown>(m as never);
    if (ls.length !== tree.count(p) || ls.some((l) => typeof l !== 'boolean'))
      throw new ArgumentError(op, `adaptive.only must give one boolean per parameter tensor (${tree.count(p)}); got ${ls.length} leaves`);
    return ls as boolean[];
  };
  return { eta, only: select };
}
