import { ArgumentError, full, random, type Key, type Tensor } from '@ssam/tensor';
import type { Shape } from './layer.js';

/**
 * Parameter initialisers. Each is `(key, shape, fans) → Tensor`; `fans` are PyTorch's
 * `_calculate_fan_in_and_fan_out`: a dense weight [out, in] has fanIn = in and fanOut = out, a conv
 * filter [O, I, kH, kW] has fanIn = I·kH·kW and fanOut = O·kH·kW. A bias gets the fans of its weight.
 * @example
 * import { initializers, conv2d } from '@ssam/models';
 * const conv = conv2d(64, 3, { wInit: initializers.kaimingNormal({ mode: 'fanOut' }) });
 */
export interface Fans {
  readonly fanIn: number;
  readonly fanOut: number;
}
export type Initializer = (key: Key, shape: Shape, fans: Fans) => Tensor;

/** Fans of a weight of `shape` ([out, in] or [O, I, kH, kW, ...]), as PyTorch computes them. */
export function fansOf(shape: Shape): Fans {
  if (shape.length < 2) return { fanIn: shape[0] ?? 1, fanOut: shape[0] ?? 1 };
  const receptive = shape.slice(2).reduce((a, b) => a * b, 1);
  return { fanIn: shape[1]! * receptive, fanOut: shape[0]! * receptive };
}

type Mode = 'fanIn' | 'fanOut';
const fanOf = (fans: Fans, mode: Mode): number => (mode === 'fanIn' ? fans.fanIn : fans.fanOut);

function checkMode(op: string, mode: string): Mode {
  if (mode !== 'fanIn' && mode !== 'fanOut') throw new ArgumentError(op, `mode must be 'fanIn' or 'fanOut', got ${JSON.stringify(mode)}`);
  return mode;
}

export const zeros: Initializer = (_key, shape) => full(shape, 0);
export const ones: Initializer = (_key, shape) => full(shape, 1);
export const constant = (value: number): Initializer => (_key, shape) => full(shape, value);

/** N(0, std²). */
export const normal = (std: number): Initializer => (key, shape) => random.normal(key, shape, { mean: 0, std });

/** U(−bound, bound). */
export const uniform = (bound: number): Initializer => (key, shape) =>
  bound === 0 ? full(shape, 0) : random.uniform(key, shape, { min: -bound, max: bound });

/**
 * He et al. (2015) normal: N(0, gain² / fan) with gain √2 for ReLU (PyTorch `kaiming_normal_`
 * with its defaults a = 0). `mode: 'fanOut'` is what torchvision's ResNets and WideResNet use.
 */
export function kaimingNormal(opts: { mode?: Mode; gain?: number } = {}): Initializer {
  const mode = checkMode('kaimingNormal', opts.mode ?? 'fanIn');
  const gain = opts.gain ?? Math.SQRT2;
  return (key, shape, fans) => random.normal(key, shape, { mean: 0, std: gain / Math.sqrt(fanOf(fans, mode)) });
}

/**
 * He et al. uniform: U(±gain·√(3 / fan)) with gain = √(2 / (1 + a²)) (PyTorch `kaiming_uniform_`).
 * With a = √5 and fan_in this is PyTorch's default Linear/Conv weight init, U(±1/√fanIn).
 */
export function kaimingUniform(opts: { mode?: Mode; a?: number } = {}): Initializer {
  const mode = checkMode('kaimingUniform', opts.mode ?? 'fanIn');
  const a = opts.a ?? 0;
  const gain = Math.sqrt(2 / (1 + a * a));
  return (key, shape, fans) => uniform(gain * Math.sqrt(3 / fanOf(fans, mode)))(key, shape, fans);
}

/** Glorot / Xavier uniform: U(±gain·√(6 / (fanIn + fanOut))). */
export function glorotUniform(opts: { gain?: number } = {}): Initializer {
  const gain = opts.gain ?? 1;
  return (key, shape, fans) => uniform(gain * Math.sqrt(6 / (fans.fanIn + fans.fanOut)))(key, shape, fans);
}

/** PyTorch's default Linear/Conv weight init: kaiming_uniform_(a = √5), i.e. U(±1/√fanIn). */
export const torchWeight: Initializer = kaimingUniform({ a: Math.sqrt(5) });

/** PyTorch's default Linear/Conv bias init: U(±1/√fanIn) with the weight's fanIn (0 when fanIn is 0). */
export const torchBias: Initializer = (key, shape, fans) => uniform(fans.fanIn > 0 ? 1 / Math.sqrt(fans.fanIn) : 0)(key, shape, fans);

// Shape-only evaluation (see `evalShape`): while it runs, parameters are zero tensors, which cost
// no sampling (and, zero-filled, no touched memory), so shapes of 36M-parameter models are cheap.
let shapeOnly = 0;

/** Runs `fn` with parameters created as zeros instead of sampled. Used by `evalShape`. */
export function withShapeOnlyInit<T>(fn: () => T): T {
  shapeOnly++;
  try {
    return fn();
  } finally {
    shapeOnly--;
  }
}

/** Creates one parameter with `init`; every built-in layer goes through here. */
export function makeParam(init: Initializer, key: Key, shape: Shape, fans: Fans): Tensor {
  if (shapeOnly > 0) return full(shape, 0);
  const t = init(key, shape, fans);
  if (t.shape.length !== shape.length || t.shape.some((d, i) => d !== shape[i]))
    throw new ArgumentError('init', `an initialiser returned shape [${t.shape.join(', ')}] for a parameter of shape [${shape.join(', ')}]`);
  return t;
}
