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
    if (oh === h && ow === w) {
      // Same size: the crop is a shift of each plane, done in place.
      for (let i = 0; i < n; i++)
        for (let ch = 0; ch < c; ch++) shiftPlane(b.x, (i * c + ch) * h * w, h, w, offY[i]! - pad, offX[i]! - pad, fill);
      return b;
    }
    const out = new Float32Array(n * c * oh * ow);
    for (let i = 0; i < n; i++)
      for (let ch = 0; ch < c; ch++) {
        const src = (i * c + ch) * h * w;
        const dst = (i * c + ch) * oh * ow;
        const dy = offY[i]! - pad;
        const dx = offX[i]! - pad;
        for (let y = 0; y < oh; y++)
          for (let x = 0; x < ow; x++) {
            const sy = y + dy;
            const sx = x + dx;
            out[dst + y * ow + x] = sy >= 0 && sy < h && sx >= 0 && sx < w ? b.x[src + sy * w + sx]! : fill;
          }
      }
    return { x: out, y: b.y, shape: [n, c, oh, ow] };
  });
}

/**
 * In place: plane[y][x] ← plane[y + dy][x + dx], or `fill` outside the plane. In row-major order
 * the valid cells all move by t = dy·w + dx, so one memmove (copyWithin) moves them; the cells
 * that wrapped across a row edge and the rows shifted in are then filled.
 */
function shiftPlane(x: Float32Array, base: number, h: number, w: number, dy: number, dx: number, fill: number): void {
  const y0 = Math.max(0, -dy);
  const y1 = Math.min(h, h - dy);
  if (y1 <= y0 || Math.abs(dx) >= w) {
    x.fill(fill, base, base + h * w);
    return;
  }
  const t = dy * w + dx;
  const k0 = Math.max(y0 * w, -t);
  const k1 = Math.min(y1 * w, h * w - t);
  x.copyWithin(base + k0, base + k0 + t, base + k1 + t);
  if (y0 > 0) x.fill(fill, base, base + y0 * w);
  if (y1 < h) x.fill(fill, base + y1 * w, base + h * w);
  const x0 = Math.max(0, -dx);
  const x1 = Math.min(w, w - dx);
  for (let y = y0; y < y1; y++) {
    const row = base + y * w;
    for (let k = 0; k < x0; k++) x[row + k] = fill;
    for (let k = x1; k < w; k++) x[row + k] = fill;
  }
}
