import { vjp, vjpRules, type VjpRule } from '@ssam/autograd';
import { add, apply, div, matmul, mul, neg, reshape, square, sum, transpose, onesLike, tree, zerosLike, type PrimAttrs, type PrimName, type Tensor, type Tree } from '@ssam/tensor';
import { pushTracer, popTracer, type Tracer } from '@ssam/tensor/trace';

// The batched exact Fisher. One forward of the whole batch is recorded (every primitive, through
// @ssam/tensor's tracer hook); the ops where a parameter-only value q meets batch data ("uses":
// a dense matmul, a conv2d filter, a bias add, a BN scale mul) are marked, and ONE reverse walk
// of the recorded ops (autograd's vjpRules) from Σ_i ℓ_i gives every use's output cotangent dy.
// Examples do not interact (eval mode), so row i of dy is ∂ℓ_i/∂y_i, and each use's per-example
// gradient follows in closed form from (input_i, dy_i): dense dy_iᵀ·x_i, conv the per-example
// filter gradient (one grouped conv2dBackFilter over all N examples), bias Σ_pos dy_i, scale
// Σ_pos dy_i ⊙ x_i. Those [N, ...q] gradients are pulled back to the parameter leaves (batched
// through reshape/transpose/scaling by constants; otherwise one small pullback per example of the
// parameter-only subgraph), summed over uses, squared and summed over N.

interface Rec { readonly prim: PrimName; readonly inputs: readonly Tensor[]; readonly attrs: PrimAttrs[PrimName]; readonly out: Tensor }

class Recorder implements Tracer {
  readonly recs: Rec[] = [];
  record<P extends PrimName>(prim: P, inputs: readonly Tensor[], attrs: PrimAttrs[P], out: Tensor): void {
    this.recs.push({ prim, inputs, attrs, out });
  }
}

/** Sums of squared per-example gradients per param leaf; `fallback`: leaves whose uses the closed forms do not cover. */
export interface BatchedSquares { readonly sums: (Tensor | null)[]; readonly fallback: ReadonlySet<number> }

/** Sums a cotangent of a broadcast shape back to `shape` (as autograd's driver does after every rule). */
function unbroadcast(g: Tensor, shape: readonly number[]): Tensor {
  const lead = g.rank - shape.length;
  if (lead === 0 && shape.every((d, i) => d === g.shape[i])) return g;
  const axes: number[] = [];
  for (let i = 0; i < lead; i++) axes.push(i);
  shape.forEach((d, i) => d === 1 && g.shape[i + lead] !== 1 && axes.push(i + lead));
  return reshape(axes.length ? sum(g, { axes }) : g, shape);
}

/** Sums G [N, ...s] down to [N, ...t] where s is the NumPy broadcast of t (null: t cannot be per-example). */
function sumTo(g: Tensor, t: readonly number[]): Tensor | null {
  const s = g.shape.slice(1);
  // t may span the batch axis of y with a size-1 axis ([1, C, 1, 1] against [N, C, H, W]).
  let lead = 0;
  while (t.length - lead > s.length && t[lead] === 1) lead++;
  if (t.length - lead > s.length) return null;
  const tp = [...Array<number>(s.length - t.length + lead).fill(1), ...t.slice(lead)];
  const axes = s.map((d, j) => (tp[j] === 1 && d !== 1 ? j + 1 : -1)).filter((a) => a >= 0);
  return reshape(axes.length ? sum(g, { axes, keepdims: true }) : g, [g.shape[0]!, ...t]);
}

/** The cotangent of input `i` of y = x + a·b·value (x: i = 0; a, b: the other factor times value), not yet summed to its shape. */
function addcmulGrad(r: Rec, i: number, g: Tensor): Tensor {
  if (i === 0) return g;
  const value = (r.attrs as PrimAttrs['addcmul']).value;
  const t = mul(g, r.inputs[3 - i]!);
  return value === 1 ? t : mul(t, value);
}

/** Per-example gradients [N, ...q.shape] of the use `r` w.r.t. its parameter-only input `qi`, or null if not covered. */
function useGrad(r: Rec, qi: number, dy: Tensor, n: number): Tensor | null {
  const q = r.inputs[qi]!, other = r.inputs.length === 2 ? r.inputs[1 - qi] : undefined;
  const y = r.out;
  if (y.rank === 0 || y.shape[0] !== n) return null;
  switch (r.prim) {
    case 'add': return sumTo(dy, q.shape);
    case 'sub': return sumTo(qi === 0 ? dy : neg(dy), q.shape);
    case 'mul': return sumTo(mul(dy, other!), q.shape);
    case 'div': return sumTo(qi === 0 ? div(dy, other!) : neg(div(mul(dy, y), q)), q.shape);
    case 'addcmul': return sumTo(addcmulGrad(r, qi, dy), q.shape);
    case 'matmul': {
      const { transposeA, transposeB } = r.attrs as PrimAttrs['matmul'];
      const a = other!;
      if (qi !== 1 || transposeA || q.rank !== 2 || a.rank < 2 || a.shape[0] !== n) return null;
      const inF = a.shape[a.rank - 1]!, outF = y.shape[y.rank - 1]!;
      const a3 = reshape(a, [n, a.size / (n * inF), inF]), d3 = reshape(dy, [n, dy.size / (n * outF), outF]);
      return transposeB ? matmul(d3, a3, { transposeA: true }) : matmul(a3, d3, { transposeA: true });
    }
    case 'conv2d': {
      const at = r.attrs as PrimAttrs['conv2d'];
      const x = other!;
      if (qi !== 1 || x.rank !== 4 || x.shape[0] !== n) return null;
      const [, c, h, w] = x.shape as [number, number, number, number];
      const [o, ci, kh, kw] = q.shape as [number, number, number, number];
      const [, , ho, wo] = dy.shape as [number, number, number, number];
      const g = apply('conv2dBackFilter', [reshape(x, [1, n * c, h, w]), reshape(dy, [1, n * o, ho, wo])], { ...at, groups: n * at.groups, filterShape: [n * o, ci, kh, kw] });
      return reshape(g, [n, o, ci, kh, kw]);
    }
    default: return null;
  }
}

