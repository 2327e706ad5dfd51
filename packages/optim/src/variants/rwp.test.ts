import { mul, random, tensor, tree, type Key, type Tensor } from '@ssam/tensor';
import { describe, expect, it } from 'vitest';
import { keyFromTensor, keyToTensor } from '../sam/refresh.js';
import { sam } from '../sam/sam.js';
import { sgd } from '../sgd.js';
import { leaves64, recordRun, runTransformationContract, samLaws, smoothProblem } from '../testing/index.js';
import type { GradientTransformation, Params } from '../types.js';
import { filterScale, randomFilterNoise, rwp } from './rwp.js';
import { caught } from './caught.test-util.js';

// RWP (Li et al. 2022): ε_{l,j} ~ N(0, σ²‖W_{l,j}‖²) per filter j (rows along axis 0).

// Own law: on a weight whose rows have norms 10× apart, and a vector, the draws ε/(σ·‖W_j‖) are
// standard normal in EACH group of rows (mean within 5 standard errors, variance within 5·√(2/n)),
// and the noise is fresh at every step.
const rowsW = (): Tensor => tensor(Float32Array.from({ length: 200 * 40 }, (_, i) => (Math.floor(i / 40) < 100 ? 0.1 : 1) * Math.sin(1 + i)), [200, 40]);
function rwpLaw(make: (sigma: number) => GradientTransformation<any>): void {
  const sigma = 0.05;
  const w: Params = { fc: { w: rowsW() }, bias: tensor(Float32Array.from({ length: 4000 }, (_, i) => Math.cos(i))) };
  const p = smoothProblem(w, tree.map((x: Tensor) => tree.onesLike(x) as Tensor, w) as Params, tree.zerosLike(w) as Params);
  const rec = recordRun(make(sigma), p, 2, { twist: 0.2 });
  const epsOf = (t: number) => {
    const at = leaves64(rec[t]!.calls[0]!.at), w0 = leaves64(rec[t]!.w);
    return at.map((l, i) => l.map((v, j) => v - w0[i]![j]!));
  };
  rec.forEach((r) => expect(r.calls.length).toBe(1));
  const wOf = (t: number) => [0, 1].map((i) => leaves64(rec[t]!.w)[i]!);
  const [bias, fc] = wOf(0);
  const e = epsOf(0);
  const rowNorm = (r: number) => Math.hypot(...fc!.slice(r * 40, (r + 1) * 40));
  // the standard-normal draws behind ε at step t (the matrix leaf): fresh draws are uncorrelated
  const zOf = (t: number) => {
    const m = wOf(t)[1]!, et = epsOf(t)[1]!;
    return et.map((v, k) => v / (sigma * Math.hypot(...m.slice(Math.floor(k / 40) * 40, Math.floor(k / 40) * 40 + 40))));
  };
  const groups: [string, number[]][] = [
    ['the vector (leaf-wise)', e[0]!.map((v) => v / (sigma * Math.hypot(...bias!)))],
    ['rows with small norms', e[1]!.slice(0, 4000).map((v, k) => v / (sigma * rowNorm(Math.floor(k / 40))))],
    ['rows with large norms', e[1]!.slice(4000).map((v, k) => v / (sigma * rowNorm(100 + Math.floor(k / 40))))],
  ];
  for (const [name, z] of groups) {
    const n = z.length, mean = z.reduce((s, v) => s + v, 0) / n, vr = z.reduce((s, v) => s + (v - mean) ** 2, 0) / n;
    if (Math.abs(mean) > 5 / Math.sqrt(n) || Math.abs(vr - 1) > 5 * Math.sqrt(2 / n))
      throw new Error(`${name}: ε/(σ‖W_j‖) has mean ${mean} and variance ${vr}; the definition gives N(0, 1)`);
  }
  const z0 = zOf(0), z1 = zOf(1);
  const corr = z0.reduce((s, v, i) => s + v * z1[i]!, 0) / Math.sqrt(z0.reduce((s, v) => s + v * v, 0) * z1.reduce((s, v) => s + v * v, 0));
  if (Math.abs(corr) > 5 / Math.sqrt(z0.length)) throw new Error(`the draws of steps 0 and 1 have correlation ${corr}; the definition gives a fresh (independent) draw each step`);
}

const base = () => sgd({ lr: 0.05, momentum: 0.9, weightDecay: 0.01 });
/** A wrong RWP stage: `scale` gives the per-entry std; `fixed` reuses one key. */
const wrongNoise = (sigma: number, scale: (w: Tensor, sigma: number) => Tensor, fixed = false): GradientTransformation<{ key: Tensor }> => {
  const good = randomFilterNoise({ sigma });
  return {
    init: good.init,
    update(g, s, params) {
      const ws = tree.leaves(params!) as Tensor[];
      const [next, k] = random.split(keyFromTensor(s.key), 2) as [Key, Key];
      const ks = random.split(fixed ? random.key(3) : k, ws.length) as Key[];
      return [tree.unflatten(tree.flatten(g)[1], ws.map((w, i) => mul(random.normal(ks[i]!, w.shape), scale(w, sigma)))), { key: keyToTensor(next) }];
    },
  };
};
const leafWise = (w: Tensor, sigma: number) => tensor(filterScale(tensor(w.toArray(), [w.size]), sigma).toArray(), w.shape);
const mutants: Record<string, (sigma: number) => GradientTransformation<any>> = {
  'leaf-wise std on matrices': (sigma) => sam({ ascent: wrongNoise(sigma, leafWise), base: base() }),
  'σ²·‖W_j‖ as the std (variance and std confused)': (sigma) => sam({ ascent: wrongNoise(sigma, (w, s) => filterScale(w, s * s)), base: base() }),
  'the same noise every step': (sigma) => sam({ ascent: wrongNoise(sigma, filterScale, true), base: base() }),
};

describe('rwp: its own law (the noise is filter-wise N(0, σ²‖W_j‖²), fresh each step)', () => {
  it('ε/(σ‖W_j‖) is N(0, 1) per group of filters, and fresh each step', () => rwpLaw((sigma) => rwp({ sigma, base: base() })));
  for (const [name, make] of Object.entries(mutants)) it(`catches the mutant '${name}'`, () => expect(caught(() => rwpLaw(make))).toMatch(/the definition gives/));
  it('refuses a negative σ, naming rwp', () => expect(() => rwp({ sigma: -1, base: base() })).toThrow(/rwp.*sigma/));
});

// The kit: only the laws that do not presume ε = ρ·g/‖g‖ apply: 'descent' and 'rho-zero' (σ = 0
// is the base). 'ascent' and 'norm' do not (ε is random and unbounded), nor 'pass-never' (ε ≠ 0
// even when g = 0), nor 'pass-once': RWP ascends when ‖w‖ > 0, not when ‖g‖ > 0 (the kit's first
// failing draw: w ≈ 1e-18, so ε underflowed to 0 and pass 2 was rightly skipped). The own law
// checks one pass per step.
describe('rwp: SAM laws (σ in the place of ρ)', () => {
  for (const l of samLaws(({ rho, base: b }) => rwp({ sigma: rho / 10, base: b })).filter((x) => ['descent', 'rho-zero'].includes(x.id))) it(l.name, () => l.check());
});
runTransformationContract('rwp', () => rwp({ sigma: 0.01, base: sgd({ lr: 0.1 }) }));
