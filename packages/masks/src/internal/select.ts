import { ArgumentError } from '@ssam/tensor';

// Exact top-k selection in linear time over float32 scores, ties broken by lower index.
//
// Each float's bits map to a uint32 key with the same order (sign flip for positives, bitwise NOT
// for negatives; −0 is folded onto +0 so the two tie). A 65 536-bin histogram of the high 16 bits
// finds the bin holding the k-th largest key, a second histogram of the low 16 bits inside that bin
// gives the exact threshold key T, and a last pass keeps every key > T plus the first (k − #>T)
// keys equal to T in index order. Three passes, no sort: O(n) time, O(1) extra memory besides
// the output, the keys and a 256 KiB histogram.

const HI = 0x10000;

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
 * broken by lower index. When `k` is at least the number of eligible entries, all are selected.
 */
export function selectTopK(values: Float32Array, k: number, opts: SelectOptions = {}, out = new Uint8Array(values.length)): Uint8Array {
  const n = values.length;
  const { eligible, smallest = false, op = 'select' } = opts;
  if (k <= 0) return out;
  const bits = new Int32Array(values.buffer, values.byteOffset, n);
  // NOTE: every valid key is ≥ 0x007fffff (that of −Infinity, or of +Infinity when flipped), so
  // key 0 is free and marks ineligible entries; it only ever lands in high bin 0, which is cleared.
  const keys = new Uint32Array(n);
  const flip = smallest ? -1 : 0;
  const hist = new Uint32Array(HI);
  for (let i = 0; i < n; i++) {
    if (eligible !== undefined && eligible[i] === 0) continue;
    let b = bits[i]!;
    if ((b & 0x7fffffff) > 0x7f800000)
      throw new ArgumentError(op, `scores contain NaN (flat index ${i}); check the loss or gradients that produced them`);
    if (b === -0x80000000) b = 0; // −0 ties with +0
    const key = (b ^ (b >> 31 | -0x80000000) ^ flip) >>> 0;
    keys[i] = key;
    hist[key >>> 16]!++;
  }
  hist[0] = 0;
  let m = 0;
  for (let h = 0; h < HI; h++) m += hist[h]!;
  if (k >= m) {
    for (let i = 0; i < n; i++) out[i] = keys[i]! > 0 ? 1 : 0;
    return out;
  }
  // High half: walk bins from the top until k keys are covered.
  let above = 0;
  let hb = HI - 1;
  while (above + hist[hb]! < k) above += hist[hb--]!;
  // Low half, among keys whose high half is hb.
  hist.fill(0);
  for (let i = 0; i < n; i++) {
    const key = keys[i]!;
    if (key >>> 16 === hb) hist[key & 0xffff]!++;
  }
  let lb = HI - 1;
  while (above + hist[lb]! < k) above += hist[lb--]!;
  const threshold = ((hb << 16) | lb) >>> 0;
  let ties = k - above; // how many keys equal to the threshold to keep, lowest index first
  for (let i = 0; i < n; i++) {
    const key = keys[i]!;
    if (key > threshold) out[i] = 1;
    else if (key === threshold && ties > 0) {
      out[i] = 1;
      ties--;
    }
  }
  return out;
}
