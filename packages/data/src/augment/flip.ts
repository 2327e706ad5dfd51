import { ArgumentError, random } from '@ssam/tensor';
import { augmentation, nchw, type Augmentation } from './augmentation.js';

export interface FlipOptions {
  /** Probability that an image is mirrored. Default 0.5. */
  readonly p?: number;
}

/** Mirrors every row of an NCHW image in place. Its own inverse. */
export function flipImage(x: Float32Array, offset: number, c: number, h: number, w: number): void {
  for (let r = 0; r < c * h; r++) {
    const row = offset + r * w;
    for (let a = row, z = row + w - 1; a < z; a++, z--) {
      const t = x[a]!;
      x[a] = x[z]!;
      x[z] = t;
    }
  }
}

/**
 * Random horizontal flip: each image is mirrored left–right with probability `p`
 * (`random.bernoulli`, one draw per image).
 * @example horizontalFlip()(batch, key)
 */
export function horizontalFlip(opts: FlipOptions = {}): Augmentation {
  const op = 'horizontalFlip';
  const p = opts.p ?? 0.5;
  if (!(p >= 0 && p <= 1)) throw new ArgumentError(op, `p must be in [0, 1], got ${p}`);
  return augmentation(op, true, (b, key) => {
    const [n, c, h, w] = nchw(op, b);
    const flips = random.bernoulli(key!, p, [n]).toArray();
    for (let i = 0; i < n; i++) if (flips[i] === 1) flipImage(b.x, i * c * h * w, c, h, w);
    return b;
  });
}