/**
 * The dense fast path, without materialising [N, out, in]: Σ_i (dy_i ⊗ x_i)² = (dy ⊙ dy)ᵀ (x ⊙ x),
 * for a matmul of x [N, in] by a weight that reaches it from ONE leaf used once, through
 * reshapes/transposes only (these permute entries, so they commute with squaring and summing).
 */
function denseSquares(r: Rec, qi: number, dy: Tensor, n: number, producer: Map<Tensor, Rec>, leafIx: Map<Tensor, number>, useCount: number[]): [number, Tensor] | null {
  const a = r.inputs[0]!, q = r.inputs[1]!;
  const at = r.attrs as PrimAttrs['matmul'];
  if (r.prim !== 'matmul' || qi !== 1 || at.transposeA || a.rank !== 2 || q.rank !== 2 || a.shape[0] !== n) return null;
  const path: Rec[] = [];
  let t = q;
  while (!leafIx.has(t)) {
    const pr = producer.get(t);
    if (pr === undefined || (pr.prim !== 'reshape' && pr.prim !== 'transpose')) return null;
    path.push(pr);
    t = pr.inputs[0]!;
  }
  const j = leafIx.get(t)!;
  if (useCount[j] !== 1) return null;
  const a2 = square(a), d2 = square(dy);
  let s = at.transposeB ? matmul(d2, a2, { transposeA: true }) : matmul(a2, d2, { transposeA: true });
  for (const pr of path) {
    const perm = pr.prim === 'transpose' ? (pr.attrs as PrimAttrs['transpose']).perm : null;
    s = perm ? transpose(s, perm.map((_, k) => perm.indexOf(k))) : reshape(s, pr.inputs[0]!.shape);
  }
  return [j, s];
}

/** Pulls per-example gradients of a parameter-only tensor back one linear op (batched), or null. */
function stepBack(r: Rec, g: Tensor, isP: (t: Tensor) => boolean): [Tensor, Tensor] | null {
  const pIn = r.inputs.filter(isP);
  if (pIn.length !== 1) return null;
  const p = pIn[0]!, pi = r.inputs.indexOf(p), other = r.inputs.length === 2 ? r.inputs[1 - pi] : undefined;
  const n = g.shape[0]!;
  let gp: Tensor | null;
  switch (r.prim) {
    case 'reshape': gp = reshape(g, [n, ...p.shape]); break;
    case 'transpose': {
      const perm = (r.attrs as PrimAttrs['transpose']).perm;
      const inv = perm.map((_, j) => perm.indexOf(j));
      gp = transpose(g, [0, ...inv.map((j) => j + 1)]);
      break;
    }
    case 'neg': gp = neg(g); break;
    case 'broadcastTo': case 'add': gp = sumTo(g, p.shape); break;
    case 'sub': gp = sumTo(pi === 0 ? g : neg(g), p.shape); break;
    case 'mul': gp = sumTo(mul(g, other!), p.shape); break;
    case 'div': gp = pi === 0 ? sumTo(div(g, other!), p.shape) : null; break;
    case 'addcmul': gp = sumTo(addcmulGrad(r, pi, g), p.shape); break;
    default: gp = null;
  }
  return gp === null ? null : [p, gp];
}

/**
 * Σ_i (∇ℓ_i)² per param leaf for one batch of n examples, from one recorded forward and one
 * backward. `lossesOf(params, batch, n)` applies the model to the params whose leaves are pLeaves.
 */
