import { Command } from 'commander';
import type { Io } from './shared.js';

const EXAMPLES = `
Examples:
  $ ssam export --format torch --run runs/a
  $ ssam export --format torch --run runs/cmp/ssam-f-seed0 --out ssam-f.safetensors

Writes <run>/model.torch.safetensors (or --out): the model under PyTorch state_dict names, the mask
as ssam.mask.<name>, the momentum as ssam.momentum.<name>. Load it with packages/cli/python/ssam_torch.py.`;

/** The commander definition of `ssam export`; its work loads on use, like the other commands. */
export function exportCommandSpec(run: (p: Promise<number>) => void, io: Io): Command {
  return new Command('export')
    .description('write a run\'s checkpoint for another framework (--format torch: a PyTorch state_dict in safetensors)')
    .requiredOption('--format <name>', 'torch')
    .requiredOption('--run <dir>', 'a run folder written by ssam train or ssam compare; its latest checkpoint is exported')
    .option('--out <file>', 'output file (default <run>/model.torch.safetensors)')
    .option('--json', 'print the report as one JSON line')
    .addHelpText('after', EXAMPLES)
    .action((o: { format?: string; run?: string; out?: string; json?: boolean }) => run(import('./export.js').then((m) => m.exportCommand(o, io))));
}
