import { globalNorm as norm, squaredNorm as squared } from '../internal/norm.js';
import type { Updates } from '../types.js';

/**
 * ‖x‖₂ over every entry of every leaf: one float32 dot product per leaf, the leaf sums added in
 * double precision. The norm of the built-in SAM ascent; a variant need not match it bit for bit
 * (the laws of @ssam/optim/testing allow the float32 error bound), so `tree.norm(g).item()` is fine.
 * @example const n = globalNorm(grads); // ρ·g/‖g‖ = tree.scale(rho / n, grads)
 */
export const globalNorm = (x: Updates): number => norm(x);

/**
 * Σ‖leaf‖², as `globalNorm` computes it (one `vdot` per leaf, summed in double precision).
 * @example const s = squaredNorm(eps); // ‖ε‖²
 */
export const squaredNorm = (x: Updates): number => squared(x);
