import { ArgumentError, DTypeError, ShapeError, fmtShape } from '../errors.js';
import { isTensor, type Tensor } from '../tensor.js';
import { flatten, paths, unflatten, type Tree, type TreeDef } from '../tree.js';
import { writeFileAtomic } from './atomic.js';
import { encodeSafetensors, readSafetensors, SafetensorsError } from './safetensors.js';

/**
 * Pytrees of tensors in one safetensors file. Leaf names are the dotted key paths
 * (`layer1.0.main.conv1.w`), so PyTorch and `safetensors` read the file as a flat state dict; the
 * tree's structure rides in the metadata under {@link TREE_KEY}, so arrays come back as arrays.
 */
export const TREE_KEY = 'ssam.tree';

export interface SaveTreeOptions {
  /** String metadata stored in the header (`__metadata__`); the key `ssam.tree` is reserved. */
  readonly metadata?: Readonly<Record<string, string>>;
}

export interface LoadTreeOptions<T = Tree> {
  /**
   * A template tree: the file must hold exactly its leaf names, with the same shapes and dtypes,
   * and the result has its structure. Without it the structure comes from the file.
   */
  readonly like?: T;
}

const leafName = (p: readonly (string | number)[]): string => p.join('.');

/**
 * Saves a tree of tensors atomically (temporary file, fsync, rename, folder fsync). Any nesting of
 * plain objects and arrays (params, model state, optimizer state) whose leaves are tensors.
 */
export function saveTree<T>(file: string, t: T, opts: SaveTreeOptions = {}): void {
  const meta = opts.metadata ?? {};
  if (Object.hasOwn(meta, TREE_KEY)) throw new ArgumentError('saveTree', `metadata key '${TREE_KEY}' is reserved for the tree's structure; rename it`);
  for (const [k, v] of Object.entries(meta)) if (typeof v !== 'string') throw new ArgumentError('saveTree', `metadata '${k}' is a ${typeof v}; safetensors metadata values are strings`);
  const [leaves, def] = flatten<unknown>(t as Tree<unknown>);
  const names = paths(t as Tree<unknown>).map(leafName);
  const tensors: Record<string, Tensor> = {};
  leaves.forEach((leaf, i) => {
    const name = names[i]!;
    if (!isTensor(leaf)) throw new ArgumentError('saveTree', `the leaf at '${name}' is ${leaf === null ? 'null' : typeof leaf}; only tensors can be saved`);
    if (Object.hasOwn(tensors, name)) throw new ArgumentError('saveTree', `two leaves are both named '${name}' (a key with a '.' in it?); rename one`);
    tensors[name] = leaf;
  });
  const bytes = encodeSafetensors(tensors, { ...meta, [TREE_KEY]: JSON.stringify(def) });
  try {
    writeFileAtomic(file, bytes);
  } catch (e) {
    const err = e as NodeJS.ErrnoException;
    throw new ArgumentError('saveTree', `${file}: cannot be written (${err.code ?? err.message})`);
  }
}

/** Nested objects from dotted names, for files written elsewhere (a PyTorch state dict). */
function treeFromNames(op: string, file: string, tensors: Record<string, Tensor>): Tree {
  const root: Record<string, unknown> = {};
  for (const name of Object.keys(tensors).sort()) {
    const parts = name.split('.');
    let cur = root;
    parts.slice(0, -1).forEach((p, i) => {
      const next = cur[p];
      if (isTensor(next)) throw new SafetensorsError(op, `${file}: '${name}' nests under the tensor '${parts.slice(0, i + 1).join('.')}'`);
      cur = (cur[p] ??= {}) as Record<string, unknown>;
    });
    const last = parts[parts.length - 1]!;
    if (cur[last] !== undefined) throw new SafetensorsError(op, `${file}: '${name}' is both a tensor and a prefix of other names`);
    cur[last] = tensors[name];
  }
  return root as Tree;
}

