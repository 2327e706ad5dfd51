// Deterministic epochs: the order of epoch e is `random.permutation(foldIn(key, e), n)`, and the
// augmentation key of batch p is derived from (key, e, p) alone, so batch p of epoch e is the same
// whether the epoch ran from the start or resumed at p (checkpoint mid-epoch, restart, continue).
import { ArgumentError, random, type Key } from '@ssam/tensor';
import { toBatch, type Batch, type Dataset } from './dataset.js';
import type { Augmentation } from './augment/augmentation.js';

export interface EpochOptions {
  readonly batchSize: number;
  /** The run's data key; the epoch's order comes from `foldIn(key, epoch)`. Omit (with `shuffle: false`) for file order. */
  readonly key?: Key;
  /** Epoch number (0-based). Default 0. */
  readonly epoch?: number;
  /** Shuffle the examples (needs `key`). Default true. */
  readonly shuffle?: boolean;
  /** Drop the last, smaller batch. Default false. */
  readonly dropLast?: boolean;
  /** First batch position to yield (resume). Default 0. */
  readonly start?: number;
  /** Applied to each batch (in host memory, before the tensors are made) with a per-batch key. */
  readonly augment?: Augmentation;
  /** Scale byte images into [0, 1]. Default true. */
  readonly scale?: boolean;
}

/** A batch with where it sits: `position` within `epoch`, and the example `indices` it holds. */
export interface EpochBatch extends Batch {
  readonly epoch: number;
  readonly position: number;
  readonly indices: Int32Array;
}

/** Batches per epoch: ⌈n / batchSize⌉, or ⌊n / batchSize⌋ with dropLast. */
export function numBatches(n: number, batchSize: number, dropLast = false): number {
  return dropLast ? Math.floor(n / batchSize) : Math.ceil(n / batchSize);
}

/** The example order of one epoch: a seeded permutation of 0..n−1 (or 0..n−1 unshuffled). */
export function epochOrder(n: number, opts: Pick<EpochOptions, 'key' | 'epoch' | 'shuffle'>): Int32Array {
  if (opts.shuffle === false) return Int32Array.from({ length: n }, (_, i) => i);
  if (!opts.key) throw new ArgumentError('epochOrder', 'shuffling needs a key (random.key(seed)); pass { key } or { shuffle: false }');
  const [permKey] = epochKeys(opts.key, opts.epoch ?? 0);
  return random.permutation(permKey, n).toArray() as Int32Array;
}

function epochKeys(key: Key, epoch: number): [Key, Key] {
  const [perm, aug] = random.split(random.foldIn(key, epoch), 2);
  return [perm!, aug!];
}

/**
 * Yields the batches of one epoch from position `start` on, each with its position.
 * Deterministic given (key, epoch): resuming at `start = p` yields exactly the batches p, p+1, …
 * that an uninterrupted epoch yields.
 * @example
 * for (const b of epochBatches(train, { batchSize: 128, key: random.key(0), epoch: 3, augment: cifarTrainAugment() }))
 *   step(b.x, b.y); // b.position = 0, 1, ...
 */
export function* epochBatches(ds: Dataset, opts: EpochOptions): Generator<EpochBatch, void, undefined> {
  const op = 'epochBatches';
  const { batchSize, dropLast = false, start = 0, epoch = 0 } = opts;
  if (!Number.isInteger(batchSize) || batchSize < 1) throw new ArgumentError(op, `batchSize must be a positive integer, got ${batchSize}`);
  if (!Number.isInteger(epoch) || epoch < 0) throw new ArgumentError(op, `epoch must be a non-negative integer, got ${epoch}`);
  const total = numBatches(ds.length, batchSize, dropLast);
  if (!Number.isInteger(start) || start < 0 || start > total)
    throw new ArgumentError(op, `start must be a batch position in [0, ${total}] (${ds.length} examples, batchSize ${batchSize}${dropLast ? ', dropLast' : ''}), got ${start}`);
  if (opts.augment && !opts.key) throw new ArgumentError(op, 'augmentation needs a key (random.key(seed)); pass { key }');
  const order = epochOrder(ds.length, opts);
  const augKey = opts.key ? epochKeys(opts.key, epoch)[1] : undefined;
  const scale = opts.scale ?? true;
  for (let p = start; p < total; p++) {
    const indices = order.subarray(p * batchSize, Math.min((p + 1) * batchSize, ds.length));
    const host = ds.hostBatch(indices, { scale });
    const out = opts.augment ? opts.augment.host(host, random.foldIn(augKey!, p)) : host;
    yield { ...toBatch(out), epoch, position: p, indices: indices.slice() };
  }
}
