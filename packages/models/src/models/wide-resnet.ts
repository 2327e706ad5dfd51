import { ArgumentError, add, relu as reluT, type Key, type Tensor } from '@ssam/tensor';
import { serial, splitKey } from '../combinators.js';
import { kaimingNormal, zeros, type Initializer } from '../init.js';
import { EMPTY, type Layer, type Params, type State } from '../layer.js';
import { relu } from '../layers/activations.js';
import { batchNorm } from '../layers/batchnorm.js';
import { conv2d } from '../layers/conv.js';
import { dense } from '../layers/dense.js';
import { dropout } from '../layers/dropout.js';
import { globalAvgPool } from '../layers/pooling.js';

type P = Record<string, Params>;

/**
 * Pre-activation wide basic block (Zagoruyko & Komodakis 2016, as in the SSAM / xternalz code):
 * a = relu(bn1(x)); out = conv2(dropout(relu(bn2(conv1(a))))); y = out + (x if the shape is kept,
 * else convShortcut(a)) — note the projection sees the activated input.
 * - input `[N, inPlanes, H, W]`, output `[N, outPlanes, H / stride, W / stride]`
 * - params `{ bn1, conv1, bn2, conv2, shortcut? }`, state `{ bn1, bn2 }`
 */
export function wideBasicBlock(inPlanes: number, outPlanes: number, opts: { stride: number; dropRate?: number; convInit?: Initializer }): Layer {
  const ci = { bias: false, ...(opts.convInit ? { wInit: opts.convInit } : {}) };
  const equal = inPlanes === outPlanes && opts.stride === 1;
  const parts = {
    bn1: batchNorm(),
    conv1: conv2d(outPlanes, 3, { stride: opts.stride, padding: 1, ...ci }),
    bn2: batchNorm(),
    conv2: conv2d(outPlanes, 3, { padding: 1, ...ci }),
    ...(equal ? {} : { shortcut: conv2d(outPlanes, 1, { stride: opts.stride, ...ci }) }),
  };
  const drop = dropout(opts.dropRate ?? 0);
  const names = Object.keys(parts) as (keyof typeof parts)[];
  return {
    init(key, inShape) {
      const keys = splitKey(key, names.length) as Key[];
      const params: P = {}, state: P = {};
      const run = (name: keyof typeof parts, i: number, shape: typeof inShape) => {
        const [out, p, s] = (parts[name] as Layer).init(keys[i]!, shape);
        params[name] = p;
        if (name.startsWith('bn')) state[name] = s;
        return out;
      };
      const a = run('bn1', 0, inShape);
      const h = run('conv2', 3, run('bn2', 2, run('conv1', 1, a)));
      if (!equal) run('shortcut', 4, a);
      return [h, params, state];
    },
    apply(params, state, x, ctx) {
      const p = params as P, s = state as P;
      const call = (name: keyof typeof parts, v: typeof x) => (parts[name] as Layer).apply(p[name] ?? EMPTY, s[name] ?? EMPTY, v, ctx);
      const [b1, s1] = call('bn1', x);
      const a = reluT(b1 as Tensor);
      const [c1] = call('conv1', a);
      const [b2, s2] = call('bn2', c1);
      const [d] = drop.apply(EMPTY, EMPTY, reluT(b2 as Tensor), ctx);
      const [out] = call('conv2', d);
      const res = equal ? x : call('shortcut', a)[0];
      return [add(res as Tensor, out as Tensor), { bn1: s1, bn2: s2 } as State];
    },
  };
}

export interface WideResNetOptions {
  /** 6n + 4: 16, 22, 28, 34, 40. */
  readonly depth: number;
  /** Widening factor k (stages of 16k, 32k, 64k planes). */
  readonly width: number;
  readonly numClasses?: number;
  /** Dropout between the convs of each block (default 0, as the SSAM runs). */
  readonly dropRate?: number;
}

/**
 * Wide residual network WRN-depth-width (Zagoruyko & Komodakis 2016) as in the SSAM code
 * (`models/wideresnet.py`, after xternalz/WideResNet-pytorch): conv 3×3 → 16, three stages of
 * n = (depth − 4)/6 pre-activation blocks, final BN + ReLU, global average pool, linear. Convs get
 * N(0, 2/(k²·out)) (kaiming_normal_, fan_out), the linear bias 0.
 * WRN-28-10: 36,479,194 params, WRN-16-8: 10,961,370 (10 classes).
 * Input `[N, 3, 32, 32]` → `[N, numClasses]`; params `{ conv1, block1..3: [block, ...], bn, fc }`.
 */
export function wideResNet(opts: WideResNetOptions): Layer {
  const { depth, width } = opts;
  if (!Number.isInteger(depth) || depth < 10 || (depth - 4) % 6 !== 0) throw new ArgumentError('wideResNet', `depth must be 6n + 4 with n ≥ 1 (16, 22, 28, 40), got ${depth}`);
  if (!Number.isInteger(width) || width < 1) throw new ArgumentError('wideResNet', `width must be a positive integer, got ${width}`);
  const n = (depth - 4) / 6;
  const convInit = kaimingNormal({ mode: 'fanOut' });
  const ch = [16, 16 * width, 32 * width, 64 * width];
  const parts: Record<string, Layer> = { conv1: conv2d(16, 3, { padding: 1, bias: false, wInit: convInit }) };
  for (let stage = 0; stage < 3; stage++) {
    const blocks: Layer[] = [];
    for (let j = 0; j < n; j++)
      blocks.push(wideBasicBlock(j === 0 ? ch[stage]! : ch[stage + 1]!, ch[stage + 1]!, { stride: j === 0 && stage > 0 ? 2 : 1, dropRate: opts.dropRate ?? 0, convInit }));
    parts[`block${stage + 1}`] = serial(...blocks);
  }
  parts.bn = batchNorm();
  parts.relu = relu;
  parts.pool = globalAvgPool;
  parts.fc = dense(opts.numClasses ?? 10, { bInit: zeros });
  return serial(parts);
}
