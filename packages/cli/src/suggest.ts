/**
 * "did you mean --lr?" for an unknown flag. Commander's own suggestion is edit distance only, so
 * `--learning-rate` (what PyTorch scripts and Keras call it) got none. We try, in order: the
 * names other tools use for the same option, a unique prefix (`--warmup` → `--warmup-epochs`),
 * then the closest flag by edit distance (transpositions count one).
 */

/** Other tools' names for our options (normalized: lower case, `_` as `-`). */
const ALIASES: Record<string, string> = {
  '--learning-rate': '--lr', '--learningrate': '--lr', '--eta': '--lr', '--lr0': '--lr',
  '--wd': '--weight-decay', '--decay': '--weight-decay', '--l2': '--weight-decay',
  '--bs': '--batch-size', '--batch': '--batch-size', '--batchsize': '--batch-size', '--minibatch-size': '--batch-size',
  '--n-epochs': '--epochs', '--num-epochs': '--epochs', '--max-epochs': '--epochs', '--nepochs': '--epochs',
  '--optim': '--optimizer', '--opt': '--optimizer', '--method': '--optimizer',
  '--dataset': '--data', '--arch': '--model', '--network': '--model', '--net': '--model',
  '--radius': '--rho', '--sam-rho': '--rho', '--neighborhood-size': '--rho',
  '--lr-schedule': '--schedule', '--scheduler': '--schedule', '--lr-scheduler': '--schedule',
  '--warmup': '--warmup-epochs', '--warmup-steps': '--warmup-epochs',
  '--output': '--out', '--output-dir': '--out', '--outdir': '--out', '--out-dir': '--out', '--save-dir': '--out',
  '--mask-sparsity': '--sparsity', '--sparse-ratio': '--sparsity', '--sparsity-ratio': '--sparsity',
  '--num-samples': '--fisher-samples', '--update-freq': '--mask-interval', '--mask-update-interval': '--mask-interval',
  '--num-threads': '--threads', '--workers': '--threads', '--jobs': '--threads',
  '--smoothing': '--label-smoothing', '--random-seed': '--seed', '--continue': '--resume',
  '--optimiser': '--optimizer', '--n-seeds': '--seeds', '--num-seeds': '--seeds',
};

/** Optimal-string-alignment distance (Levenshtein plus adjacent transpositions). */
export function editDistance(a: string, b: string): number {
  const d: number[][] = Array.from({ length: a.length + 1 }, (_, i) => Array.from({ length: b.length + 1 }, (_, j) => (i === 0 ? j : j === 0 ? i : 0)));
  for (let i = 1; i <= a.length; i++)
    for (let j = 1; j <= b.length; j++) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      d[i]![j] = Math.min(d[i - 1]![j]! + 1, d[i]![j - 1]! + 1, d[i - 1]![j - 1]! + cost);
      if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1]) d[i]![j] = Math.min(d[i]![j]!, d[i - 2]![j - 2]! + 1);
    }
  return d[a.length]![b.length]!;
}

/** The flag to suggest for `given` (as typed, maybe `--x=value`) among `known` long flags, or undefined. */
export function suggestFlag(given: string, known: readonly string[]): string | undefined {
  const flag = given.split('=')[0]!.toLowerCase().replace(/_/g, '-').replace(/^-+/, '--');
  if (known.includes(flag)) return flag; // `--Weight_Decay` spelled differently
  const alias = ALIASES[flag];
  if (alias && known.includes(alias)) return alias;
  const prefixed = known.filter((k) => k.startsWith(flag) && flag.length >= 4);
  if (prefixed.length === 1) return prefixed[0];
  const body = flag.slice(2);
  let best: string | undefined;
  let bestD = Infinity;
  for (const k of known) {
    const d = editDistance(body, k.slice(2));
    if (d < bestD) [best, bestD] = [k, d];
  }
  // Close enough to be a typo: at most one edit in three characters (and at most 3).
  return best !== undefined && bestD <= Math.min(3, Math.max(1, Math.floor(body.length / 3))) ? best : undefined;
}
