import { isTensor, type Tensor } from '@ssam/tensor';

/**
 * Our pytree paths as PyTorch `state_dict` names. The weights already have PyTorch's layouts
 * (dense [out, in], conv OIHW), so only names change:
 * - leaf names: `w` → `weight`, `b` → `bias`; BatchNorm `gamma`/`beta` → `weight`/`bias`,
 *   `runningMean`/`runningVar` → `running_mean`/`running_var`;
 * - a residual block's main branch is the block itself in torch (`layer1.0.main.conv1` →
 *   `layer1.0.conv1`); a projection shortcut keeps `shortcut.conv` / `shortcut.bn`;
 * - everything else (`fc1`, `conv1`, `layer2.0`, `linear`) is already the module path.
 */
const LEAF: Readonly<Record<string, string>> = { w: 'weight', b: 'bias', gamma: 'weight', beta: 'bias', runningMean: 'running_mean', runningVar: 'running_var' };

export function torchName(path: readonly string[]): string {
  const mods = path.slice(0, -1).filter((p) => p !== 'main');
  const leaf = path[path.length - 1]!;
  return [...mods, LEAF[leaf] ?? leaf].join('.');
}

/** Tensor leaves with their key paths (sorted keys, as tree.flatten). */
export function tensorLeaves(t: unknown, prefix: readonly string[] = []): [string[], Tensor][] {
  if (isTensor(t)) return [[[...prefix], t]];
  if (t === null || typeof t !== 'object') return [];
  if (Array.isArray(t)) return t.flatMap((v, i) => tensorLeaves(v, [...prefix, String(i)]));
  return Object.keys(t).sort().flatMap((k) => tensorLeaves((t as Record<string, unknown>)[k], [...prefix, k]));
}

/** The parameter-shaped subtrees of the optimizer state that the export names, by the key above them. */
const OPT_KINDS: Readonly<Record<string, string>> = { mask: 'ssam.mask', trace: 'ssam.momentum' };

/**
 * The PyTorch state dict of a model (params and BatchNorm state; `num_batches_tracked` is the
 * step count, int32 here, widened by `load_state_dict`), plus the optimizer state's mask and
 * momentum under `ssam.mask.<name>` / `ssam.momentum.<name>` (one entry per parameter).
 */
export function torchStateDict(params: unknown, modelState: unknown, optState: unknown, step: Tensor): { tensors: Record<string, Tensor>; extras: string[] } {
  const tensors: Record<string, Tensor> = {};
  const put = (name: string, t: Tensor) => {
    if (Object.hasOwn(tensors, name)) throw new Error(`export: two tensors map to the torch name '${name}'`);
    tensors[name] = t;
  };
  const paramPaths = new Set<string>();
  for (const [p, t] of tensorLeaves(params)) {
    put(torchName(p), t);
    paramPaths.add(p.join('.'));
  }
  for (const [p, t] of tensorLeaves(modelState)) {
    put(torchName(p), t);
    if (p[p.length - 1] === 'runningMean') put(torchName([...p.slice(0, -1), 'num_batches_tracked']), step);
  }
  // An optimizer-state leaf whose path ends in a parameter's path, below a `mask` or `trace` key.
  const extras: string[] = [];
  for (const [p, t] of tensorLeaves(optState)) {
    const at = p.findIndex((_, i) => i > 0 && paramPaths.has(p.slice(i).join('.')) && Object.hasOwn(OPT_KINDS, p[i - 1]!));
    const name = at > 0 ? `${OPT_KINDS[p[at - 1]!]}.${torchName(p.slice(at))}` : undefined;
    if (name && !Object.hasOwn(tensors, name)) put(name, t);
    else extras.push(p.join('.'));
  }
  return { tensors, extras };
}
