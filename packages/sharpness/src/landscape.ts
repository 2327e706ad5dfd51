import { tree, type Tree } from '@ssam/tensor';
import { ArgumentError, checkInt, checkRange, ShapeError } from './errors.js';
import { checkProblem, evaluate, type MeasureOptions, type Problem } from './problem.js';

export interface Landscape1dOptions extends MeasureOptions {
  /** The step range along the direction (default [−1, 1]). */
  readonly range?: readonly [number, number];
  /** Grid points, ends included (default 51). */
  readonly points?: number;
}

export interface Landscape1d {
  readonly alphas: number[];
  readonly loss: number[];
  readonly accuracy: number[];
}

export interface Landscape2dOptions extends MeasureOptions {
  readonly xRange?: readonly [number, number];
  readonly yRange?: readonly [number, number];
  /** Grid points per axis (default 21: a 21×21 grid). */
  readonly points?: number | readonly [number, number];
}

export interface Landscape2d {
  readonly xs: number[];
  readonly ys: number[];
  /** loss[j][i] at (xs[i], ys[j]). */
  readonly loss: number[][];
  readonly accuracy: number[][];
}

/**
 * lo + (hi − lo)·i/(n − 1): the ends exactly, and 0 exactly wherever it is a grid point of a
 * symmetric range (so the landscape's centre is the loss at w itself, bit for bit).
 */
export function grid(range: readonly [number, number], n: number): number[] {
  return Array.from({ length: n }, (_, i) => (i === n - 1 ? range[1] : range[0] + ((range[1] - range[0]) * i) / (n - 1)));
}

function checkDirection(op: string, params: Tree, d: Tree, name: string): void {
  if (!tree.structureEqual(params, d)) throw new ShapeError(op, `${name} must be shaped like the params (use randomDirection or directionBetween)`);
  const pl = tree.leaves(params), dl = tree.leaves(d);
  pl.forEach((p, i) => {
    if (p.shape.join() !== dl[i]!.shape.join()) throw new ShapeError(op, `${name}: leaf ${i} is [${dl[i]!.shape.join(', ')}], the params' is [${p.shape.join(', ')}]`);
  });
}

/**
 * The loss along one direction, L(w + α d) for α on a grid (Li et al. 2018, §4; with
 * `directionBetween` the interpolation of Goodfellow et al. 2015). Eval mode, fixed batches.
 * @example landscape1d(problem, randomDirection(problem.params, random.key(5)))
 */
export function landscape1d(problem: Problem, direction: Tree, opts: Landscape1dOptions = {}): Landscape1d {
  checkProblem('landscape1d', problem);
  checkDirection('landscape1d', problem.params, direction, 'direction');
  const alphas = grid(checkRange('landscape1d', 'range', opts.range ?? [-1, 1]), checkInt('landscape1d', 'points', opts.points ?? 51, 2));
  const loss: number[] = [], accuracy: number[] = [];
  alphas.forEach((a, i) => {
    const r = evaluate(problem, tree.add(problem.params, tree.scale(a, direction)));
    loss.push(r.loss);
    accuracy.push(r.accuracy);
    opts.onProgress?.({ phase: 'landscape-1d', done: i + 1, total: alphas.length });
  });
  return { alphas, loss, accuracy };
}

/**
 * The loss over a plane, L(w + α d₁ + β d₂) on a grid (Li et al. 2018, §6), with two directions
 * (independent random directions are nearly orthogonal in high dimension). Eval mode, fixed batches.
 * @example landscape2d(problem, [randomDirection(p, k1), randomDirection(p, k2)])
 */
export function landscape2d(problem: Problem, directions: readonly [Tree, Tree], opts: Landscape2dOptions = {}): Landscape2d {
  checkProblem('landscape2d', problem);
  if (!Array.isArray(directions) || directions.length !== 2) throw new ArgumentError('landscape2d', 'directions must be a pair [d1, d2]');
  checkDirection('landscape2d', problem.params, directions[0], 'directions[0]');
  checkDirection('landscape2d', problem.params, directions[1], 'directions[1]');
  const [nx, ny] = typeof opts.points === 'number' || opts.points === undefined ? [opts.points ?? 21, opts.points ?? 21] : opts.points;
  const xs = grid(checkRange('landscape2d', 'xRange', opts.xRange ?? [-1, 1]), checkInt('landscape2d', 'points', nx, 2));
  const ys = grid(checkRange('landscape2d', 'yRange', opts.yRange ?? [-1, 1]), checkInt('landscape2d', 'points', ny, 2));
  const loss: number[][] = [], accuracy: number[][] = [];
  let done = 0;
  for (const b of ys) {
    const lrow: number[] = [], arow: number[] = [];
    const yPart = tree.scale(b, directions[1]);
    for (const a of xs) {
      const r = evaluate(problem, tree.add(problem.params, tree.add(tree.scale(a, directions[0]), yPart)));
      lrow.push(r.loss);
      arow.push(r.accuracy);
      opts.onProgress?.({ phase: 'landscape-2d', done: ++done, total: xs.length * ys.length });
    }
    loss.push(lrow);
    accuracy.push(arow);
  }
  return { xs, ys, loss, accuracy };
}
