import { ArgumentError } from '@ssam/tensor';

// Exact top-k selection in linear time over float32 scores, ties broken by lower index.
//
// Each float's bits map to a uint32 key with the same order (sign flip for positives, bitwise NOT
// for negatives; −0 is folded onto +0 so the two tie). A 65 536-bin histogram of the high 16 bits
// finds the bin holding the k-th largest key, a second histogram of the low 16 bits inside that bin
// gives the exact threshold key T, and a last pass keeps every key > T plus the first (k − #>T)
// keys equal to T in index order. Three passes, no sort: O(n) time, O(1) extra memory besides
// the output and two 256 KiB histograms.

const HI = 0x10000;

/** Order-preserving key of the float32 bits `b` (as an unsigned 32-bit integer). */
function keyOf(b: number): number {
  if (b === 0x80000000) b = 0; // −0 ties with +0
  return (b & 0x80000000 ? ~b : b | 0x80000000) >>> 0;
}

export interface SelectOptions {
  /** Select the k SMALLEST instead of the largest (ties still go to the lower index). */
  readonly smallest?: boolean;
  /** Only entries with eligible[i] = 1 compete; the others are never selected. */
  readonly eligible?: Uint8Array;
  /** Name of the operation, for the NaN error. */
  readonly op?: string;
}

/**
 * Marks in `out` (1 = selected) exactly `k` entries of `values`: the largest (or smallest), ties
 * broken by lower index. `k` must not exceed the number of eligible entries.
 */
export function selectTopK(values: Float32Array, k: number, opts: SelectOptions = {}, out = new Uint8Array(values.length)): Uint8Array {
  const n = values.length;
  const { eligible, smallest = false, op = 'select' } = opts;
  if (k <= 0) return out;
  const bits = new Uint32Array(values.buffer, values.byteOffset, n);
  const flip = smallest ? 0xffffffff : 0;
  const hist = new Uint32Array(HI);
  let m = 0;
  for (let i = 0; i < n; i++) {
    if (eligible !== undefined && eligible[i] === 0) continue;
    const b = bits[i]!;
    if ((b & 0x7f800000) === 0x7f800000 && (b & 0x7fffff) !== 0)
      throw new ArgumentError(op, `scores contain NaN (flat index ${i}); check the loss or gradients that produced them`);
    hist[(keyOf(b) ^ flip) >>> 16]!++;
    m++;
  }
  if (k >= m) {
    for (let i = 0; i < n; i++) if (eligible === undefined || eligible[i] !== 0) out[i] = 1;
    return out;
  }
  // High half: walk bins from the top until k keys are covered.
  let above = 0;
  let hb = HI - 1;
  while (above + hist[hb]! < k) above += hist[hb--]!;
  // Low half, among keys whose high half is hb.
  hist.fill(0);
  for (let i = 0; i < n; i++) {
    if (eligible !== undefined && eligible[i] === 0) continue;
    const key = (keyOf(bits[i]!) ^ flip) >>> 0;
    if (key >>> 16 === hb) hist[key & 0xffff]!++;
  }
  let lb = HI - 1;
  while (above + hist[lb]! < k) above += hist[lb--]!;
  const threshold = ((hb << 16) | lb) >>> 0;
  let ties = k - above; // how many keys equal to the threshold to keep, lowest index first
  for (let i = 0; i < n; i++) {
    if (eligible !== undefined && eligible[i] === 0) continue;
    const key = (keyOf(bits[i]!) ^ flip) >>> 0;
    if (key > threshold) out[i] = 1;
    else if (key === threshold && ties > 0) {
      out[i] = 1;
      ties--;
    }
  }
  return out;
}
