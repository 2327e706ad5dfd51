import { abs, add, addcmul, ArgumentError, mul, tree, type Tensor } from '@ssam/tensor';
import { globalNorm } from '../internal/norm.js';
import { checkNonNegative, checkRateOrSchedule } from '../internal/validate.js';
import type { GradientTransformation, Params, Schedule, UpdateExtra, Updates } from '../types.js';
import { adaptiveSpec, type AdaptiveOption, type AdaptiveSpec } from './adaptive.js';

// The SAM ascent as a gradient transformation (optax contrib.sam: `chain(normalize(), sgd(ρ))`):
// ε = ascent.update(g). The built-in one is  normalizeGlobal() → maskBy() → scaleByRho(ρ),  i.e.
//   ε = m ⊙ ρ·T²g/(‖Tg‖ + δ),  the norm over the FULL gradient (Foret et al.; Kwon et al.; Mi et al.).

/** What the SAM engine adds to `extra` for its ascent transformation. */
export interface AscentContext {
  /** The step count (from 0). */
  readonly step: number;
  /** The mask the mask policy chose for this step; undefined = dense (or the implicit form). */
  readonly mask: Updates | undefined;
}

export type AscentExtra = UpdateExtra & { readonly ascent?: AscentContext };

type Stateless = GradientTransformation<Record<string, never>>;

/** How `ascentChain` fuses a built-in stage (one multiply for the whole ascent, as before). */
type Fusion =
  | { readonly kind: 'normalize'; readonly normEps: number; readonly adaptive: AdaptiveSpec | undefined }
  | { readonly kind: 'mask' }
  | { readonly kind: 'scale'; readonly at: (step: number) => number };
const FUSION = Symbol('ssam.ascentStage');
type Stage = Stateless & { readonly [FUSION]?: Fusion };

const contextOf = (op: string, extra: UpdateExtra | undefined): AscentContext => {
  const c = (extra as AscentExtra | undefined)?.ascent;
  if (c === undefined) throw new ArgumentError(op, 'runs inside a SAM-family optimizer (sam({ ascent, base })), which passes the step and the mask in extra.ascent');
  return c;
};

/** T g and T² g with T = |w| + η on the selected leaves (T = 1 elsewhere, and without `adaptive`). */
function scaled(grads: Updates, params: Params | undefined, adaptive: AdaptiveSpec | undefined): { tg: Updates; t2g: Updates } {
  if (!adaptive) return { tg: grads, t2g: grads };
  if (params === undefined) throw new ArgumentError('normalizeGlobal', 'the adaptive (ASAM) form needs the params: T = |w| + η');
  const sel = adaptive.only(params);
  const [gl, def] = tree.flatten(grads);
  const pl = tree.leaves(params);
  const tgl: Tensor[] = [];
  const t2gl: Tensor[] = [];
  gl.forEach((g, i) => {
    if (!sel[i]) return void (tgl.push(g), t2gl.push(g));
    const t = adaptive.eta === 0 ? abs(pl[i]!) : add(abs(pl[i]!), adaptive.eta);
    const x = mul(t, g);
    tgl.push(x);
    t2gl.push(mul(t, x));
  });
  return { tg: tree.unflatten(def, tgl), t2g: tree.unflatten(def, t2gl) };
}

/** ‖Tg‖ + δ, or 0 when ‖Tg‖ = 0 (also a float32 norm that underflows): never 0/0. Sets `lastNorm` to ‖Tg‖. */
let lastNorm = 0;
function normalizer(grads: Updates, tg: Updates, normEps: number, adaptive: boolean, extra: UpdateExtra | undefined): number {
  // A caller that already has ‖g‖ (makeTrainStep, for its finiteness guard) passes it with the
  // very tree it belongs to; anything in front of the ascent (clipping) breaks the identity.
  const hint = !adaptive && extra?.gradNorm && extra.gradNorm.of === grads ? extra.gradNorm.value : undefined;
  const n = hint ?? globalNorm(tg);
  lastNorm = n;
  const denom = n + normEps;
  return n > 0 && Number.isFinite(n) && denom > 0 ? denom : 0;
}

/**
 * g ↦ T²g / (‖Tg‖₂ + δ), the norm over every entry of every leaf; T = 1 (SAM) or ASAM's
 * `adaptive` scaling. ‖Tg‖ = 0 gives 0, never NaN.
 * @example const ascent = ascentChain(normalizeGlobal({ normEps: 1e-7 }), maskBy(), scaleByRho(0.05));
 */
export function normalizeGlobal(o: { readonly normEps?: number; readonly adaptive?: AdaptiveOption } = {}): Stateless {
  const normEps = checkNonNegative('normalizeGlobal', 'normEps', o.normEps ?? 1e-12);
  const adaptive = adaptiveSpec('normalizeGlobal', o.adaptive);
  const stage: Stage = {
    [FUSION]: { kind: 'normalize', normEps, adaptive },
    init: () => ({}),
    update(grads, state, params, extra) {
      const { tg, t2g } = scaled(grads, params, adaptive);
      const d = normalizer(grads, tg, normEps, adaptive !== undefined, extra);
      return [d === 0 ? tree.zerosLike(grads) : tree.scale(1 / d, t2g), state];
    },
  };
  return stage;
}

