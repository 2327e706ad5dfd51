import { ArgumentError } from '@ssam/tensor';
import { augmentation, nchw, type Augmentation } from './augmentation.js';

/** Per-channel mean of CIFAR-10 training images in [0, 1], as in the reference (kuangliu / SAM) code. */
export const CIFAR10_MEAN = [0.4914, 0.4822, 0.4465] as const;
/** The per-channel std the reference code divides by. */
export const CIFAR10_STD = [0.2023, 0.1994, 0.201] as const;

/**
 * `x[:, c] ← (x[:, c] − mean[c]) / std[c]` on NCHW batches. Deterministic (ignores the key).
 * @example normalise(CIFAR10_MEAN, CIFAR10_STD)(batch)
 */
export function normalise(mean: readonly number[], std: readonly number[]): Augmentation {
  const op = 'normalise';
  if (mean.length !== std.length) throw new ArgumentError(op, `mean has ${mean.length} channels but std has ${std.length}`);
  if (!std.every((s) => s > 0)) throw new ArgumentError(op, `std must be positive, got [${std.join(', ')}]`);
  const inv = std.map((s) => 1 / s);
  return augmentation(op, false, (b) => {
    const [n, c, h, w] = nchw(op, b);
    if (c !== mean.length) throw new ArgumentError(op, `mean/std have ${mean.length} channels but the batch has ${c} (shape [${b.shape.join(', ')}])`);
    const x = b.x;
    const hw = h * w;
    for (let i = 0; i < n; i++)
      for (let ch = 0; ch < c; ch++) {
        const m = mean[ch]!;
        const s = inv[ch]!;
        const o = (i * c + ch) * hw;
        for (let j = o; j < o + hw; j++) x[j] = (x[j]! - m) * s;
      }
    return b;
  });
}
