import { ArgumentError, ShapeError, add, concat, isTensor, random, tree, type Key, type Tensor } from '@ssam/tensor';
import { EMPTY, isLayer, type ApplyContext, type Layer, type Params, type ShapeTree, type State, type Value } from './layer.js';
import { fmt, isShape, positiveInt } from './internal/check.js';

/** Layers given positionally (params become an array) or by name (params become an object). */
export type Layers = readonly Layer[] | Readonly<Record<string, Layer>>;

interface Children {
  readonly names: readonly (string | number)[];
  readonly layers: readonly Layer[];
  readonly named: boolean;
}

function children(op: string, args: readonly unknown[]): Children {
  if (args.length === 1 && !isLayer(args[0]) && typeof args[0] === 'object' && args[0] !== null && !Array.isArray(args[0])) {
    const entries = Object.entries(args[0] as Record<string, unknown>);
    for (const [name, l] of entries) {
      if (!isLayer(l)) throw new ArgumentError(op, `entry ${JSON.stringify(name)} is not a layer (it needs init and apply)`);
      // NOTE: integer-like keys are enumerated before all others, which would reorder the layers.
      if (/^(0|[1-9]\d*)$/.test(name)) throw new ArgumentError(op, `layer name ${JSON.stringify(name)} looks like an index; pass the layers positionally, ${op}(a, b, ...), or use non-numeric names`);
    }
    return { names: entries.map(([n]) => n), layers: entries.map(([, l]) => l as Layer), named: true };
  }
  const list = (args.length === 1 && Array.isArray(args[0]) ? args[0] : args) as unknown[];
  list.forEach((l, i) => {
    if (!isLayer(l)) throw new ArgumentError(op, `argument ${i} is not a layer (it needs init and apply)`);
  });
  return { names: list.map((_, i) => i), layers: list as Layer[], named: false };
}

const isEmpty = (t: Params | State): boolean => tree.count(t as never) === 0;

/** Collects children's params or states: named → object without empty entries; positional → array. */
function collect(c: Children, items: readonly (Params | State)[]): Params {
  if (!c.named) return items.map((t) => (isEmpty(t) ? EMPTY : t));
  const out: Record<string, Params> = {};
  c.names.forEach((n, i) => {
    if (!isEmpty(items[i])) out[n as string] = items[i];
  });
  return out;
}

/** The child entry of a collected tree (empty children get `{}`). */
function pick(t: Params | State, name: string | number): Params {
  const v = (t as Record<string | number, Params> | null | undefined)?.[name];
  return v === undefined || v === null ? EMPTY : v;
}

/** Keys for n children; undefined when the parent has none. */
export function splitKey(key: Key | undefined, n: number): (Key | undefined)[] {
  if (key === undefined) return new Array<undefined>(n).fill(undefined);
  return n === 1 ? [key] : random.split(key, n);
}

export const withKey = (ctx: ApplyContext, key: Key | undefined): ApplyContext => (key === ctx.key ? ctx : { train: ctx.train, ...(key ? { key } : {}) });

/**
 * Chains layers: y = fₙ(…f₂(f₁(x))). Pass them by name for readable parameter paths (params
 * `{ conv: {...}, bn: {...} }`; parameterless entries are left out) or positionally (params are an
 * array, one entry per layer, `{}` for parameterless ones).
 * @example serial({ conv: conv2d(16, 3, { padding: 1 }), bn: batchNorm(), act: relu })
 */
export function serial(layers: Readonly<Record<string, Layer>>): Layer;
export function serial(...layers: Layer[]): Layer;
export function serial(...args: unknown[]): Layer {
  const c = children('serial', args);
  return {
    init(key, inShape) {
      const keys = splitKey(key, c.layers.length);
      let shape = inShape;
      const ps: Params[] = [], ss: State[] = [];
      c.layers.forEach((l, i) => {
        const [out, p, s] = l.init(keys[i]!, shape);
        shape = out;
        ps.push(p);
        ss.push(s);
      });
      return [shape, collect(c, ps), collect(c, ss)];
    },
    apply(params, state, x, ctx) {
      const keys = splitKey(ctx.key, c.layers.length);
      let y = x;
      const ss: State[] = [];
      c.layers.forEach((l, i) => {
        const n = c.names[i]!;
        const [out, s] = l.apply(pick(params, n), pick(state, n), y, withKey(ctx, keys[i]));
        y = out;
        ss.push(s);
      });
      return [y, collect(c, ss)];
    },
  };
}

/**
 * Applies the i-th layer to the i-th element of a tuple input: (x₁, …, xₙ) → (f₁(x₁), …, fₙ(xₙ)).
 * Named layers take the tuple in the order they are listed.
 * @example serial(fanOut(2), parallel({ main: block, shortcut: identity }), fanInSum)
 */
export function parallel(layers: Readonly<Record<string, Layer>>): Layer;
export function parallel(...layers: Layer[]): Layer;
export function parallel(...args: unknown[]): Layer {
  const c = children('parallel', args);
  const n = c.layers.length;
  const tuple = <T>(what: string, v: unknown, single: boolean): readonly T[] => {
    if (single || !Array.isArray(v) || v.length !== n)
      throw new ShapeError('parallel', `expects a tuple of ${n} ${what} (one per branch), got ${single ? 'a single one' : `${(v as unknown[]).length}`}; put fanOut(${n}) before it`);
    return v as readonly T[];
  };
  return {
    init(key, inShape) {
      const shapes = tuple<ShapeTree>('shapes', inShape, isShape(inShape));
      const keys = splitKey(key, n);
      const res = c.layers.map((l, i) => l.init(keys[i]!, shapes[i]!));
      return [res.map((r) => r[0]), collect(c, res.map((r) => r[1])), collect(c, res.map((r) => r[2]))];
    },
    apply(params, state, x, ctx) {
      const xs = tuple<Value>('tensors', x, isTensor(x));
      const keys = splitKey(ctx.key, n);
      const res = c.layers.map((l, i) => l.apply(pick(params, c.names[i]!), pick(state, c.names[i]!), xs[i]!, withKey(ctx, keys[i])));
      return [res.map((r) => r[0]), collect(c, res.map((r) => r[1]))];
    },
  };
}

