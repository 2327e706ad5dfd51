import { ArgumentError, ShapeError, isTensor, type Tensor } from '@ssam/tensor';
import type { Shape, ShapeTree, Value } from '../layer.js';

export const fmt = (s: ShapeTree): string =>
  isShape(s) ? `[${s.join(', ')}]` : `(${(s as readonly ShapeTree[]).map(fmt).join(', ')})`;

/** A single shape (an array of numbers) as opposed to a tuple of shapes. */
export function isShape(s: ShapeTree): s is Shape {
  return Array.isArray(s) && s.every((d) => typeof d === 'number');
}

/** The single input shape of a one-tensor layer, with its rank checked. */
export function oneShape(op: string, s: ShapeTree, ranks?: readonly number[], what = ''): Shape {
  if (!isShape(s))
    throw new ShapeError(op, `expects one input shape, got the tuple ${fmt(s)}; combine the branches first (fanInSum) or use parallel`);
  if (s.some((d, i) => !Number.isInteger(d) || (d < 1 && !(i === 0 && d === -1))))
    throw new ShapeError(op, `input shape ${fmt(s)} must hold positive integers (the batch dimension may be -1)`);
  if (ranks && !ranks.includes(s.length))
    throw new ShapeError(op, `expects input of rank ${ranks.join(' or ')}${what ? ` (${what})` : ''}, got shape ${fmt(s)}`);
  return s;
}

/** The single input tensor of a one-tensor layer. */
export function oneTensor(op: string, x: Value, ranks?: readonly number[], what = ''): Tensor {
  if (!isTensor(x))
    throw new ShapeError(op, `expects one tensor, got a tuple of ${(x as readonly Value[]).length}; combine the branches first (fanInSum) or use parallel`);
  if (ranks && !ranks.includes(x.rank))
    throw new ShapeError(op, `expects x of rank ${ranks.join(' or ')}${what ? ` (${what})` : ''}, got shape ${fmt(x.shape)}`);
  return x;
}

export function positiveInt(op: string, name: string, v: number): number {
  if (!Number.isInteger(v) || v < 1) throw new ArgumentError(op, `${name} must be a positive integer, got ${v}`);
  return v;
}

export function pair(op: string, name: string, v: number | readonly [number, number] | undefined, dflt: number): [number, number] {
  const p: [number, number] = v === undefined ? [dflt, dflt] : typeof v === 'number' ? [v, v] : [v[0], v[1]];
  if (!p.every((x) => Number.isInteger(x) && x >= 1)) throw new ArgumentError(op, `${name} must be positive integers, got ${JSON.stringify(v)}`);
  return p;
}
