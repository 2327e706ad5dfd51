// Cutout (DeVries & Taylor 2017, arXiv:1708.04552) as the SAM reference code applies it: with
// probability p, one size×size square whose corner is drawn in [−size/2, H − size/2) is set to
// `fill` (clipped at the border, so squares at the edge are smaller).
import { ArgumentError, random } from '@ssam/tensor';
import { augmentation, nchw, type Augmentation } from './augmentation.js';

export interface CutoutOptions {
  /** Side of the square. Default 16. */
  readonly size?: number;
  /** Probability that an image gets a square. Default 0.5. */
  readonly p?: number;
  /** Value written into the square. Default 0 (the mean, when applied after normalise). */
  readonly fill?: number;
}

/** @example compose(normalise(CIFAR10_MEAN, CIFAR10_STD), cutout({ size: 16, p: 0.5 })) */
export function cutout(opts: CutoutOptions = {}): Augmentation {
  const op = 'cutout';
  const size = opts.size ?? 16;
  const p = opts.p ?? 0.5;
  const fill = opts.fill ?? 0;
  if (!Number.isInteger(size) || size < 1) throw new ArgumentError(op, `size must be a positive integer, got ${size}`);
  if (!(p >= 0 && p <= 1)) throw new ArgumentError(op, `p must be in [0, 1], got ${p}`);
  const half = Math.floor(size / 2);
  return augmentation(op, true, (b, key) => {
    const [n, c, h, w] = nchw(op, b);
    const [ka, ky, kx] = random.split(key!, 3);
    const apply = random.bernoulli(ka!, p, [n]).toArray();
    const top = random.randint(ky!, [n], -half, h - half).toArray();
    const left = random.randint(kx!, [n], -half, w - half).toArray();
    for (let i = 0; i < n; i++) {
      if (apply[i] !== 1) continue;
      const y0 = Math.max(0, top[i]!);
      const y1 = Math.min(h, top[i]! + size);
      const x0 = Math.max(0, left[i]!);
      const x1 = Math.min(w, left[i]! + size);
      if (x1 <= x0) continue;
      for (let ch = 0; ch < c; ch++) {
        const base = (i * c + ch) * h * w;
        for (let y = y0; y < y1; y++) b.x.fill(fill, base + y * w + x0, base + y * w + x1);
      }
    }
    return b;
  });
}
