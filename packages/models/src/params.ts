import { ArgumentError, isTensor, random, tree, type Key, type Tensor, type Tree } from '@ssam/tensor';
import { withShapeOnlyInit } from './init.js';
import type { Layer, Params, ShapeTree } from './layer.js';
import { leavesWithPaths } from './internal/paths.js';

/**
 * Number of trainable scalars (elements over all tensor leaves), as PyTorch's
 * `sum(p.numel() for p in model.parameters())`.
 * @example countParams(resnet20().init(random.key(0), [-1, 3, 32, 32])[1]) // 272474
 */
export function countParams(params: Params): number {
  return tree.size(params);
}

/** Tensor leaves of a tree as `[dotted.path, tensor]` pairs in canonical (tree.flatten) order. */
export function namedParams(params: Params): [string, Tensor][] {
  return leavesWithPaths(params).map(({ path, leaf }) => [path.join('.'), leaf as Tensor]);
}

/** The subtree at a dotted path such as `'layer1.0.main.conv1.w'`; throws naming the missing key. */
export function getPath<L = Tensor>(t: Tree<L>, path: string): Tree<L> {
  let cur: unknown = t;
  const parts = path === '' ? [] : path.split('.');
  parts.forEach((p, i) => {
    const next = cur !== null && typeof cur === 'object' ? (cur as Record<string, unknown>)[p] : undefined;
    if (next === undefined) {
      const keys = cur !== null && typeof cur === 'object' ? Object.keys(cur as object).join(', ') : 'none (a leaf)';
      throw new ArgumentError('getPath', `no key ${JSON.stringify(p)} at ${JSON.stringify(parts.slice(0, i).join('.'))}; keys there: ${keys}`);
    }
    cur = next;
  });
  return cur as Tree<L>;
}

/** The shape of every leaf: a tree like `params` with `number[]` leaves. */
export type ShapeOf = readonly number[];

/**
 * Shapes without sampling: runs `init` with zero-filled parameters (cheap even for 36M
 * parameters), and returns the output shape, the parameter count, and the params / state trees with
 * each tensor replaced by its shape.
 * @example evalShape(wideResNet({ depth: 28, width: 10 }), [-1, 3, 32, 32]).count // 36479194
 */
export function evalShape(layer: Layer, inShape: ShapeTree, key?: Key): { outShape: ShapeTree; count: number; params: Tree<ShapeOf>; state: Tree<ShapeOf> } {
  const k = key ?? fixedKey();
  const [outShape, params, state] = withShapeOnlyInit(() => layer.init(k, inShape));
  const toShape = (t: Tree) => tree.map((x: unknown) => (isTensor(x) ? [...x.shape] : x), t as Tree<unknown>) as Tree<ShapeOf>;
  return { outShape, count: countParams(params), params: toShape(params), state: toShape(state) };
}

const fixedKey = (): Key => random.key(0);
