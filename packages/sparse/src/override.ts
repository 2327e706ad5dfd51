import { ArgumentError, conv2dBackInput, mul, tree, zeros, type ConvAttrs, type Tensor, type Tree } from '@ssam/tensor';
import { valueAndGrad, vjpRules, type GradOptions, type OverrideNode, type RuleNode, type VjpOverride } from '@ssam/autograd';
import { compressNM, compressView, type CompressOptions, type NMCompressed } from './compress.js';

import { nmConv2dBackInput } from './conv.js';
import { nmMatmulT } from './kernels.js';
import { nmConv2dBackInputWasm, nmMatmulTWasm, wasmAvailable } from './wasm.js';

/*
 * SSAM's implicit sparse perturbation for an UNCHANGED model (Mi et al., TPAMI 2025). Every use of
 * a masked parameter W as the weight of a matmul or conv2d back-propagates
 *   ∂L/∂W = dense (the usual rule),   ∂L/∂(its input) = through W ⊙ M,
 * so the model's code, its forward pass and every weight gradient rule stay as they are; only
 * the activation gradients that flow below a masked layer change. N:M leaves use the compressed
 * kernels (the masked work is skipped); other masks multiply W ⊙ M densely (same numbers, no
 * speed-up); all-ones leaves keep the built-in rule (bit-identical to the dense gradient).
 */

export interface ImplicitMaskOptions {
  /** The N:M pattern of the mask's leaves: leaves that satisfy it run the compressed kernels. */
  readonly pattern?: CompressOptions;
  /** 'wasm' (SIMD; default when dist/ssam-sparse.wasm loads) or 'ts' (float64 sums). */
  readonly kernel?: 'wasm' | 'ts';
}

/** How one mask leaf changes the backward pass. */
type Kind = 'dense' | 'zero' | 'nm' | 'masked';

export interface ImplicitOverride {
  /** Pass as `valueAndGrad(f, { override })`; the mask's leaves pair with f's argument leaves in order. */
  readonly override: VjpOverride;
  /**
   * Throws if a masked parameter took part in the backward pass but never as the weight of a
   * matmul or conv2d (a model that transposes or reshapes its weight first): its input
   * gradients would silently stay dense. Call after the differentiation.
   */
  check(): void;
  /** How many matmul/conv2d input gradients went through the compressed kernels / a dense W ⊙ M. */
  readonly counts: { sparse: number; masked: number };
}

const kinds = new WeakMap<Tensor, Map<string, Kind>>();

function kindOf(m: Tensor, pattern: CompressOptions | undefined): Kind {
  const key = pattern ? `${pattern.n}:${pattern.m}:${pattern.axis ?? 'in'}` : '-';
  const hit = kinds.get(m)?.get(key);
  if (hit) return hit;
  const v = m.toArray();
  let ones = 0;
  for (let i = 0; i < v.length; i++) {
    const x = v[i]!;
    if (x === 1) ones++;
    else if (x !== 0) throw new ArgumentError('implicitOverride', `mask leaves must be 0/1; found ${x} in a leaf of shape [${m.shape.join(', ')}]`);
  }
  // Vectors (biases, BatchNorm γ/β) carry no input gradient of their own: their masks change nothing here.
  let kind: Kind = ones === v.length || m.rank < 2 ? 'dense' : ones === 0 ? 'zero' : 'masked';
  if (kind === 'masked' && pattern && (m.rank === 2 || m.rank === 4)) {
    try {
      compressView(m, m, pattern); // validates (and caches) the N:M pattern of this mask tensor, no gather
      kind = 'nm';
    } catch {
      kind = 'masked';
    }
  }
  if (!kinds.has(m)) kinds.set(m, new Map());
  kinds.get(m)!.set(key, kind);
  return kind;
}

const convOpts = (a: ConvAttrs) => ({ stride: a.stride, padding: a.padding, dilation: a.dilation, groups: a.groups });

/**
 * Builds the rule override of the implicit sparse perturbation for one differentiation. `mask` is
 * a 0/1 tree shaped like the differentiated argument (the params).
 * @example
 * const imp = implicitOverride(mask, { pattern: { n: 2, m: 4, axis: 'in' } });
 * const [loss, g] = valueAndGrad((p) => lossOf(model.apply(p, x)), { override: imp.override })(params);
 * imp.check();
 */
