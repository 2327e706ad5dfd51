import path from 'node:path';
import { scalar } from '@ssam/tensor';
import { encodeSafetensors } from '@ssam/tensor/io';
import { UsageError } from '../config.js';
import { torchStateDict } from '../export/torch-names.js';
import { readFinishedRun } from '../train/finished-run.js';
import { writeFileAtomic } from '../train/run-dir.js';
import type { Io } from './shared.js';

export interface ExportFlags {
  readonly format?: string;
  readonly run?: string;
  readonly out?: string;
  readonly json?: boolean;
}

/** The format tag in the exported file's metadata; python/ssam_torch.py checks it. */
export const TORCH_EXPORT_FORMAT = 'ssam-torch/1';

/**
 * `ssam export --format torch --run DIR [--out FILE]`: the run's latest checkpoint as one
 * safetensors file under PyTorch `state_dict` names (see export/torch-names.ts), with the mask
 * and momentum under `ssam.` names and the model name and config in the metadata.
 */
export function exportCommand(flags: ExportFlags, io: Io): number {
  if (flags.format !== 'torch') throw new UsageError(`export: --format must be torch (the only format so far); got ${flags.format === undefined ? 'nothing' : `'${flags.format}'`}`);
  const dir = flags.run;
  if (!dir) throw new UsageError('export needs --run <dir>: a folder written by ssam train or ssam compare');
  const { doc, train, meta } = readFinishedRun(dir);
  const step = Number(meta.step ?? 0);
  const { tensors, extras } = torchStateDict(train.params, train.modelState ?? {}, train.optState ?? {}, scalar(Number.isSafeInteger(step) ? step : 0, 'int32'));
  const out = flags.out ?? path.join(dir, 'model.torch.safetensors');
  const metadata = { format: TORCH_EXPORT_FORMAT, model: doc.config.model, optimizer: doc.config.optimizer, step: String(step), config: JSON.stringify(doc.config) };
  writeFileAtomic(out, encodeSafetensors(tensors, metadata));
  const names = Object.keys(tensors);
  const count = (p: string) => names.filter((n) => n.startsWith(p)).length;
  const report = { event: 'exported', file: out, model: doc.config.model, step, tensors: names.length, mask: count('ssam.mask.'), momentum: count('ssam.momentum.'), skipped: extras };
  if (flags.json) io.stdout.write(JSON.stringify(report) + '\n');
  else
    io.stdout.write(
      `${out}: ${doc.config.model} at step ${step}, ${names.length - report.mask - report.momentum} state_dict tensors, ${report.mask} mask and ${report.momentum} momentum tensors (ssam.mask.*, ssam.momentum.*).\n` +
        `Load it in PyTorch with packages/cli/python/ssam_torch.py: model, extras = ssam_torch.load('${out}')\n`,
    );
  return 0;
}
