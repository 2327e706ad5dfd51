import {
  adamw, asam, constantSchedule, linearSchedule, multistepSchedule, sam, sgd, ssamD, ssamF, warmupCosineSchedule,
  type GradientTransformation, type MaskPattern, type Schedule,
} from '@ssam/optim';
import { random } from '@ssam/tensor';
import type { Pattern, TrainConfig } from '../config.js';
import { nmExclude } from './nm-fit.js';

/** The learning-rate schedule of a run, per step (an epoch is `stepsPerEpoch` steps). */
export function learningRate(c: TrainConfig, stepsPerEpoch: number): Schedule {
  const total = Math.max(1, c.epochs * stepsPerEpoch);
  const warmup = Math.min(c.warmupEpochs * stepsPerEpoch, total - 1);
  switch (c.schedule) {
    case 'constant':
      return warmup > 0 ? (t) => (t < warmup ? (c.lr * t) / warmup : c.lr) : constantSchedule(c.lr);
    case 'cosine':
      return warmupCosineSchedule({ init: 0, peak: c.lr, warmupSteps: warmup, totalSteps: total });
    case 'linear':
      return linearSchedule({ init: c.lr, end: 0, steps: total });
    case 'multistep': {
      // The usual CIFAR recipe: ×0.1 at 50 % and 75 % of the run.
      const ms = [...new Set([Math.floor(total * 0.5), Math.floor(total * 0.75)])].filter((m) => m > 0);
      return multistepSchedule({ init: c.lr, milestones: ms, gamma: 0.1 });
    }
  }
}

/**
 * SAM's radius ρ per step, as written to steps.jsonl and metrics.csv next to the learning rate.
 * The CLI's ρ is constant (`--rho`); SGD perturbs nothing, so its ρ is 0 (SAM with ρ = 0 is SGD).
 */
export function perturbationRadius(c: TrainConfig): Schedule {
  return constantSchedule(c.optimizer === 'sgd' ? 0 : c.rho);
}

const maskPattern = (p: Pattern): MaskPattern => (p.kind === 'nm' ? { n: p.n, m: p.m } : p.kind);

/**
 * The optimizer a config names. The base step is PyTorch SGD (momentum, coupled weight decay), or
 * AdamW with `--base adamw`; the SAM family wraps it. Options were validated by `parseTrainConfig`, so a throw here is a bug
 * or a combination the optimizer itself rejects (reported as a usage error by the caller).
 * With an N:M pattern, weights whose input size is not a multiple of M are left out of the
 * selection (see nm-fit.ts).
 *
 * ssam-f-implicit is SSAM-F in the TPAMI implicit form: the Fisher mask is refreshed before pass 1,
 * whose input gradients flow through W ⊙ M (compressed N:M kernels for an N:M pattern; a dense
 * W ⊙ M, same numbers but no speed-up, for unstructured and structured masks); ε is dense.
 */
export function buildOptimizer(c: TrainConfig, stepsPerEpoch: number): GradientTransformation<any> {
  const lr = learningRate(c, stepsPerEpoch);
  const base = c.base === 'adamw' ? adamw({ lr, weightDecay: c.weightDecay }) : sgd({ lr, momentum: c.momentum, nesterov: c.nesterov, weightDecay: c.weightDecay });
  const refresh = { interval: c.maskInterval, stepsPerEpoch };
  switch (c.optimizer) {
    case 'sgd':
      return base;
    case 'sam':
      return sam({ rho: c.rho, base });
    case 'asam':
      return asam({ rho: c.rho, base });
    case 'ssam-f':
    case 'ssam-f-implicit':
      return ssamF({
        rho: c.rho, base, ...refresh, numSamples: c.fisherSamples, pattern: maskPattern(c.pattern),
        ...(c.pattern.kind === 'nm' ? { exclude: nmExclude(c.pattern.m) } : { sparsity: c.sparsity }),
        ...(c.optimizer === 'ssam-f-implicit' ? { form: 'implicit' as const } : {}),
      });
    case 'ssam-d':
      return ssamD({
        rho: c.rho, base, ...refresh, sparsity: c.sparsity, dropRate: c.dropRate, totalEpochs: c.epochs,
        key: random.foldIn(random.key(c.seed), 3),
      });
  }
}
