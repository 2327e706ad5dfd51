import { groupLayout, type NMCompressed } from './compress.js';

/*
 * Host-side plans for the WebAssembly kernels, built once per mask pattern (c.positions is shared
 * by every compression with one mask tensor) and layout, then reused while the weights change:
 *   - pair lists (assembly/pairs.ts) when the OUTPUT rows carry the N:M groups and the ratio is
 *     2:4 or 1:2: blocks of 4 rows, and per block one list per pair of rows that a reduced index
 *     hits (2:4: the 2 kept rows of the group; 1:2: one row in each of the block's two groups);
 *   - key-pair lists (assembly/keypairs.ts) when the REDUCED index carries the groups and the
 *     ratio is 2:4 or 1:2: each row keeps two keys of every 4-key block, and one list per key pair
 *     holds the rows that keep exactly that pair;
 *   - a CSR (assembly/spmm.ts) for every other pattern.
 * A `Layout` maps each kept entry (its flat position in the dense weight) to its output row and
 * reduced key (or −1: not part of this product, e.g. a tap of another stride phase), and each key
 * to its byte offset into D. `src` holds, per kernel value slot, the index into c.values (or
 * c.values.length: a 0, for the dummy partner row of a 1:2 tail).
 */

export interface Layout {
  readonly rows: number;
  readonly keys: number;
  rowOf(pos: number): number;
  keyOf(pos: number): number;
  offOf(key: number): number;
}

/**
 * Lists [ra, rb, init, e0, e1], entry records [byte offset, va, vb] (values filled per call from
 * `src`, two per entry; index c.values.length = the 0 put after the values).
 */
export interface PairPlan {
  readonly kind: 'pairs';
  readonly lists: Int32Array;
  readonly nLists: number;
  readonly recs: Int32Array;
  /** Two per entry, or one (the first) when every pair's values are adjacent in c.values. */
  readonly src: Int32Array;
  readonly adjacent: boolean;
}
/** Row pointers, entry records [byte offset, value], value sources (one per entry). */
export interface CsrPlan {
  readonly kind: 'csr';
  readonly ptr: Int32Array;
  readonly recs: Int32Array;
  readonly src: Int32Array;
}
/**
 * Lists [offA, offB, r0, r1] (byte offsets into D; offB −1: one key) over
 * row records [row, va, vb] (~row on the row's first write, which initialises it; values filled
 * per call from `src`, two per record, or one when adjacent as for pairs).
 */
export interface KeyPairPlan {
  readonly kind: 'keyPairs';
  readonly lists: Int32Array;
  readonly nLists: number;
  readonly recs: Int32Array;
  readonly src: Int32Array;
  readonly adjacent: boolean;
}
export type Plan = PairPlan | CsrPlan | KeyPairPlan;

const pairRatio = (c: NMCompressed): boolean => (c.n === 2 && c.m === 4) || (c.n === 1 && c.m === 2);
/** Whether the pair kernel applies: 2:4 or 1:2 with groups along the product's output rows. */
export const pairable = (c: NMCompressed, rowsAxis: 'in' | 'out'): boolean => c.axis === rowsAxis && pairRatio(c);
/** Whether the key-pair kernel applies: 2:4 or 1:2 with groups along the product's reduced index. */
export const keyPairable = (c: NMCompressed, rowsAxis: 'in' | 'out'): boolean => c.axis !== rowsAxis && pairRatio(c);

// Row pairs (local rows of a 4-row block) in list order; the first two cover the block, so they
// initialise its rows and the others add. 1:2 never pairs rows of one group ({0,1} or {2,3}).
const ORDER: Record<string, readonly (readonly [number, number])[]> = {
  '2:4': [[0, 1], [2, 3], [0, 2], [1, 3], [0, 3], [1, 2]],
  '1:2': [[0, 2], [1, 3], [0, 3], [1, 2]],
};
const TAIL: readonly (readonly [number, number])[] = [[0, -1], [1, -1]];

/**
 * The value sources of a pair plan's records, two per record (`empty`: the 0 after the values):
 * only the first of each pair when every second one is its neighbour in c.values or empty (one
 * index and an 8-byte copy per record).
 */
