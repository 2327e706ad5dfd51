import { abs, add, mul, tree, type Tensor } from '@ssam/tensor';
import { globalNorm, squaredNorm } from '../internal/norm.js';
import type { Params, Updates } from '../types.js';

/** How ASAM rescales the ascent: `T = |w| + eta` on the selected leaves, `T = 1` elsewhere. */
export interface AdaptiveSpec {
  readonly eta: number;
  /** One boolean per parameter tensor: does T = |w| + η apply? */
  readonly only: (params: Params) => boolean[];
}

export interface PerturbOptions {
  readonly rho: number;
  /** δ in ρ·g/(‖g‖ + δ). */
  readonly normEps: number;
  /** 0/1 tensors shaped like the params; undefined = perturb every entry. */
  readonly mask?: Updates | undefined;
  readonly adaptive?: AdaptiveSpec | undefined;
  /** ‖g‖ when the caller already has it (plain SAM only). */
  readonly gradNorm?: number | undefined;
}

export interface Perturbation {
  readonly eps: Updates;
  /** ‖g‖ (plain) or ‖T g‖ (adaptive): the normaliser. */
  readonly gradNorm: number;
  readonly epsNorm: number;
}

/**
 * The SAM ascent step (Foret et al. 2021; Kwon et al. 2021 for ASAM; Mi et al. 2022 for the mask):
 *   ε = m ⊙ ρ·T²g / (‖T g‖₂ + δ),  T = 1 (SAM) or |w| (+ η) (ASAM), m = 1 (SAM) or the sparse mask.
 * The norm runs over ALL entries of ALL parameters, unmasked, so ‖ε‖ ≤ ρ.
 * NOTE: ‖T g‖ + δ = 0 (a zero gradient with δ = 0) gives ε = 0 instead of 0/0.
 */
export function perturbation(grads: Updates, params: Params, o: PerturbOptions): Perturbation {
  let tg = grads;
  let t2g = grads;
  if (o.adaptive) {
    const sel = o.adaptive.only(params);
    const [gl, def] = tree.flatten(grads);
    const pl = tree.leaves(params);
    const tgl: Tensor[] = [];
    const t2gl: Tensor[] = [];
    gl.forEach((g, i) => {
      if (!sel[i]) return void (tgl.push(g), t2gl.push(g));
      const t = o.adaptive!.eta === 0 ? abs(pl[i]!) : add(abs(pl[i]!), o.adaptive!.eta);
      const x = mul(t, g);
      tgl.push(x);
      t2gl.push(mul(t, x));
    });
    tg = tree.unflatten(def, tgl);
    t2g = tree.unflatten(def, t2gl);
  }
  const gradNorm = o.gradNorm !== undefined && !o.adaptive ? o.gradNorm : globalNorm(tg);
  const denom = gradNorm + o.normEps;
  const zero = !(denom > 0) || o.rho === 0;
  const c = zero ? 0 : o.rho / denom;
  if (zero) return { eps: tree.zerosLike(grads), gradNorm, epsNorm: 0 };
  const base = o.mask ? tree.mul(o.mask, t2g) : t2g;
  const eps = tree.scale(c, base);
  // ‖ε‖ without another pass over the parameters where it is known in closed form.
  const epsNorm = !o.mask && !o.adaptive ? c * gradNorm : c * Math.sqrt(squaredNorm(base));
  return { eps, gradNorm, epsNorm };
}