/** Copies its input n times: x → (x, …, x). */
export function fanOut(n: number): Layer {
  positiveInt('fanOut', 'n', n);
  return {
    init: (_key, inShape) => [new Array<ShapeTree>(n).fill(inShape), EMPTY, EMPTY],
    apply: (_p, _s, x) => [new Array<Value>(n).fill(x), EMPTY],
  };
}

function tensors(op: string, x: Value): readonly Tensor[] {
  if (isTensor(x) || !x.every(isTensor)) throw new ShapeError(op, 'expects a tuple of tensors; put parallel(...) or fanOut(n) before it');
  return x as readonly Tensor[];
}

/** Sums a tuple of same-shaped tensors: (x₁, …, xₙ) → Σ xᵢ. */
export const fanInSum: Layer = {
  init(_key, inShape) {
    if (isShape(inShape) || inShape.length === 0 || !inShape.every(isShape)) throw new ShapeError('fanInSum', `expects a tuple of shapes, got ${fmt(inShape)}`);
    const first = inShape[0] as readonly number[];
    for (const s of inShape)
      if (fmt(s) !== fmt(first)) throw new ShapeError('fanInSum', `branch shapes differ: ${fmt(inShape)}; make the branches agree (a 1×1 conv or padding shortcut)`);
    return [first, EMPTY, EMPTY];
  },
  apply(_p, _s, x) {
    const xs = tensors('fanInSum', x);
    return [xs.slice(1).reduce((a, b) => add(a, b), xs[0]!), EMPTY];
  },
};

/** Concatenates a tuple of tensors along `axis` (default 1, the channels of NCHW / features of [N, F]). */
export function fanInConcat(axis = 1): Layer {
  return {
    init(_key, inShape) {
      if (isShape(inShape) || !inShape.every(isShape) || inShape.length === 0) throw new ShapeError('fanInConcat', `expects a tuple of shapes, got ${fmt(inShape)}`);
      const shapes = inShape as readonly (readonly number[])[];
      const rank = shapes[0]!.length;
      const ax = axis < 0 ? axis + rank : axis;
      const out = [...shapes[0]!];
      out[ax] = shapes.reduce((n, s) => n + s[ax]!, 0);
      return [out, EMPTY, EMPTY];
    },
    apply: (_p, _s, x) => [concat(tensors('fanInConcat', x), axis), EMPTY],
  };
}

/**
 * A residual connection: y = post(main(x) + shortcut(x)), shortcut defaulting to the identity.
 * Params are `{ main, shortcut, post }` (empty ones left out), so a ResNet block reads
 * `layer1.0.main.conv1.w` and `layer2.0.shortcut.conv.w`.
 * @example residual(serial({ conv1, bn1, relu, conv2, bn2 }), undefined, { post: relu })
 */
export function residual(main: Layer, shortcut?: Layer, opts: { post?: Layer } = {}): Layer {
  const parts: Record<string, Layer> = { main };
  if (shortcut) parts.shortcut = shortcut;
  if (opts.post) parts.post = opts.post;
  const c = children('residual', [parts]);
  const iMain = 0, iSc = shortcut ? 1 : -1, iPost = opts.post ? c.layers.length - 1 : -1;
  return {
    init(key, inShape) {
      const keys = splitKey(key, c.layers.length);
      const [mOut, mp, ms] = main.init(keys[iMain]!, inShape);
      const [sOut, sp, ss] = shortcut ? shortcut.init(keys[iSc]!, inShape) : [inShape, EMPTY, EMPTY];
      if (fmt(mOut) !== fmt(sOut))
        throw new ShapeError('residual', `main gives ${fmt(mOut)} but the shortcut gives ${fmt(sOut)} for input ${fmt(inShape)}; give a shortcut that matches (a strided 1×1 conv, or padShortcut)`);
      const ps: Params[] = [mp], ss2: State[] = [ms];
      if (shortcut) (ps.push(sp), ss2.push(ss));
      let out = mOut;
      if (opts.post) {
        const [pOut, pp, pst] = opts.post.init(keys[iPost]!, mOut);
        out = pOut;
        ps.push(pp);
        ss2.push(pst);
      }
      return [out, collect(c, ps), collect(c, ss2)];
    },
    apply(params, state, x, ctx) {
      const keys = splitKey(ctx.key, c.layers.length);
      const [m, ms] = main.apply(pick(params, 'main'), pick(state, 'main'), x, withKey(ctx, keys[iMain]));
      const [s, ss] = shortcut ? shortcut.apply(pick(params, 'shortcut'), pick(state, 'shortcut'), x, withKey(ctx, keys[iSc])) : [x, EMPTY];
      const sum = fanInSum.apply(EMPTY, EMPTY, [m, s], ctx)[0];
      const states: State[] = [ms];
      if (shortcut) states.push(ss);
      let y = sum;
      if (opts.post) {
        const [py, ps] = opts.post.apply(pick(params, 'post'), pick(state, 'post'), sum, withKey(ctx, keys[iPost]));
        y = py;
        states.push(ps);
      }
      return [y, collect(c, states)];
    },
  };
}
