import { fc, test } from '@fast-check/vitest';
import * as E from 'fp-ts/lib/Either.js';
import { describe, expect, it } from 'vitest';
import { configToRaw, OPTIMIZERS, parseTrainConfig, rerunCommand, UsageError, type TrainConfig } from './config.js';
import { checkCompile, MODEL_NAMES } from './setup/models.js';
import { configFingerprint } from './train/fingerprint.js';

const parse = (raw: Record<string, unknown>) => parseTrainConfig(raw, MODEL_NAMES);
const ok = (raw: Record<string, unknown>): TrainConfig => {
  const r = parse(raw);
  if (E.isLeft(r)) throw r.left;
  return r.right;
};
const err = (raw: Record<string, unknown>): string => {
  const r = parse(raw);
  if (E.isRight(r)) throw new Error(`expected an error for ${JSON.stringify(raw)}`);
  expect(r.left).toBeInstanceOf(UsageError);
  return r.left.message;
};

// Raw option values as commander hands them over: strings (or true for switches).
const arbRaw = fc.record(
  {
    model: fc.constantFrom('mlp', 'cnn', 'resnet20'),
    data: fc.constantFrom('mnist', 'fashion-mnist', 'cifar10', 'cifar10:/data/c10', 'cifar100:/data/c100'),
    optimizer: fc.constantFrom(...OPTIMIZERS),
    sparsity: fc.double({ min: 0, max: 1, noNaN: true }).map(String),
    rho: fc.double({ min: 0, max: 5, noNaN: true }).map(String),
    lr: fc.double({ min: 1e-6, max: 10, noNaN: true }).map(String),
    momentum: fc.double({ min: 0, max: 0.99, noNaN: true }).map(String),
    nesterov: fc.constant(true),
    schedule: fc.constantFrom('constant', 'cosine', 'multistep', 'linear'),
    epochs: fc.integer({ min: 1, max: 500 }).map(String),
    batchSize: fc.integer({ min: 1, max: 1024 }).map(String),
    seed: fc.integer({ min: 0, max: 2 ** 31 }).map(String),
    trainSubset: fc.integer({ min: 1, max: 60000 }).map(String),
    width: fc.array(fc.integer({ min: 1, max: 4096 }), { minLength: 1, maxLength: 3 }).map((w) => w.join(',')),
    augment: fc.constant(true),
    threads: fc.integer({ min: 1, max: 64 }).map(String),
    compile: fc.boolean(),
  },
  { requiredKeys: [] },
);

