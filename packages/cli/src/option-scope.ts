import { UsageError, type OptimizerName } from './config.js';

/**
 * Which optimizer reads which option. `ssam train --optimizer sam --sparsity 0.9` used to train
 * plain SAM and record sparsity 0.9 in config.json, as if it had mattered; an option the chosen
 * optimizer ignores is now refused, as `--pattern` always was. Only options the user gave are
 * checked: a budget's defaults (`--budget tiny` sets --fisher-samples) apply where they apply.
 */
const SAM_FAMILY: readonly OptimizerName[] = ['sam', 'asam', 'ssam-f', 'ssam-f-implicit', 'ssam-d'];
const MASKED: readonly OptimizerName[] = ['ssam-f', 'ssam-f-implicit', 'ssam-d'];
const FISHER: readonly OptimizerName[] = ['ssam-f', 'ssam-f-implicit'];

/** Option key → its flag and the optimizers that read it. */
export const OPTIMIZER_SCOPED: Readonly<Record<string, { readonly flag: string; readonly users: readonly OptimizerName[] }>> = {
  sparsity: { flag: 'sparsity', users: MASKED },
  pattern: { flag: 'pattern', users: FISHER },
  rho: { flag: 'rho', users: SAM_FAMILY },
  base: { flag: 'base', users: SAM_FAMILY },
  fisherSamples: { flag: 'fisher-samples', users: FISHER },
  maskInterval: { flag: 'mask-interval', users: MASKED },
  dropRate: { flag: 'drop-rate', users: ['ssam-d'] },
};

/** Options of the SGD base step, which `--base adamw` replaces with its own moments. */
const SGD_BASE_ONLY: Readonly<Record<string, string>> = { momentum: 'momentum', nesterov: 'nesterov' };

/** Whether option `key` does anything for `optimizer` on `base` (rerun command lines leave the rest out). */
export function optionApplies(key: string, optimizer: OptimizerName, base: 'sgd' | 'adamw'): boolean {
  const scoped = OPTIMIZER_SCOPED[key];
  if (scoped && !scoped.users.includes(optimizer)) return false;
  return !(base === 'adamw' && key in SGD_BASE_ONLY);
}

const shown = (v: unknown): string => (v === true ? '' : ` ${String(v)}`);

/** Throws the one-line UsageError for the first explicit option that `optimizer` (on `base`) ignores. */
export function checkOptionsApply(explicit: Record<string, unknown>, optimizer: OptimizerName, base: 'sgd' | 'adamw'): void {
  for (const [key, { flag, users }] of Object.entries(OPTIMIZER_SCOPED)) {
    if (explicit[key] === undefined || users.includes(optimizer)) continue;
    throw new UsageError(`--${flag}${shown(explicit[key])} has no effect with --optimizer ${optimizer}; it applies to ${users.join(', ')} only, so drop it or choose one of those`);
  }
  if (base === 'adamw')
    for (const [key, flag] of Object.entries(SGD_BASE_ONLY))
      if (explicit[key] !== undefined)
        throw new UsageError(`--${flag}${shown(explicit[key])} has no effect with --base adamw (it sets the SGD base step; AdamW keeps its own moments, betas 0.9 and 0.999); drop it or use --base sgd`);
}
