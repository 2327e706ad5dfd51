import { ArgumentError, random } from '@ssam/tensor';
import { augmentation, nchw, type Augmentation } from './augmentation.js';

export interface RandomCropOptions {
  /** Zero padding on every side before cropping. Default 4 (CIFAR). */
  readonly padding?: number;
  /** Output height and width; default the input's (torchvision RandomCrop(32, padding=4)). */
  readonly size?: number | readonly [number, number];
  /** Value of the padding. Default 0 (black, when applied before normalise). */
  readonly fill?: number;
}

/**
 * Random crop: pad each image by `padding` on every side, then cut a `size` window at an offset
 * drawn uniformly per image (`random.randint`, offsets in [0, H + 2p − size]).
 * @example randomCrop({ padding: 4 })(batch, key)
 */
export function randomCrop(opts: RandomCropOptions = {}): Augmentation {
  const op = 'randomCrop';
  const pad = opts.padding ?? 4;
  const fill = opts.fill ?? 0;
  if (!Number.isInteger(pad) || pad < 0) throw new ArgumentError(op, `padding must be a non-negative integer, got ${pad}`);
  return augmentation(op, true, (b, key) => {
    const [n, c, h, w] = nchw(op, b);
    const [oh, ow] = opts.size === undefined ? [h, w] : typeof opts.size === 'number' ? [opts.size, opts.size] : opts.size;
    if (!(oh >= 1 && ow >= 1 && oh <= h + 2 * pad && ow <= w + 2 * pad))
      throw new ArgumentError(op, `size [${oh}, ${ow}] must fit the padded image [${h + 2 * pad}, ${w + 2 * pad}]`);
    const [ky, kx] = random.split(key!, 2);
    const offY = random.randint(ky!, [n], 0, h + 2 * pad - oh + 1).toArray();
    const offX = random.randint(kx!, [n], 0, w + 2 * pad - ow + 1).toArray();
    const same = oh === h && ow === w;
    const out = same ? b.x : new Float32Array(n * c * oh * ow);
    const img = new Float32Array(c * h * w);
    for (let i = 0; i < n; i++) {
      // Window top-left in padded coordinates, shifted to source coordinates.
      const dy = offY[i]! - pad;
      const dx = offX[i]! - pad;
      img.set(b.x.subarray(i * c * h * w, (i + 1) * c * h * w));
      const x0 = Math.max(0, -dx);
      const x1 = Math.min(ow, w - dx);
      for (let ch = 0; ch < c; ch++) {
        const src = ch * h * w;
        const dst = (i * c + ch) * oh * ow;
        for (let y = 0; y < oh; y++) {
          const sy = y + dy;
          const row = dst + y * ow;
          if (sy < 0 || sy >= h || x1 <= x0) {
            out.fill(fill, row, row + ow);
            continue;
          }
          if (x0 > 0) out.fill(fill, row, row + x0);
          out.set(img.subarray(src + sy * w + x0 + dx, src + sy * w + x1 + dx), row + x0);
          if (x1 < ow) out.fill(fill, row + x1, row + ow);
        }
      }
    }
    return same ? b : { x: out, y: b.y, shape: [n, c, oh, ow] };
  });
}
