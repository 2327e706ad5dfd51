import { fullMask, nmMask, randomScores, topKMask } from '@ssam/masks';
import { abs, add, mul, random, scalar, sum, tree, type Tensor } from '@ssam/tensor';
import type { GradientTransformation, OptState, Params, Updates } from '../types.js';
import type { SamLawConfig } from './samLaws.js';

// A hand-written SSAM, independent of sam/core.ts, and wrong variants of it: each `Bug` is one
// mistake seen in the field or easy to make. The mutant suite (mutants.test.ts) proves that the
// kit's laws catch every one of them and pass the correct variant, which takes a float32 norm
// (`tree.norm(g).item()`), unlike the built-ins' float64-accumulated one.

export const BUGS = [
  'downhill', // ε = −ρ·g/‖g‖ (issue #17)
  'descend-from-perturbed', // new params = w + ε − η·g′: the base step taken from w + ε (issue #17)
  'g-prime-discarded', // pass 2 runs, its g′ is thrown away, the descent uses g (issue #17)
  'no-pass-2', // SGD in disguise: never calls gradFn
  'pass-2-twice', // calls gradFn twice per ascent step
  'pass-2-at-zero', // calls gradFn even when ε = 0 (ρ = 0, ‖g‖ = 0, an empty mask)
  'l1-norm', // ε = ρ·g/‖g‖₁
  'per-leaf-norm', // each leaf normalised by its own norm
  'masked-norm', // ε = ρ·m⊙g/‖m⊙g‖: the norm over the masked gradient
  'rho-squared', // ε = ρ²·g/‖g‖
  'mask-on-descent', // the descent uses m ⊙ g′
  'stale-mask', // ε uses the mask of the previous refresh; the state shows the new one
  'base-twice', // base.update(g) then base.update(g′): the base state advanced twice
  'decay-at-perturbed', // base.update(g′, state, w + ε): weight decay taken at w + ε
  'mask-of-twos', // a mask of 0s and 2s (‖ε‖ up to 2ρ)
  'refresh-off-schedule', // declared: refresh every 2 steps; refreshes every step
  'skipped-step-doubles', // every k: a skipped step descends with 2g (field notes #2)
  'nm-wrong-axis', // declared 2:4 along 'in'; groups along 'out' (with `nm`)
] as const;
export type Bug = (typeof BUGS)[number];

interface HandState {
  readonly count: Tensor;
  readonly base: OptState;
  readonly sparse: { readonly mask: Updates };
}

const mapTree = (f: (a: Tensor, b: Tensor) => Tensor, a: Updates, b: Updates): Updates => tree.zipMap(f, a, b);
const anyNonZero = (t: Updates) => (tree.leaves(t) as Tensor[]).some((x) => x.toArray().some((v) => v !== 0));

/** SSAM with a random top-k mask re-drawn every `interval` steps (key = the step); ascent every `cfg.every` steps. */
export function handSsam(cfg: SamLawConfig, bug?: Bug, { interval = 2, nm = false }: { readonly interval?: number; readonly nm?: boolean } = {}): GradientTransformation<HandState> {
  const { rho, base, sparsity } = cfg;
  const every = cfg.every ?? 1;
  return {
    init: (params) => ({ count: scalar(0, 'int32'), base: base.init(params), sparse: { mask: fullMask(params) } }),
    update(grads, state, params, extra) {
      if (!params || !extra?.gradFn) throw new Error('handSsam.update needs params and extra.gradFn');
      const gradFn = extra.gradFn;
      const step = state.count.item();
      const refresh = bug === 'refresh-off-schedule' || step % interval === 0;
      const scores = () => randomScores(random.key(step), params);
      const select = () => (nm ? nmMask(scores(), { n: 2, m: 4, axis: bug === 'nm-wrong-axis' ? 'out' : 'in' }) : topKMask(scores(), { sparsity }));
      let mask = refresh ? select() : state.sparse.mask;
      if (bug === 'mask-of-twos') mask = tree.scale(2, mask);
      const used = bug === 'stale-mask' ? state.sparse.mask : mask;
      const r = bug === 'rho-squared' ? rho * rho : rho;
      const masked = mapTree(mul, used, grads);
      const norm = (t: Updates) => (bug === 'l1-norm' ? (tree.leaves(t) as Tensor[]).reduce((a, x) => a + sum(abs(x)).item(), 0) : tree.norm(t).item());
      const gn = norm(bug === 'masked-norm' ? masked : grads);
      const sign = bug === 'downhill' ? -1 : 1;
      const eps: Updates =
        bug === 'per-leaf-norm'
          ? tree.map((x: Tensor) => {
              const n = tree.norm(x).item();
              return mul(x, n > 0 ? (sign * r) / n : 0);
            }, masked)
          : tree.scale(gn > 0 ? (sign * r) / gn : 0, masked);
      const ascends = step % every === 0 && r > 0 && gn > 0 && anyNonZero(eps);
      let g2 = grads;
      if (ascends && bug !== 'no-pass-2') {
        const at = tree.add(params, eps) as Params;
        g2 = gradFn(at);
        if (bug === 'pass-2-twice') g2 = gradFn(at);
        if (bug === 'g-prime-discarded') g2 = grads;
      } else if (!ascends && bug === 'pass-2-at-zero') g2 = gradFn(params);
      if (bug === 'skipped-step-doubles' && step % every !== 0) g2 = tree.scale(2, grads);
      if (bug === 'mask-on-descent') g2 = mapTree(mul, mask, g2);
      let baseState = state.base;
      if (bug === 'base-twice') baseState = base.update(grads, baseState, params, extra)[1];
      const at = bug === 'decay-at-perturbed' && ascends ? (tree.add(params, eps) as Params) : params;
      let [u, nextBase] = base.update(g2, baseState, at, extra);
      if (bug === 'descend-from-perturbed' && ascends) u = mapTree(add, u, eps);
      return [u, { count: scalar(step + 1, 'int32'), base: nextBase, sparse: { mask } }];
    },
  };
}
