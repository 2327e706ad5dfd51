import { tree, type Tensor, type Tree } from '@ssam/tensor';
import { UsageError, type TrainConfig } from '../config.js';

/*
 * An N:M mask along 'in' groups m consecutive input channels (conv [O, C, kH, kW]) or input
 * features (dense [O, F]), so a weight takes part only when C (or F) is a multiple of m. The layer
 * that reads the data often is not (a conv on 1 or 3 channels; LeNet-5's conv2 has 6): such
 * weights are left out of the selection (@ssam/optim ssamF `exclude`). ssam-f then does not perturb
 * them; ssam-f-implicit keeps their exact, dense input gradient (mask 1: no speed-up there, and
 * none needed for a first layer, whose input gradient is never computed).
 */

/** The N:M grouping's dimension of a leaf ('in': axis 1); undefined for vectors (kept whole). */
const groupedDim = (shape: readonly number[]): number | undefined => (shape.length >= 2 ? shape[1] : undefined);

/** ssamF's `exclude` for an N:M pattern: the weights whose input size m does not divide. */
export function nmExclude(m: number): (path: string, leaf: Tensor) => boolean {
  return (_path, leaf) => {
    const d = groupedDim(leaf.shape);
    return d !== undefined && d % m !== 0;
  };
}

/**
 * For an N:M config: the weights left out of the selection (`conv1.w [16, 1, 3, 3]`), or a
 * UsageError when no weight of the model fits the pattern at all.
 */
export function checkNMFit(c: TrainConfig, params: unknown): string[] {
  if (c.pattern.kind !== 'nm') return [];
  const { n, m } = c.pattern;
  const left: string[] = [];
  let fit = 0;
  const leaves = tree.leaves(params as Tree<Tensor>) as Tensor[];
  for (const [i, p] of tree.paths(params as Tree<unknown>).entries()) {
    const path = p.join('.'), leaf = leaves[i]!;
    const d = groupedDim(leaf.shape);
    if (d === undefined) continue;
    if (d % m === 0) fit++;
    else left.push(`${path} [${leaf.shape.join(', ')}]`);
  }
  if (fit === 0)
    throw new UsageError(
      `--pattern nm:${n}:${m} groups ${m} input channels, but no weight of --model ${c.model} has an input size that is a multiple of ${m} (${left.join(', ')}). ` +
        `Choose an M that divides them (e.g. nm:1:2), other --width values, or --pattern unstructured`,
    );
  return left;
}

/** One line for the run's header: what the N:M selection left out and what that means for this optimizer. */
export function nmNote(optimizer: string, left: readonly string[], m: number): string {
  const what = optimizer === 'ssam-f-implicit' ? 'their input gradients stay dense' : 'not perturbed';
  return `N:M selection leaves out ${left.join(', ')} (input size not a multiple of ${m}; ${what})`;
}