export function implicitOverride(mask: Tree<Tensor>, options: ImplicitMaskOptions = {}): ImplicitOverride {
  const masks = tree.leaves(mask) as Tensor[];
  const pattern = options.pattern;
  const wasm = (options.kernel ?? (wasmAvailable() ? 'wasm' : 'ts')) === 'wasm';
  const kind = masks.map((m) => kindOf(m, pattern));
  const asWeight = new Set<number>();
  const elsewhere = new Set<number>();
  const counts = { sparse: 0, masked: 0 };
  const maskedLeaf = (node: OverrideNode, t: Tensor): number | undefined => {
    const i = node.leafIndex(t);
    if (i === undefined) return undefined;
    if (node.leafCount !== masks.length)
      throw new ArgumentError('implicitOverride', `the mask has ${masks.length} leaves but the differentiated argument has ${node.leafCount}; build the mask from the same params (one 0/1 tensor per parameter tensor, same structure)`);
    if (i >= masks.length || masks[i]!.shape.join() !== t.shape.join())
      throw new ArgumentError('implicitOverride', `the mask does not match the differentiated parameters: leaf ${i} has shape [${t.shape.join(', ')}], the mask's is ${i < masks.length ? `[${masks[i]!.shape.join(', ')}]` : 'missing'}; build the mask from the same params`);
    return kind[i] === 'dense' ? undefined : i;
  };
  const seenCount = { leaves: -1 };
  // the wasm kernels read the dense weight (no per-pass gather); the TypeScript ones its values
  const compressed = (i: number, w: Tensor): NMCompressed => (wasm ? compressView : compressNM)(w, masks[i]!, pattern!);
  const substituted = (i: number | undefined, t: Tensor): Tensor => (i === undefined ? t : kind[i] === 'zero' ? zeros(t.shape) : mul(t, masks[i]!));

  const override: VjpOverride = (g, node, needs) => {
    if (node.prim === 'matmul') {
      const n = node as OverrideNode<'matmul'>;
      const [a, b] = n.inputs as [Tensor, Tensor];
      const ia = maskedLeaf(n, a), ib = maskedLeaf(n, b);
      if (ia === undefined && ib === undefined) return undefined;
      if (ia !== undefined) asWeight.add(ia);
      if (ib !== undefined) asWeight.add(ib);
      const rule = (inputs: [Tensor, Tensor], which: 0 | 1) =>
        vjpRules.matmul(g, { ...n, inputs } as RuleNode<'matmul'>, [which === 0, which === 1])[which]!;
      let ga: Tensor | null = null;
      if (needs[0]) {
        const { transposeA, transposeB } = n.attrs;
        if (ib !== undefined && kind[ib] === 'nm' && ia === undefined && transposeB && !transposeA && b.rank === 2) {
          // the dense layer y = x·Wᵀ: dx = g·(W ⊙ M) on the compressed weight
          const c = compressed(ib, b);
          ga = wasm ? nmMatmulTWasm(g, c) : nmMatmulT(g, c);
          counts.sparse++;
        } else {
          ga = rule([a, substituted(ib, b)], 0);
          if (ib !== undefined) counts.masked++;
        }
      }
      const gb = needs[1] ? rule([substituted(ia, a), b], 1) : null;
      if (needs[1] && ia !== undefined) counts.masked++;
      return [ga, gb];
    }
    if (node.prim === 'conv2d') {
      const n = node as OverrideNode<'conv2d'>;
      const [x, w] = n.inputs as [Tensor, Tensor];
      const iw = maskedLeaf(n, w);
      if (iw === undefined) return undefined;
      asWeight.add(iw);
      const gw = needs[1] ? vjpRules.conv2d(g, n, [false, true])[1]! : null;
      let gx: Tensor | null = null;
      if (needs[0]) {
        const o = convOpts(n.attrs);
        if (kind[iw] === 'nm') {
          const c = compressed(iw, w);
          gx = wasm ? nmConv2dBackInputWasm(g, c, x.shape, o) : nmConv2dBackInput(g, c, x.shape, o);
          counts.sparse++;
        } else {
          gx = conv2dBackInput(g, substituted(iw, w), x.shape, o);
          counts.masked++;
        }
      }
      return [gx, gw];
    }
    seenCount.leaves = node.leafCount;
    for (const t of node.inputs) {
      const i = node.leafIndex(t);
      if (i !== undefined && i < kind.length && kind[i] !== 'dense') elsewhere.add(i);
    }
    return undefined;
  };

  return {
    override,
    counts,
    check() {
      if (seenCount.leaves >= 0 && seenCount.leaves !== masks.length)
        throw new ArgumentError('implicitOverride', `the mask has ${masks.length} leaves but the differentiated argument has ${seenCount.leaves}; build the mask from the same params`);
      const bad = [...elsewhere].filter((i) => !asWeight.has(i));
      if (bad.length)
        throw new ArgumentError(
          'implicitOverride',
          `masked parameter leaves ${bad.map((i) => `'${tree.paths(mask)[i]!.join('.')}' [${masks[i]!.shape.join(', ')}]`).join(', ')} took part in the backward pass but never as the weight of a matmul or conv2d ` +
            `(e.g. the model transposes or reshapes them first), so their input gradients were NOT masked. Use them directly as matmul/conv2d weights, or give them an all-ones mask (exclude them from the selection)`,
        );
    },
  };
}

/**
 * `valueAndGrad` of `f` with SSAM's implicit sparse perturbation: the value and every weight
 * gradient rule are the usual ones; input gradients flow through W ⊙ M for every masked weight.
 * @example
 * const [loss, g] = implicitValueAndGrad((p) => lossOf(p), mask, { pattern: { n: 2, m: 4 } })(params);
 */
export function implicitValueAndGrad<X>(f: (x: X) => Tensor, mask: Tree<Tensor>, options?: ImplicitMaskOptions & { readonly hasAux?: false }): (x: X) => [Tensor, X];
export function implicitValueAndGrad<X, A>(f: (x: X) => readonly [Tensor, A], mask: Tree<Tensor>, options: ImplicitMaskOptions & { readonly hasAux: true }): (x: X) => [[Tensor, A], X];
export function implicitValueAndGrad<X>(f: (x: X) => unknown, mask: Tree<Tensor>, options: ImplicitMaskOptions & GradOptions = {}): (x: X) => unknown {
  return (x: X) => {
    if (!tree.structureEqual(mask as Tree<unknown>, x as Tree<unknown>))
      throw new ArgumentError('implicitValueAndGrad', 'mask must have the structure of the differentiated argument (one 0/1 tensor per parameter tensor)');
    const imp = implicitOverride(mask, options);
    const out = options.hasAux
      ? valueAndGrad(f as (x: X) => readonly [Tensor, unknown], { hasAux: true, override: imp.override })(x)
      : valueAndGrad(f as (x: X) => Tensor, { override: imp.override })(x);
    imp.check();
    return out;
  };
}
