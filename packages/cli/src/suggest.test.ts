import { Command } from 'commander';
import { describe, expect, it } from 'vitest';
import { addTrainingOptions } from './options.js';
import { editDistance, suggestFlag } from './suggest.js';

const TRAIN_FLAGS = addTrainingOptions(new Command('train'), { withOptimizer: true }).options.map((o) => o.long!);

describe('suggestFlag', () => {
  it.each([
    ['--learning-rate', '--lr'], ['--learning_rate', '--lr'], ['--learning-rate=0.1', '--lr'], ['--wd', '--weight-decay'],
    ['--weight_decay', '--weight-decay'], ['--bs', '--batch-size'], ['--dataset', '--data'], ['--num-epochs', '--epochs'],
    ['--warmup', '--warmup-epochs'], ['--sparsty', '--sparsity'], ['--optimzer', '--optimizer'], ['--epoch', '--epochs'], ['--output-dir', '--out'],
  ])('%s → %s', (given, want) => expect(suggestFlag(given, TRAIN_FLAGS)).toBe(want));

  it('suggests nothing for a flag that resembles none', () => {
    expect(suggestFlag('--frobnicate', TRAIN_FLAGS)).toBeUndefined();
    expect(suggestFlag('--xyz', TRAIN_FLAGS)).toBeUndefined();
  });

  it('suggests only flags the command has (an alias to a missing flag is no suggestion)', () => {
    expect(suggestFlag('--learning-rate', ['--run', '--out'])).toBeUndefined();
  });
});

describe('editDistance', () => {
  it('is the Levenshtein distance with adjacent transpositions costing one', () => {
    expect(editDistance('', 'abc')).toBe(3);
    expect(editDistance('kitten', 'sitting')).toBe(3);
    expect(editDistance('optimzier', 'optimizer')).toBe(1);
    expect(editDistance('same', 'same')).toBe(0);
  });
});

describe('ssam with an unknown flag', () => {
  const run = async (args: string[]) => {
    const { main } = await import('./main.js');
    let err = '';
    const sink = { write: (s: string) => ((err += s), true) } as unknown as NodeJS.WriteStream;
    return { code: await main(args, { stdout: sink, stderr: { write: (s: string) => ((err += s), true) } as unknown as NodeJS.WriteStream }), err };
  };

  it('exits 2 with one line naming the flag and the suggestion', async () => {
    const r = await run(['train', '--learning-rate', '0.1']);
    expect(r.code).toBe(2);
    expect(r.err).toBe("ssam: unknown option '--learning-rate' for ssam train; did you mean --lr?\n");
  });

  it('suggests among the flags of the subcommand given (data prepare), or points at --help', async () => {
    expect((await run(['data', 'prepare', 'cifar10', '--frm', 'x'])).err).toBe("ssam: unknown option '--frm' for ssam data prepare; did you mean --from?\n");
    expect((await run(['compare', '--frobnicate'])).err).toBe("ssam: unknown option '--frobnicate' for ssam compare; see ssam compare --help\n");
  });
});
