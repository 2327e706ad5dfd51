// ESAM's stochastic weight perturbation, SWP (Du, Yan, Feng, Zhou, Zhen, Goh, Tan, ICLR 2022,
// "Efficient Sharpness-aware Minimization for Improved Training of Neural Networks", arXiv
// 2110.03141), in the form of the paper's definition:
//   m_i ~ Bernoulli(β) per ENTRY, drawn afresh at every step,
//   ε = (m ⊙ ρ·g/‖g‖)/β   (the norm over the FULL gradient; E[ε] = ρ·g/‖g‖),
//   g′ = ∇L(w + ε),  descend from w with g′ (the base optimizer).
// Not implemented here: the official code's per-tensor selection on pass 2 (whose saving is the
// backward it skips, which an eager per-entry mask does not give), and ESAM's other half,
// sharpness-sensitive data selection. β = 1 is SAM; β = 0 is read as "never perturb".
import { random, type Key, type Tensor, tree } from '@ssam/tensor';
import { checkRateOrSchedule, checkUnit } from '../internal/validate.js';
import { keyFromTensor, keyToTensor } from '../sam/refresh.js';
import { ascentChain, maskBy, normalizeGlobal, scaleByRho } from '../sam/ascent.js';
import type { MaskPolicy, SamState } from '../sam/core.js';
import { maskDensity, sam } from '../sam/sam.js';
import type { GradientTransformation, OptState, Params, Schedule, Updates } from '../types.js';

/** The SWP mask state: this step's Bernoulli(β) mask and the PRNG key for the next one. */
export interface SwpMaskState {
  readonly mask: Updates;
  readonly key: Tensor;
}

/** A fresh per-entry Bernoulli(β) mask at every step (a `MaskPolicy` for `sam`). */
export function bernoulliMaskPolicy(beta: number, key: Key): MaskPolicy<SwpMaskState> {
  const draw = (params: Params, k: Key): Updates => {
    const ls = tree.leaves(params) as Tensor[];
    const ks = ls.length > 0 ? random.split(k, ls.length) : [];
    return tree.unflatten(tree.flatten(params)[1], ls.map((x, i) => random.bernoulli(ks[i]!, beta, x.shape))) as Updates;
  };
  return {
    init: (params) => ({ mask: tree.zerosLike(params), key: keyToTensor(key) }),
    before(s, ctx) {
      const [next, k] = random.split(keyFromTensor(s.key), 2) as [Key, Key];
      return { mask: draw(ctx.params, k), key: keyToTensor(next) };
    },
    view: (s) => ({ mask: s.mask, density: beta === 0 ? 0 : maskDensity(s.mask) }),
  };
}

export interface EsamSwpOptions {
  /** Radius ρ ≥ 0 of the unmasked ascent (a number or a schedule of the step). */
  readonly rho: number | Schedule;
  /** β ∈ [0, 1]: the probability that an entry is perturbed (ESAM uses 0.5–0.6). */
  readonly beta: number;
  /** The optimizer that takes the descent step with g′. */
  readonly base: GradientTransformation<any>;
  /** Seeds the masks (default random.key(0)). */
  readonly key?: Key;
  /** δ in ρ·g/(‖g‖ + δ) (default 1e-12). */
  readonly normEps?: number;
}

/**
 * ESAM's SWP: SAM whose ascent is a fresh Bernoulli(β) mask of ρ·g/‖g‖, scaled by 1/β.
 * = sam({ ascent: ascentChain(normalizeGlobal(), maskBy(), scaleByRho(ρ/β)), policy: bernoulliMaskPolicy(β, key), base })
 * @example const opt = esamSwp({ rho: 0.05, beta: 0.6, base: sgd({ lr: 0.1, momentum: 0.9 }) });
 */
export function esamSwp(o: EsamSwpOptions): GradientTransformation<SamState<OptState, SwpMaskState>> {
  const rho = checkRateOrSchedule('esamSwp', 'rho', o.rho);
  const beta = checkUnit('esamSwp', 'beta', o.beta);
  const over = (r: number) => (beta === 0 ? 0 : r / beta);
  const scaled = typeof rho === 'number' ? over(rho) : (t: number) => over(rho(t));
  return sam({
    ascent: ascentChain(normalizeGlobal(o.normEps === undefined ? {} : { normEps: o.normEps }), maskBy(), scaleByRho(scaled)),
    policy: bernoulliMaskPolicy(beta, o.key ?? random.key(0)),
    base: o.base,
  });
}
