import { Command } from 'commander';
import type { Io } from '../commands/shared.js';

const EXAMPLES = `
Examples:
  $ ssam sharpness --run runs/cmp/sgd-seed0 --run runs/cmp/sam-seed0
  $ ssam sharpness --run runs/a --measures eigenvalues,trace --examples 512
  $ ssam sharpness --run runs/a --points-2d 11 --range -0.5,0.5 --out runs/a-sharpness

Writes <out>/sharpness.json, density.svg/png, landscape-1d.svg/png and landscape-2d-<run>.svg/png.`;

/**
 * The commander definition of `ssam sharpness`; `run` receives the command's work (loaded on use,
 * like the other commands, so `ssam --help` does not pay for it).
 */
export function sharpnessCommandSpec(run: (p: Promise<number>) => void, io: Io): Command {
  const c = new Command('sharpness')
    .description("measure trained runs: Hessian λmax / top-k, trace, spectral density, SAM's m-sharpness, 1-D and 2-D loss landscapes")
    .requiredOption('--run <dir...>', 'one or more run folders (written by ssam train or ssam compare); each final checkpoint is measured')
    .option('--out <dir>', 'output folder (default runs/sharpness-<timestamp>)')
    .option('--split <name>', 'train or test: which examples the loss uses (default train)')
    .option('--examples <n>', 'the first n examples of the split (default 1000)')
    .option('--batch-size <n>', 'examples per forward pass (default 500; the numbers do not depend on it)')
    .option('--m <n>', 'm of the m-sharpness: examples per ascent batch (default 128)')
    .option('--measures <list>', 'comma-separated among eigenvalues, trace, density, m-sharpness, landscape (default all)')
    .option('--seed <n>', 'key for the random probes and directions (default 0)')
    .option('--top-k <k>', 'Hessian eigenvalues by power iteration with deflation (default 3)')
    .option('--iterations <n>', 'power iterations per eigenvalue at most (default 100; relative tolerance 1e-3)')
    .option('--trace-samples <n>', 'Hutchinson probes at most (default 100; stops at 1 % standard error)')
    .option('--lanczos-steps <m>', 'Lanczos steps of the spectral density (default 100)')
    .option('--rho <r>', 'radius of the m-sharpness ball (default 0.05)')
    .option('--ascent-steps <n>', 'projected ascent steps of the m-sharpness (default 5)')
    .option('--points-1d <n>', 'grid points of the 1-D landscape (default 51)')
    .option('--points-2d <n>', 'grid points per axis of the 2-D landscape (default 21)')
    .option('--range <lo,hi>', 'landscape range along each direction (default -1,1)')
    .option('--backend <name>', 'auto, reference or wasm (default auto)')
    .option('--threads <n>', 'wasm threads (default SSAM_THREADS, else all cores)')
    .option('--json', 'print the summary as one JSON line')
    .option('--quiet', 'no progress output')
    .addHelpText('after', EXAMPLES);
  c.action((o: Record<string, unknown>) => {
    run(import('../commands/sharpness.js').then((m) => m.sharpnessCommand(o as never, io)));
  });
  return c;
}