function valueSources(src: Int32Array, empty: number): { src: Int32Array; adjacent: boolean } {
  let adjacent = true;
  for (let e = 0; e < src.length && adjacent; e += 2) adjacent = src[e + 1] === empty || src[e + 1] === src[e]! + 1;
  return { src: adjacent ? src.filter((_, k) => k % 2 === 0) : src, adjacent };
}

/** Pair lists for rows grouped 2:4 / 1:2; row `L.rows` is the dummy partner of a 1:2 tail. */
export function pairPlan(c: NMCompressed, L: Layout): PairPlan {
  const order = ORDER[`${c.n}:${c.m}`]!;
  const blocks = Math.ceil(L.rows / 4), R = L.keys, tailBlock = L.rows % 4 === 0 ? -1 : blocks - 1;
  const a = new Int32Array(blocks * R).fill(-1), b = new Int32Array(blocks * R).fill(-1);
  const P = c.positions;
  for (let k = 0; k < P.length; k++) {
    const key = L.keyOf(P[k]!);
    if (key < 0) continue;
    const row = L.rowOf(P[k]!), s = (row >> 2) * R + key;
    if (a[s]! < 0) a[s] = k;
    else if (b[s]! < 0) b[s] = k;
    else throw new Error(`pairPlan: more than two kept entries of block ${row >> 2} at reduced index ${key}`);
  }
  const typeIx = new Int8Array(16).fill(-1);
  order.forEach(([x, y], t) => ((typeIx[x * 4 + y] = t), (typeIx[y * 4 + x] = t)));
  const T = order.length;
  // type of each slot (−1: empty), and counts per (block, type)
  const type = new Int8Array(blocks * R).fill(-1);
  const cnt = new Int32Array(blocks * T);
  for (let s = 0; s < a.length; s++) {
    if (a[s]! < 0) continue;
    const blk = (s / R) | 0, ja = L.rowOf(P[a[s]!]!) & 3;
    let t: number;
    if (b[s]! < 0) {
      if (blk !== tailBlock) throw new Error(`pairPlan: block ${blk} keeps one entry at reduced index ${s % R}; ${c.n}:${c.m} needs two`);
      t = ja;
    } else t = typeIx[ja * 4 + (L.rowOf(P[b[s]!]!) & 3)]!;
    type[s] = t;
    cnt[blk * T + t]!++;
  }
  const lists: number[] = [];
  const start = new Int32Array(blocks * T);
  let e = 0;
  for (let blk = 0; blk < blocks; blk++) {
    const pairs = blk === tailBlock ? TAIL : order;
    for (let t = 0; t < pairs.length; t++) {
      const n = cnt[blk * T + t]!, init = t < 2;
      if (n === 0 && !init) continue;
      const [x, y] = pairs[t]!;
      start[blk * T + t] = e;
      lists.push(blk * 4 + x, y < 0 ? L.rows : blk * 4 + y, init ? 1 : 0, e, e + n);
      e += n;
    }
  }
  const recs = new Int32Array(3 * e), src = new Int32Array(2 * e);
  for (let s = 0; s < a.length; s++) {
    const t = type[s]!;
    if (t < 0) continue;
    const blk = (s / R) | 0, at = start[blk * T + t]!++;
    recs[3 * at] = L.offOf(s % R);
    // slot A belongs to the list's first row
    const ka = a[s]!, kb = b[s]!;
    const swap = kb >= 0 && (L.rowOf(P[ka]!) & 3) !== (blk === tailBlock ? TAIL : order)[t]![0];
    src[2 * at] = swap ? kb : ka;
    const other = swap ? ka : kb;
    src[2 * at + 1] = other < 0 ? P.length : other;
  }
  // a dummy partner (src = P.length) may take any value: its row is never read
  return { kind: 'pairs', lists: Int32Array.from(lists), nLists: lists.length / 5, recs, ...valueSources(src, P.length) };
}

/**
 * Key-pair lists for groups along the reduced index (2:4, or 1:2 over two neighbouring groups):
 * a row's kept entries in one 4-wide block of the group axis (same row, two keys) form one record,
 * and records with the same two keys share a list. The block of a 1:2 tail has one key. The
 * layout must map both entries of a block to one row (a conv whose groups split a block cannot).
 */