export function batchedSquares(lossesOf: (batch: Tree, n: number) => Tensor, pLeaves: readonly Tensor[], batch: Tree, n: number): BatchedSquares {
  const rec = new Recorder();
  pushTracer(rec);
  let loss: Tensor;
  try {
    loss = lossesOf(batch, n);
  } finally {
    popTracer(rec);
  }
  // Classify: P = computed from parameters only (and constants); B = depends on the batch.
  const batchLeaves = tree.leaves(batch) as Tensor[];
  const leafIx = new Map(pLeaves.map((l, j) => [l, j] as const));
  const pDeps = new Map<Tensor, Set<number>>(pLeaves.map((l, j) => [l, new Set([j])]));
  const producer = new Map<Tensor, Rec>();
  const uses: { r: Rec; qi: number }[] = [];
  const boundary = new Set<Rec>();
  const batchT = new Set<Tensor>(batchLeaves);
  for (const r of rec.recs) {
    const pIns = r.inputs.map((t, i) => (pDeps.has(t) ? i : -1)).filter((i) => i >= 0);
    const fromBatch = r.inputs.some((t) => batchT.has(t));
    producer.set(r.out, r);
    if (!fromBatch) {
      if (pIns.length === 0) continue;
      const deps = new Set<number>();
      pIns.forEach((i) => pDeps.get(r.inputs[i]!)!.forEach((d) => deps.add(d)));
      pDeps.set(r.out, deps);
      continue;
    }
    batchT.add(r.out);
    if (pIns.length > 0) {
      boundary.add(r);
      pIns.forEach((qi) => uses.push({ r, qi }));
    }
  }
  // One reverse walk over the recorded forward with autograd's own rules, from the cotangent
  // ones [N] of Σ_i ℓ_i, keeping each use's output cotangent dy. Only batch-derived values get
  // cotangents (parameters are constants here), so this is cheaper than a full backward.
  const dyOf = new Map<Rec, Tensor>();
  const acc = new Map<Tensor, Tensor>([[loss, onesLike(loss)]]);
  for (let k = rec.recs.length - 1; k >= 0; k--) {
    const r = rec.recs[k]!;
    const g = acc.get(r.out);
    if (g === undefined) continue;
    acc.delete(r.out);
    if (boundary.has(r)) dyOf.set(r, g);
    const needs = r.inputs.map((t) => batchT.has(t) && producer.has(t) && t.dtype === 'float32');
    if (!needs.some(Boolean)) continue;
    const ins = (vjpRules[r.prim] as VjpRule<PrimName>)(g, r as never, needs);
    r.inputs.forEach((t, i) => {
      const gi = ins[i];
      if (!needs[i] || gi === null || gi === undefined) return;
      const u = unbroadcast(gi, t.shape);
      const prev = acc.get(t);
      acc.set(t, prev === undefined ? u : add(prev, u));
    });
  }
  // A use whose output does not reach the loss has dy = 0.
  const dys = new Map([...boundary].map((r) => [r, dyOf.get(r) ?? zerosLike(r.out)] as const));

  const perEx: (Tensor | null)[] = pLeaves.map(() => null);
  const fallback = new Set<number>();
  const accumulate = (j: number, g: Tensor) => void (perEx[j] = perEx[j] === null ? g : add(perEx[j]!, g));
  const direct: (Tensor | null)[] = pLeaves.map(() => null);
  const useCount = pLeaves.map(() => 0);
  uses.forEach(({ r, qi }) => pDeps.get(r.inputs[qi]!)!.forEach((j) => useCount[j]!++));
  for (const { r, qi } of uses) {
    const q = r.inputs[qi]!;
    const dy = dys.get(r)!;
    const fast = denseSquares(r, qi, dy, n, producer, leafIx, useCount);
    if (fast !== null) {
      direct[fast[0]] = fast[1];
      continue;
    }
    let g = useGrad(r, qi, dy, n);
    if (g === null) {
      pDeps.get(q)!.forEach((j) => fallback.add(j));
      continue;
    }
    let t = q;
    while (!leafIx.has(t)) {
      const step = stepBack(producer.get(t)!, g, (x) => pDeps.has(x));
      if (step === null) break;
      [t, g] = step;
    }
    if (leafIx.has(t)) {
      accumulate(leafIx.get(t)!, g);
      continue;
    }
    // General parameter-only subgraph: one small pullback per example.
    const deps = [...pDeps.get(t)!];
    const sub = (ps: Tensor[]): Tensor => {
      const env = new Map<Tensor, Tensor>(deps.map((j, k) => [pLeaves[j]!, ps[k]!]));
      for (const pr of rec.recs) {
        if (!pDeps.has(pr.out) || !pr.inputs.some((x) => env.has(x))) continue;
        env.set(pr.out, apply(pr.prim, pr.inputs.map((x) => env.get(x) ?? x), pr.attrs as never));
      }
      return env.get(t)!;
    };
    const [, pull] = vjp(sub as (p: Tree) => Tensor, deps.map((j) => pLeaves[j]!) as Tree);
    const rows = deps.map(() => [] as Tensor[]);
    for (let i = 0; i < n; i++) {
      const gi = reshape(apply('slice', [g], { start: [i, ...t.shape.map(() => 0)], step: g.shape.map(() => 1), shape: [1, ...t.shape] }), t.shape);
      (pull(gi) as Tensor[]).forEach((c, k) => rows[k]!.push(reshape(c, [1, ...c.shape])));
    }
    deps.forEach((j, k) => accumulate(j, apply('concat', rows[k]!, { axis: 0 })));
  }
  const sums = perEx.map((g, j) => (fallback.has(j) ? null : direct[j] ?? (g === null ? null : sum(square(g), { axes: [0] }))));
  return { sums, fallback };
}
