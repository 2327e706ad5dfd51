import { abs, add, addcmul, mul, tree, type Tensor } from '@ssam/tensor';
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
 * NOTE: ‖T g‖ = 0 (also a float32 norm that underflows) gives ε = 0, also with δ = 0 (no 0/0).
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
  // NOTE: ‖g‖ = 0 (also when float32 squares underflow) is no ascent for every variant, as it is
  // for plain SAM whose ‖ε‖ = c·‖g‖; a masked ‖ε‖ taken from c·g could otherwise stay positive.
  const zero = !(gradNorm > 0) || !(denom > 0) || o.rho === 0;
  const c = zero ? 0 : o.rho / denom;
  if (zero) return { eps: tree.zerosLike(grads), gradNorm, epsNorm: 0 };
  // NOTE: a masked ε = (m ⊙ T²g) · c is one fused pass (addcmul, bit-identical to the two
  // products), so the mask costs no extra full-size temporary over SAM's c · g; ‖ε‖ is then one
  // dot product, and it is known in closed form for plain SAM. The addend is −0, the exact
  // additive identity (+0 would turn a −0 entry into +0, and s = 0 would no longer give SAM's
  // updates bit for bit; its ‖ε‖ metric, √Σ(c·g)² against c·‖g‖, may differ in the last bit). ‖ε‖ is
  // the float32 norm of the ε applied: an ε whose squares all underflow counts as no ascent.
  const eps = o.mask ? tree.zipMap((m: Tensor, x: Tensor) => addcmul(-0, m, x, c), o.mask, t2g) : tree.scale(c, t2g);
  const epsNorm = !o.mask && !o.adaptive ? c * gradNorm : Math.sqrt(squaredNorm(eps));
  return { eps, gradNorm, epsNorm };
}
