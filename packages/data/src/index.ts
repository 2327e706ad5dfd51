/**
 * @ssam/data: real data sets read from files already on the machine, and deterministic input
 * pipelines (seeded shuffling, resumable epochs, keyed augmentation).
 * @example
 * import { loadMnist, epochBatches } from '@ssam/data';
 * import { random } from '@ssam/tensor';
 * const train = loadMnist({ split: 'train' });
 * for (const { x, y, position } of epochBatches(train, { batchSize: 128, key: random.key(0), epoch: 0 })) {
 *   // x: float32 [128, 1, 28, 28] in [0, 1], y: int32 [128]
 * }
 */
export { dataError, getOrThrow, DataLoadError, type DataError, type DataErrorKind } from './errors.js';
export { makeDataset, toBatch, toHostBatch, type Dataset, type DatasetSpec, type Batch, type HostBatch, type BatchOptions, type ExampleStorage } from './dataset.js';
export { parseIdx, readIdx, encodeIdx, readIdxDataset, type IdxArray, type IdxType, type IdxData, type IdxPairOptions } from './idx.js';
export { readMnist, loadMnist, readFashionMnist, loadFashionMnist, mnistDataDir, FASHION_MNIST_DIR, FASHION_MNIST_CLASSES, type MnistOptions, type Split } from './mnist.js';
export {
  readCifar10, loadCifar10, readCifar100, loadCifar100, encodeCifarRecords,
  CIFAR10_CLASSES, CIFAR10_TRAIN_FILES, CIFAR10_TEST_FILES, CIFAR_PIXELS, type Cifar10Options, type Cifar100Options,
} from './cifar.js';
export { prepareCifar10, prepareCifar10OrThrow, type PrepareCifar10Options, type PrepareCifar10Report } from './cifar-prepare.js';
export { readIris, loadIris, IRIS_CLASSES } from './iris.js';
export { epochBatches, epochOrder, numBatches, type EpochOptions, type EpochBatch } from './epochs.js';
export { augmentation, compose, type Augmentation, type HostKernel } from './augment/augmentation.js';
export { normalise, CIFAR10_MEAN, CIFAR10_STD } from './augment/normalise.js';
export { randomCrop, type RandomCropOptions } from './augment/crop.js';
export { horizontalFlip, type FlipOptions } from './augment/flip.js';
export { cutout, type CutoutOptions } from './augment/cutout.js';
export { cifarTrainAugment, cifarTestTransform, type CifarAugmentOptions } from './augment/presets.js';