describe('parseTrainConfig', () => {
  test.prop([arbRaw], { numRuns: 200 })('a config survives configToRaw → parse unchanged (resume and rerun rely on it)', (raw) => {
    const c = ok(raw);
    expect(ok(configToRaw(c))).toEqual(c);
  });

  test.prop([arbRaw], { numRuns: 100 })('the rerun command line names every option that differs from the defaults', (raw) => {
    const c = ok(raw);
    const cmd = rerunCommand(c);
    expect(cmd).toContain(`--optimizer ${c.optimizer}`);
    expect(cmd).toContain(`--seed ${c.seed}`);
    expect(cmd).toContain(`--width ${c.width.join(',')}`);
  });

  test.prop([fc.double({ noNaN: false }).filter((s) => !(s >= 0 && s <= 1))], { numRuns: 100 })('rejects any sparsity outside [0, 1]', (s) => {
    expect(err({ sparsity: String(s) })).toMatch(/^--sparsity must be a number in \[0, 1\]/);
  });

  it('fills defaults', () => {
    expect(ok({})).toMatchObject({ model: 'mlp', data: 'mnist', optimizer: 'sgd', sparsity: 0.5, rho: 0.05, lr: 0.1, epochs: 3, backend: 'auto', width: [128] });
    expect(ok({ optimizer: 'asam' }).rho).toBe(2);
  });

  it('reads N:M patterns and derives their sparsity', () => {
    expect(ok({ optimizer: 'ssam-f', pattern: 'nm:2:4' })).toMatchObject({ pattern: { kind: 'nm', n: 2, m: 4 }, sparsity: 0.5 });
    expect(ok({ optimizer: 'ssam-f', pattern: 'nm:1:4', sparsity: '0.75' }).sparsity).toBe(0.75);
    expect(err({ optimizer: 'ssam-f', pattern: 'nm:1:4', sparsity: '0.5' })).toMatch(/contradicts --pattern nm:1:4/);
    expect(err({ optimizer: 'ssam-f', pattern: 'nm:4:2' })).toMatch(/1 <= N < M/);
    expect(err({ optimizer: 'ssam-d', pattern: 'structured' })).toMatch(/needs --optimizer ssam-f/);
    // The shorthand N:M is the same pattern, written back in full for reruns.
    const short = ok({ optimizer: 'ssam-f', pattern: '2:4' });
    expect(short.pattern).toEqual({ kind: 'nm', n: 2, m: 4 });
    expect(configToRaw(short).pattern).toBe('nm:2:4');
  });

  it('takes the implicit form as its own optimizer name, for ssam-f only', () => {
    const c = ok({ optimizer: 'ssam-f-implicit', pattern: 'nm:2:4' });
    expect(c).toMatchObject({ optimizer: 'ssam-f-implicit', pattern: { kind: 'nm', n: 2, m: 4 }, sparsity: 0.5 });
    expect(ok(configToRaw(c))).toEqual(c);
    expect(rerunCommand(c)).toMatch(/--optimizer ssam-f-implicit .*--pattern nm:2:4/);
    expect(ok({ optimizer: 'ssam-f-implicit', pattern: 'structured', sparsity: '0.8' })).toMatchObject({ pattern: { kind: 'structured' }, sparsity: 0.8 });
    expect(err({ optimizer: 'sam-implicit' })).toBe('--optimizer sam-implicit: the implicit form needs SSAM-F\'s Fisher mask; use --optimizer ssam-f-implicit (sam has no mask)');
    expect(err({ optimizer: 'ssam-d-implicit' })).toMatch(/use --optimizer ssam-f-implicit \(ssam-d grows random masks/);
    expect(err({ optimizer: 'sam', pattern: 'nm:2:4' })).toMatch(/^--pattern nm:2:4 needs --optimizer ssam-f or ssam-f-implicit \(the Fisher mask\); sam has no mask/);
  });

  it('names the flag, the allowed values and what it got', () => {
    expect(err({ optimizer: 'adam' })).toBe("--optimizer must be one of sgd, sam, asam, ssam-f, ssam-f-implicit, ssam-d; got 'adam'");
    expect(err({ epochs: '2.5' })).toBe("--epochs must be an integer >= 1, got '2.5'");
    expect(err({ lr: 'fast' })).toBe("--lr must be a number > 0, got 'fast'");
    expect(err({ data: 'imagenet' })).toMatch(/^--data must be one of mnist, fashion-mnist, cifar10, cifar100, iris/);
    expect(err({ data: 'cifar100' })).toMatch(/cifar100 needs a directory/);
    expect(err({ width: '64,,32' })).toMatch(/^--width must be positive integers/);
    expect(err({ model: 'gpt' })).toMatch(/^--model must be one of mlp, lenet5, cnn/);
    expect(err({ backend: 'gpu' })).toMatch(/^--backend must be one of auto, reference, wasm/);
  });

  it('takes --base adamw for the SAM family, with AdamW defaults (lr 1e-3, decoupled decay 0.01), and refuses it for sgd', () => {
    expect(ok({ optimizer: 'sam', base: 'adamw' })).toMatchObject({ base: 'adamw', lr: 1e-3, weightDecay: 0.01 });
    expect(ok({ optimizer: 'ssam-f', base: 'adamw', lr: '0.003', weightDecay: '0.05' })).toMatchObject({ base: 'adamw', lr: 0.003, weightDecay: 0.05 });
    // The SGD base is the absence of the field: fingerprints of runs from before --base do not change.
    expect('base' in ok({ optimizer: 'sam', base: 'sgd' })).toBe(false);
    expect(ok({ optimizer: 'sam', base: 'sgd' })).toEqual(ok({ optimizer: 'sam' }));
    expect(err({ optimizer: 'sgd', base: 'adamw' })).toMatch(/^--base adamw needs a SAM-family --optimizer .*; sgd is itself the base step/);
    expect(err({ optimizer: 'sam', base: 'adam' })).toBe("--base must be one of sgd, adamw; got 'adam'");
    const c = ok({ optimizer: 'asam', base: 'adamw' });
    expect(ok(configToRaw(c))).toEqual(c);
    expect(rerunCommand(c)).toMatch(/--optimizer asam .*--base adamw/);
    expect(rerunCommand(c)).not.toMatch(/--momentum|--nesterov/);
  });

  it('--compile: off by default, a switch, in the rerun line, outside the fingerprint, refused for dropout models', () => {
    expect(ok({}).compile).toBe(false);
    expect(ok({ compile: true }).compile).toBe(true);
    expect(ok({ compile: false }).compile).toBe(false);
    expect(err({ compile: 'yes' })).toBe("--compile is a switch and takes no value; got 'yes'");
    expect(rerunCommand(ok({ compile: true }))).toMatch(/ --compile( |$)/);
    expect(rerunCommand(ok({}))).not.toMatch(/compile/);
    // How a run computes, not what: a compiled run resumes an eager one's checkpoint and back.
    expect(configFingerprint(ok({ optimizer: 'sam', compile: true }))).toBe(configFingerprint(ok({ optimizer: 'sam' })));
    expect(configFingerprint(ok({ optimizer: 'sam', seed: '1' }))).not.toBe(configFingerprint(ok({ optimizer: 'sam' })));
    for (const m of ['vgg11', 'vgg16']) {
      expect(() => checkCompile(m, true)).toThrow(UsageError);
      expect(() => checkCompile(m, true)).toThrow(`--compile cannot be used with --model ${m}: its classifier uses dropout`);
      expect(() => checkCompile(m, false)).not.toThrow();
    }
    for (const m of MODEL_NAMES.filter((n) => !n.startsWith('vgg'))) expect(() => checkCompile(m, true)).not.toThrow();
  });
});