/**
 * u ↦ m ⊙ u with the mask the SAM optimizer's mask policy chose for this step (identity when
 * dense). Put it after `normalizeGlobal`: SSAM's norm runs over the full, unmasked gradient.
 */
export function maskBy(): Stateless {
  const stage: Stage = {
    [FUSION]: { kind: 'mask' },
    init: () => ({}),
    update(u, state, _params, extra) {
      const { mask } = contextOf('maskBy', extra);
      return [mask === undefined ? u : tree.zipMap((m: Tensor, x: Tensor) => mul(m, x), mask, u), state];
    },
  };
  return stage;
}

/** u ↦ ρ·u, ρ a number ≥ 0 or a schedule of the SAM step. */
export function scaleByRho(rho: number | Schedule): Stateless {
  const r = checkRateOrSchedule('scaleByRho', 'rho', rho);
  // NOTE: checkRateOrSchedule checks every scheduled value when it is used: a NaN radius would make
  // ε NaN, which the SAM engine treats as no ascent, so it is refused there instead.
  const at = typeof r === 'number' ? () => r : r;
  const stage: Stage = {
    [FUSION]: { kind: 'scale', at },
    init: () => ({}),
    update: (u, state, _params, extra) => [tree.scale(at(contextOf('scaleByRho', extra).step), u), state],
  };
  return stage;
}

// ‖ε‖ of an ε that ascentChain returned, when it is known in closed form (c·‖g‖ for an unmasked,
// non-adaptive ascent), so that the SAM engine need not take one more norm. Keyed by the ε tree.
const knownNorms = new WeakMap<object, number>();

/** ‖ε‖ for an ε whose norm ascentChain knows in closed form, else undefined. */
export const knownNorm = (eps: Updates): number | undefined => (eps !== null && typeof eps === 'object' ? knownNorms.get(eps) : undefined);

/**
 * `chain` for ascent stages: the same result as `chain(...stages)`, but runs of the built-in
 * stages are fused into one pass, so m ⊙ ρ·g/‖g‖ costs one multiply (`addcmul`) after the norm,
 * with exactly the bits sam() always had. Other transformations in the chain run as they are.
 */
export function ascentChain(...stages: GradientTransformation<any>[]): GradientTransformation<unknown[]> {
  stages.forEach((t, i) => {
    if (!t || typeof t.init !== 'function' || typeof t.update !== 'function')
      throw new ArgumentError('ascentChain', `argument ${i} is not a GradientTransformation ({ init, update }); got ${String(t)}`);
  });
  return {
    init: (params) => stages.map((t) => t.init(params)),
    update(grads, state, params, extra) {
      let x = grads;
      // x·num/den, masked by `mask`, not yet computed: kept as two factors so that ρ/(‖g‖ + δ)
      // is one division, as in the unfused formula.
      let num = 1, den = 1;
      let mask: Updates | undefined;
      let zero = false;
      // ‖x‖ (times num/den once flushed) when known in closed form.
      let norm: number | undefined;
      const flush = () => {
        if (zero) return;
        const c = num / den;
        if (norm !== undefined) norm = mask ? undefined : norm * c;
        // NOTE: the addend −0 is the exact additive identity (+0 would turn −0 into +0).
        if (mask) x = tree.zipMap((m: Tensor, v: Tensor) => addcmul(-0, m, v, c), mask, x);
        else if (c !== 1) x = tree.scale(c, x);
        (num = 1), (den = 1), (mask = undefined);
      };
      const next: unknown[] = [];
      stages.forEach((t, i) => {
        const f = (t as Stage)[FUSION];
        if (zero && f) return void next.push(state[i]);
        if (f?.kind === 'scale') num *= f.at(contextOf('scaleByRho', extra).step);
        else if (f?.kind === 'mask') {
          // A pending factor commutes with the mask: m ⊙ (c·x) is one addcmul at the flush.
          if (mask !== undefined) flush();
          mask = contextOf('maskBy', extra).mask;
        } else if (f?.kind === 'normalize') {
          flush();
          const { tg, t2g } = scaled(x, params, f.adaptive);
          const d = normalizer(x, tg, f.normEps, f.adaptive !== undefined, extra);
          if (d === 0) (zero = true), (x = tree.zerosLike(x)), (norm = 0);
          else (x = t2g), (den = d), (norm = f.adaptive ? undefined : lastNorm);
        } else {
          flush();
          zero = false;
          const [u, s] = t.update(x, state[i], params, extra);
          x = u;
          norm = undefined;
          return void next.push(s);
        }
        next.push(state[i]);
      });
      flush();
      if (norm !== undefined && x !== null && typeof x === 'object') knownNorms.set(x, norm);
      return [x, next];
    },
  };
}
