import { describe, expect, it } from 'vitest';
import { OPTIMIZERS, UsageError } from './config.js';
import { checkOptionsApply } from './option-scope.js';

const refusal = (f: () => void): string => {
  try {
    f();
  } catch (e) {
    expect(e).toBeInstanceOf(UsageError);
    return (e as Error).message;
  }
  throw new Error('expected a UsageError');
};

describe('checkOptionsApply', () => {
  it('refuses --sparsity for sam, naming the option and the optimizers that use it', () => {
    expect(refusal(() => checkOptionsApply({ sparsity: '0.9' }, 'sam', 'sgd'))).toBe(
      '--sparsity 0.9 has no effect with --optimizer sam; it applies to ssam-f, ssam-f-implicit, ssam-d only, so drop it or choose one of those',
    );
  });

  it.each([
    [{ rho: '0.1' }, 'sgd', /--rho 0.1 .*sgd; it applies to sam, asam, ssam-f, ssam-f-implicit, ssam-d/],
    [{ dropRate: '0.3' }, 'ssam-f', /--drop-rate 0.3 .*ssam-f; it applies to ssam-d only/],
    [{ fisherSamples: '64' }, 'ssam-d', /--fisher-samples 64 .*ssam-d; it applies to ssam-f, ssam-f-implicit only/],
    [{ maskInterval: '2' }, 'asam', /--mask-interval 2 .*asam/],
    [{ pattern: 'unstructured' }, 'ssam-d', /--pattern unstructured .*ssam-d/],
    [{ base: 'adamw' }, 'sgd', /--base adamw .*sgd; it applies to sam, asam/],
  ] as const)('refuses %o for %s', (explicit, optimizer, message) => {
    expect(refusal(() => checkOptionsApply(explicit, optimizer, 'sgd'))).toMatch(message);
  });

  it('accepts every option for an optimizer that reads it', () => {
    expect(() => checkOptionsApply({ sparsity: '0.9', rho: '0.1', maskInterval: '2', fisherSamples: '64', pattern: 'nm:2:4' }, 'ssam-f', 'sgd')).not.toThrow();
    expect(() => checkOptionsApply({ sparsity: '0.9', dropRate: '0.2', maskInterval: '2' }, 'ssam-d', 'sgd')).not.toThrow();
    for (const o of OPTIMIZERS) expect(() => checkOptionsApply({ lr: '0.1', momentum: '0.8', nesterov: true, weightDecay: '0' }, o, 'sgd')).not.toThrow();
  });

  it('refuses the SGD base step options with --base adamw', () => {
    expect(refusal(() => checkOptionsApply({ momentum: '0.8' }, 'sam', 'adamw'))).toMatch(/^--momentum 0.8 has no effect with --base adamw/);
    expect(refusal(() => checkOptionsApply({ nesterov: true }, 'ssam-f', 'adamw'))).toMatch(/^--nesterov has no effect with --base adamw/);
  });
});

describe('ssam train with an option the optimizer ignores', () => {
  it('exits 2 with the one line, and writes nothing', async () => {
    const { mkdtempSync, existsSync } = await import('node:fs');
    const path = await import('node:path');
    const os = await import('node:os');
    const { main } = await import('./main.js');
    const out = path.join(mkdtempSync(path.join(os.tmpdir(), 'ssam-scope-')), 'run');
    let err = '';
    const sink = { write: (s: string) => ((err += s), true) } as unknown as NodeJS.WriteStream;
    const code = await main(['train', '--optimizer', 'sam', '--sparsity', '0.9', '--budget', 'tiny', '--epochs', '1', '--train-subset', '64', '--test-subset', '64', '--backend', 'reference', '--out', out, '--quiet'], { stdout: sink, stderr: sink });
    expect(err).toBe('ssam: --sparsity 0.9 has no effect with --optimizer sam; it applies to ssam-f, ssam-f-implicit, ssam-d only, so drop it or choose one of those\n');
    expect(code).toBe(2);
    expect(existsSync(out)).toBe(false);
  });
});

describe('rerun command lines', () => {
  it('pass the check: they spell out only the options the optimizer reads', async () => {
    const { parseTrainConfig, rerunCommand } = await import('./config.js');
    const { MODEL_NAMES } = await import('./setup/models.js');
    for (const optimizer of OPTIMIZERS)
      for (const base of optimizer === 'sgd' ? ['sgd'] : ['sgd', 'adamw']) {
        const r = parseTrainConfig({ optimizer, base, ...(base === 'sgd' ? { nesterov: true, momentum: '0.8' } : { weightDecay: '0.05' }) }, MODEL_NAMES);
        if (r._tag === 'Left') throw r.left;
        const words = rerunCommand(r.right).split(' ').slice(2);
        const explicit: Record<string, unknown> = {};
        for (let i = 0; i < words.length; i++) {
          const key = words[i]!.slice(2).replace(/-([a-z])/g, (_m, ch: string) => ch.toUpperCase());
          explicit[key] = words[i + 1]?.startsWith('--') || i + 1 === words.length ? true : words[++i];
        }
        expect(() => checkOptionsApply(explicit, optimizer, base as 'sgd' | 'adamw'), `${optimizer} on ${base}: ${words.join(' ')}`).not.toThrow();
        const again = parseTrainConfig(explicit, MODEL_NAMES);
        expect(again._tag === 'Right' && again.right).toEqual(r.right);
      }
  });
});
