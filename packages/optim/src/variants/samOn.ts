// SAM-ON (Mueller, Vlaar, Rolnick, Hein, NeurIPS 2023, arXiv 2306.04226, "Normalization layers
// are all that sharpness-aware minimization needs"): SAM applied to the normalisation layers'
// affine parameters only,
//   ε_N = ρ·g_N/‖g_N‖  on the normalisation parameters N,  ε = 0 on every other parameter,
//   g′ = ∇L(w + ε),  descend with g′ on ALL parameters (the base optimizer, from w).
// The norm runs over g_N, the gradient of the perturbed subset (SAM on that subset), so
// ‖ε‖ = ρ. This is NOT SSAM with a static mask, whose norm runs over the full gradient
// (‖ε‖ = ρ·‖g_N‖/‖g‖): that form is `sam({ rho, mask })`.
import { ArgumentError, full, tree, type Tensor } from '@ssam/tensor';
import { checkNonNegative, checkRateOrSchedule } from '../internal/validate.js';
import { ascentChain, maskBy, normalizeGlobal, scaleByRho } from '../sam/ascent.js';
import type { MaskPolicy, SamState } from '../sam/core.js';
import { maskDensity, sam } from '../sam/sam.js';
import type { GradientTransformation, OptState, Params, Schedule, Updates } from '../types.js';

/** Which leaves SAM-ON perturbs: its key path (as `tree.paths` gives it) and the leaf. */
export type LeafSelector = (path: readonly (string | number)[], leaf: Tensor) => boolean;

/**
 * The default selector: a leaf is a normalisation layer's affine parameter when its key is
 * `gamma` or `beta` (the @ssam/models BatchNorm and LayerNorm) or a key on its path names a
 * normalisation layer (`bn`, `bn1`, `ln`, `gn`, `norm`, `layernorm`, ...).
 */
export const isNormalizationParam: LeafSelector = (path) =>
  path.some((k) => typeof k === 'string' && (/^(gamma|beta)$/i.test(k) || /^(bn|ln|gn)\d*$|norm/i.test(k)));

/** A static mask policy: 1 on the selected leaves, 0 elsewhere, built from the params at init. */
export function leafMaskPolicy(op: string, select: LeafSelector): MaskPolicy<{ mask: Updates }> {
  return {
    init(params: Params) {
      const ps = tree.paths(params);
      const ls = tree.leaves(params) as Tensor[];
      const [, def] = tree.flatten(params);
      const mask = tree.unflatten(def, ls.map((x, i) => {
        const on = select(ps[i]!, x);
        if (typeof on !== 'boolean') throw new ArgumentError(op, `select must return a boolean; for the leaf ${ps[i]!.join('.')} it returned ${String(on)}`);
        return full(x.shape, on ? 1 : 0, x.dtype);
      })) as Updates;
      return { mask };
    },
    before: (s) => s,
    view: (s) => ({ mask: s.mask, density: maskDensity(s.mask) }),
  };
}

export interface SamOnOptions {
  /** Radius ρ ≥ 0 (a number or a schedule of the step). The paper uses larger ρ than SAM's (e.g. 0.5–1 on CIFAR). */
  readonly rho: number | Schedule;
  /** The optimizer that takes the descent step with g′ (on every parameter). */
  readonly base: GradientTransformation<any>;
  /** Which leaves to perturb (default `isNormalizationParam`). */
  readonly select?: LeafSelector;
  /** δ in ρ·g_N/(‖g_N‖ + δ) (default 1e-12). */
  readonly normEps?: number;
}

/**
 * SAM-ON: SAM on the normalisation layers' affine parameters only.
 * = sam({ ascent: ascentChain(maskBy(), normalizeGlobal(), scaleByRho(rho)), policy: leafMaskPolicy(select), base })
 * (the mask BEFORE the norm: ‖ε‖ = ρ).
 * @example const opt = samOn({ rho: 0.5, base: sgd({ lr: 0.1, momentum: 0.9 }) });
 */
export function samOn(o: SamOnOptions): GradientTransformation<SamState<OptState, { mask: Updates }>> {
  const rho = checkRateOrSchedule('samOn', 'rho', o.rho);
  const normEps = checkNonNegative('samOn', 'normEps', o.normEps ?? 1e-12);
  const select = o.select ?? isNormalizationParam;
  if (typeof select !== 'function') throw new ArgumentError('samOn', `select must be a function (path, leaf) => boolean; got ${String(select)}`);
  return sam({ ascent: ascentChain(maskBy(), normalizeGlobal({ normEps }), scaleByRho(rho)), policy: leafMaskPolicy('samOn', select), base: o.base });
}
