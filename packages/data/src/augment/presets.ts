import { compose, type Augmentation } from './augmentation.js';
import { randomCrop } from './crop.js';
import { horizontalFlip } from './flip.js';
import { cutout } from './cutout.js';
import { CIFAR10_MEAN, CIFAR10_STD, normalise } from './normalise.js';

export interface CifarAugmentOptions {
  /** Add Cutout 16 (p = 0.5) after normalising, as in some SAM/SSAM runs. Default false. */
  readonly cutout?: boolean;
}

/**
 * The reference CIFAR training pipeline: random crop (padding 4), horizontal flip (p = 0.5),
 * normalise with the CIFAR constants, then optionally Cutout 16 (p = 0.5).
 * @example epochBatches(train, { batchSize: 128, key, epoch, augment: cifarTrainAugment() })
 */
export function cifarTrainAugment(opts: CifarAugmentOptions = {}): Augmentation {
  const steps = [randomCrop({ padding: 4 }), horizontalFlip({ p: 0.5 }), normalise(CIFAR10_MEAN, CIFAR10_STD)];
  return compose(...steps, ...(opts.cutout ? [cutout({ size: 16, p: 0.5 })] : []));
}

/** The evaluation transform: normalise only. */
export const cifarTestTransform = (): Augmentation => normalise(CIFAR10_MEAN, CIFAR10_STD);