function storedDef(op: string, file: string, json: string): TreeDef {
  try {
    return JSON.parse(json) as TreeDef;
  } catch {
    throw new SafetensorsError(op, `${file}: metadata '${TREE_KEY}' is not valid JSON`);
  }
}

/** Rebuilds the tree from the stored structure, checking that its leaf names are the file's. */
function fromDef(op: string, file: string, def: TreeDef, tensors: Record<string, Tensor>): Tree {
  let skeleton: Tree<unknown>;
  try {
    skeleton = unflatten<unknown>(def, new Array(countLeaves(def)).fill(0));
  } catch {
    throw new SafetensorsError(op, `${file}: metadata '${TREE_KEY}' is not a tree structure`);
  }
  const names = paths(skeleton).map(leafName);
  const missing = names.filter((n) => !Object.hasOwn(tensors, n));
  const extra = Object.keys(tensors).filter((n) => !names.includes(n));
  if (missing.length || extra.length)
    throw new SafetensorsError(op, `${file}: the stored structure and the tensors disagree (missing: ${missing.join(', ') || 'none'}; unexpected: ${extra.join(', ') || 'none'})`);
  return unflatten(def, names.map((n) => tensors[n]!));
}

function countLeaves(def: TreeDef): number {
  if (def === null || typeof def !== 'object') throw new Error('not a def');
  if (def.kind === 'leaf') return 1;
  if (def.kind === 'none') return 0;
  if ((def.kind === 'array' || def.kind === 'object') && Array.isArray(def.children)) return def.children.reduce((a, c) => a + countLeaves(c), 0);
  throw new Error('not a def');
}

/** Checks the file against the template leaf by leaf; errors name the leaf and both shapes. */
function likeTemplate(op: string, file: string, like: Tree, tensors: Record<string, Tensor>): Tree {
  const [leaves, def] = flatten<unknown>(like as Tree<unknown>);
  const names = paths(like as Tree<unknown>).map(leafName);
  const extra = Object.keys(tensors).filter((n) => !names.includes(n));
  const out = leaves.map((leaf, i) => {
    const name = names[i]!;
    if (!isTensor(leaf)) throw new ArgumentError(op, `the template's leaf at '${name}' is ${typeof leaf}; a template is a tree of tensors`);
    const got = tensors[name];
    if (!got || !Object.hasOwn(tensors, name)) throw new ArgumentError(op, `${file} has no tensor '${name}' (template ${fmtShape(leaf.shape)} ${leaf.dtype})${extra.length ? `; it has ${extra.slice(0, 5).join(', ')}` : ''}`);
    if (fmtShape(got.shape) !== fmtShape(leaf.shape)) throw new ShapeError(op, `'${name}' has shape ${fmtShape(got.shape)} in ${file}, the template has ${fmtShape(leaf.shape)}`);
    if (got.dtype !== leaf.dtype) throw new DTypeError(op, `'${name}' is ${got.dtype} in ${file}, the template has ${leaf.dtype}`);
    return got;
  });
  if (extra.length) throw new ArgumentError(op, `${file} holds tensors the template lacks: ${extra.slice(0, 5).join(', ')}${extra.length > 5 ? `, … (${extra.length})` : ''}`);
  return unflatten(def, out);
}

/**
 * Loads a tree saved by {@link saveTree} (or any safetensors file: dotted names become nested
 * objects). Reading is hardened as {@link readSafetensors}; with `like`, names, shapes and dtypes
 * are checked against the template.
 */
export function loadTree<T>(file: string, opts: LoadTreeOptions<T> & { readonly like: T }): T;
export function loadTree(file: string, opts?: LoadTreeOptions): Tree;
export function loadTree(file: string, opts: LoadTreeOptions<unknown> = {}): unknown {
  const op = 'loadTree';
  const { tensors, metadata } = readSafetensors(file, op);
  if (opts.like !== undefined) return likeTemplate(op, file, opts.like as Tree, tensors);
  const def = metadata[TREE_KEY];
  return def === undefined ? treeFromNames(op, file, tensors) : fromDef(op, file, storedDef(op, file, def), tensors);
}
