// An augmentation is a pure function of a batch and a key. Internally each one is a kernel on a
// host batch (typed arrays, NCHW) that may overwrite it: `compose` runs kernels back to back on
// one copy, and `epochBatches` runs them before the tensors are made, so a pipeline costs one
// gather and one tensor copy however many steps it has.
import { ArgumentError, random, tensor, type Key } from '@ssam/tensor';
import { toHostBatch, type Batch, type HostBatch } from '../dataset.js';

/** A kernel: transforms a host batch, possibly in place, and returns it (or a new one). */
export type HostKernel = (batch: HostBatch, key: Key | undefined) => HostBatch;

export interface Augmentation {
  /** Applies to a tensor batch; returns a new batch (the input is not changed). */
  (batch: Batch, key?: Key): Batch;
  readonly label: string;
  /** True when the result depends on the key (random crop, flip, Cutout); false for normalise. */
  readonly random: boolean;
  /** The kernel on host arrays; it may overwrite `batch.x`. */
  readonly host: HostKernel;
  /** Fixes the key: a one-argument function for fp-ts `pipe` / `flow`. */
  withKey(key?: Key): (batch: Batch) => Batch;
}

/** Makes an Augmentation from a host kernel. Random kernels get a key check with a useful message. */
export function augmentation(label: string, isRandom: boolean, kernel: HostKernel): Augmentation {
  const host: HostKernel = (b, key) => {
    if (isRandom && key === undefined) throw new ArgumentError(label, 'this augmentation is random and needs a key: pass random.key(seed) or a split of it');
    return kernel(b, key);
  };
  const apply = (batch: Batch, key?: Key): Batch => {
    // Augmentations never change labels, and tensors are immutable: keep y as it is.
    const out = host(toHostBatch(batch), key);
    return { x: tensor(out.x, out.shape), y: batch.y };
  };
  return Object.assign(apply, { label, random: isRandom, host, withKey: (key?: Key) => (batch: Batch) => apply(batch, key) });
}

/**
 * Chains augmentations left to right. The key is split once per step (`random.split(key, n)`,
 * step i gets part i), so `compose(a, b)(batch, key)` equals
 * `pipe(batch, a.withKey(k0), b.withKey(k1))` with `[k0, k1] = random.split(key, 2)`.
 * @example const aug = compose(randomCrop({ padding: 4 }), horizontalFlip(), normalise(CIFAR10_MEAN, CIFAR10_STD));
 */
export function compose(...steps: readonly Augmentation[]): Augmentation {
  const isRandom = steps.some((s) => s.random);
  return augmentation(`compose(${steps.map((s) => s.label).join(', ')})`, isRandom, (b, key) => {
    const keys = key ? random.split(key, Math.max(1, steps.length)) : [];
    return steps.reduce((acc, s, i) => s.host(acc, keys[i]), b);
  });
}

/** Checks that a host batch is NCHW (rank 4) for image augmentations. */
export function nchw(op: string, b: HostBatch): [number, number, number, number] {
  if (b.shape.length !== 4) throw new ArgumentError(op, `needs an NCHW image batch (rank 4), got shape [${b.shape.join(', ')}]`);
  return b.shape as unknown as [number, number, number, number];
}
