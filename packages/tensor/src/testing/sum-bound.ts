import { fmtShape } from '../errors.js';
import { toNumeric, type Numeric } from './allclose.js';

/** The unit roundoff of float32 (2⁻²⁴) and its smallest subnormal (2⁻¹⁴⁹). */
const U32 = 2 ** -24;
const ETA32 = 2 ** -149;

/**
 * Asserts that a float32 sum of products agrees with an exactly rounded reference within the
 * classic error bound: per element |actual − expected| ≤ (terms + 1)·(u·Σ|terms| + η), u = 2⁻²⁴,
 * η = 2⁻¹⁴⁹ (first order; `terms` products summed in any order, plus the reference's own rounding;
 * η covers results that underflow into the subnormals). `absSum` holds
 * Σ|terms| per element: the same product computed on the absolute values of its operands. Unlike a
 * fixed tolerance it cannot fail on a sum whose large terms cancel, and it stays tight elsewhere.
 * @example expectWithinSumBound(myMatmul(a, b), refMatmul(a, b), refMatmul(abs(a), abs(b)), a.shape[1])
 */
export function expectWithinSumBound(actual: Numeric, expected: Numeric, absSum: Numeric, terms: number, label = 'expectWithinSumBound'): void {
  const [a, e, s] = [toNumeric(actual, 'actual'), toNumeric(expected, 'expected'), toNumeric(absSum, 'absSum')];
  if (a.shape.join() !== e.shape.join() || a.shape.join() !== s.shape.join())
    throw new Error(`${label}: shapes differ: actual ${fmtShape(a.shape)}, expected ${fmtShape(e.shape)}, absSum ${fmtShape(s.shape)}`);
  if (!(Number.isInteger(terms) && terms >= 0)) throw new Error(`${label}: terms must be a non-negative integer, got ${terms}`);
  const k = (terms + 1) * U32, floor = (terms + 1) * ETA32;
  let bad = 0, first = -1;
  for (let i = 0; i < a.data.length; i++) {
    const x = a.data[i]!, y = e.data[i]!;
    if (x === y || Math.abs(x - y) <= k * s.data[i]! + floor) continue;
    bad++;
    if (first < 0) first = i;
  }
  if (bad > 0)
    throw new Error(
      `${label}: ${bad} of ${a.data.length} elements of shape ${fmtShape(a.shape)} differ by more than (${terms} + 1)·(2⁻²⁴·Σ|terms| + 2⁻¹⁴⁹); ` +
        `first at flat index ${first}: actual ${a.data[first]} vs expected ${e.data[first]} (|diff| ${Math.abs(a.data[first]! - e.data[first]!)}, Σ|terms| ${s.data[first]})`,
    );
}