export function keyPairPlan(c: NMCompressed, L: Layout): KeyPairPlan {
  const { d, inner } = groupLayout(c.shape, c.axis);
  const nb = Math.ceil(d / 4), P = c.positions, K = L.keys;
  // entries of one (outer, block, inner) position, in compressed order (ascending along the axis)
  const first = new Map<number, number>();
  const byKeys = new Map<number, number[]>(); // keyA · (K + 1) + keyB (K: none) → [row, ka, kb] triples
  const add = (ka: number, kb: number) => {
    const keyA = L.keyOf(P[ka]!), keyB = kb < 0 ? K : L.keyOf(P[kb]!);
    const row = L.rowOf(P[ka]!);
    if (kb >= 0 && L.rowOf(P[kb]!) !== row) throw new Error(`keyPairPlan: the two kept entries of a block map to rows ${row} and ${L.rowOf(P[kb]!)}`);
    const k = keyA * (K + 1) + keyB;
    let list = byKeys.get(k);
    if (!list) byKeys.set(k, (list = []));
    list.push(row, ka, kb);
  };
  for (let k = 0; k < P.length; k++) {
    if (L.keyOf(P[k]!) < 0) continue;
    const f = P[k]!, t = f % inner, rest = (f / inner) | 0;
    const block = (((rest / d) | 0) * nb + ((rest % d) >> 2)) * inner + t;
    const a = first.get(block);
    if (a === undefined) first.set(block, k);
    else {
      add(a, k);
      first.delete(block);
    }
  }
  for (const a of first.values()) {
    if ((((P[a]! / inner) | 0) % d) >> 2 !== nb - 1 || d % 4 === 0) throw new Error(`keyPairPlan: a block keeps one entry; ${c.n}:${c.m} needs two`);
    add(a, -1);
  }
  const lists: number[] = [], recs: number[] = [], src: number[] = [];
  const seen = new Uint8Array(L.rows);
  for (const [k, t] of byKeys) {
    const keyA = Math.floor(k / (K + 1)), keyB = k % (K + 1);
    lists.push(L.offOf(keyA), keyB === K ? -1 : L.offOf(keyB), recs.length / 3, recs.length / 3 + t.length / 3);
    for (let j = 0; j < t.length; j += 3) {
      const row = t[j]!;
      recs.push(seen[row] ? row : ~row, 0, 0);
      seen[row] = 1;
      src.push(t[j + 1]!, t[j + 2]! < 0 ? P.length : t[j + 2]!);
    }
  }
  // every row is written (and so initialised) by some list: the kernel does not zero Z
  const idle = seen.indexOf(0);
  if (idle >= 0) throw new Error(`keyPairPlan: output row ${idle} has no kept entry in this layout; use csrPlan`);
  return { kind: 'keyPairs', lists: Int32Array.from(lists), nLists: lists.length / 4, recs: Int32Array.from(recs), ...valueSources(Int32Array.from(src), P.length) };
}

/** CSR over the output rows, entries in compressed order within a row (any N:M, any axis). */
export function csrPlan(c: NMCompressed, L: Layout): CsrPlan {
  const P = c.positions;
  const ptr = new Int32Array(L.rows + 1);
  for (let k = 0; k < P.length; k++) if (L.keyOf(P[k]!) >= 0) ptr[L.rowOf(P[k]!) + 1]!++;
  for (let r = 0; r < L.rows; r++) ptr[r + 1]! += ptr[r]!;
  const fill = ptr.slice(0, L.rows);
  const recs = new Int32Array(2 * ptr[L.rows]!), src = new Int32Array(ptr[L.rows]!);
  for (let k = 0; k < P.length; k++) {
    const key = L.keyOf(P[k]!);
    if (key < 0) continue;
    const at = fill[L.rowOf(P[k]!)]!++;
    recs[2 * at] = L.offOf(key);
    src[at] = k;
  }
  return { kind: 'csr', ptr, recs, src };
}

const cache = new WeakMap<Int32Array, Map<string, unknown>>();
/** The plan for (mask pattern, key), built by `make` on first use. */
export function cached<T>(c: NMCompressed, key: string, make: () => T): T {
  let m = cache.get(c.positions);
  if (!m) cache.set(c.positions, (m = new Map()));
  let p = m.get(key) as T | undefined;
  if (p === undefined) m.set(key, (p = make()));
  return p;
}
