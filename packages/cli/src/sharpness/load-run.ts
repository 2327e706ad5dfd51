import { toBatch } from '@ssam/data';
import type { Layer } from '@ssam/models';
import type { Batch, Problem } from '@ssam/sharpness';
import type { Tree } from '@ssam/tensor';
import type { TrainConfig } from '../config.js';
import { loadRunData, type RunData } from '../setup/datasets.js';
import { buildModel } from '../setup/models.js';
import { readFinishedRun } from '../train/finished-run.js';

/** A trained run, read back from its folder: what `ssam sharpness` measures. */
export interface LoadedRun {
  readonly dir: string;
  readonly config: TrainConfig;
  readonly model: Layer;
  readonly params: Tree;
  readonly modelState: Tree;
  readonly data: RunData;
  /** The epoch the checkpoint was taken after. */
  readonly epoch: number;
}

/**
 * Reads a run folder written by `ssam train` (or one run of `ssam compare`): config.json for the
 * model and data, and the final checkpoint (checkpoint/state.json) for the params and the model
 * state. Missing or foreign folders are UsageErrors naming the file expected.
 */
export function loadRun(dir: string): LoadedRun {
  const { doc, train, meta } = readFinishedRun(dir);
  const config = doc.config;
  const data = loadRunData(config, { train: true, test: true });
  const model = buildModel(config.model, { shape: data.train.shape, numClasses: data.train.numClasses }, config.width);
  return { dir, config, model, params: train.params, modelState: train.modelState ?? {}, data, epoch: Number(meta.epoch ?? NaN) };
}

/**
 * The run's model at its checkpoint on a fixed subset: the first `examples` of `split`, in
 * batches of `batchSize`, normalised like the test set (never augmented).
 */
export function runProblem(run: LoadedRun, o: { split: 'train' | 'test'; examples: number; batchSize: number }): Problem {
  const ds = o.split === 'train' ? run.data.train : run.data.test;
  const n = Math.min(o.examples, ds.length);
  const batches: Batch[] = [];
  for (let start = 0; start < n; start += o.batchSize) {
    const idx = Int32Array.from({ length: Math.min(o.batchSize, n - start) }, (_, i) => start + i);
    const host = ds.hostBatch(idx);
    batches.push(toBatch(run.data.testTransform ? run.data.testTransform.host(host, undefined) : host));
  }
  return { model: run.model, params: run.params, modelState: run.modelState, batches };
}
