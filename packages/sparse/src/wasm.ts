import { ShapeError, type Conv2dOptions, type Tensor } from '@ssam/tensor';
import { fromHost } from '@ssam/tensor/trace';
import { denseSource, type NMCompressed } from './compress.js';
import { Arena, f32, need, residentPlan, type Exports } from './wasm-module.js';
import { cached, csrPlan, keyPairPlan, keyPairable, pairPlan, pairable, type Layout, type Plan } from './wasm-plan.js';
import { convGeometry, type ConvGeometry } from './wasm-conv.js';
import { sparseThreads } from './wasm-threads.js';

export { wasmAvailable } from './wasm-module.js';

/*
 * WebAssembly SIMD versions of nmMatmul, nmMatmulT and nmConv2dBackInput (assembly/, built to
 * dist/ssam-sparse.wasm by scripts/build-wasm.mjs). Every product is Z[row, q] = Σ W · D[off + q]
 * over the kept entries, with q along the batch (dense: D = xᵀ or dyᵀ, transposed inside wasm)
 * or along padded dy planes of a block of images (conv, wasm-conv.ts). When the product's output
 * rows carry the N:M groups (nmMatmulT and the conv input gradient with axis 'in', nmMatmul with
 * axis 'out') and the ratio is 2:4 or 1:2, the pair kernel runs (two rows per D load); when the
 * reduced index carries them in a dense product (nmMatmulT with axis 'out', nmMatmul with 'in'),
 * the key-pair kernel (two D loads per run of rows); otherwise the generic CSR kernel. Sums are
 * float32, so results match the dense product to rounding.
 */

/** q floats per chunk of the pair kernel (its D window stays in L1/L2 across the lists; 32–256 measured alike). */
const QC = 128;
/**
 * Target bytes of one image block's D + Z for the conv: half of a 1 MiB L2. 256–1024 KiB run
 * alike on an idle core; 512 KiB held up best while another process shared the core.
 */
const BLOCK_BYTES = 512 * 1024;

const pad16 = (q: number): number => Math.ceil(q / 16) * 16;
/** Words of the convBlock descriptor before its phase records, and per phase (assembly/parallel.ts). */
const CONV_HEAD = 32;
const CONV_PHASE = 10;

/**
 * Makes the call's plans resident (the cached `plans` array is their key), copies this call's
 * weight values (and a trailing 0) into the arena and gathers them into the plans' entry
 * records. A `compressView` compression brings its dense weight instead of gathered values: the
 * whole weight is copied (one memcpy) and gathered through `positions`, so no host array is made.
 * Returns per plan [lists or ptr, recs], and the arena for the rest of the call.
 */
function putPlans(w: Exports, c: NMCompressed, plans: readonly Plan[]): { ptrs: number[]; a: Arena } {
  const dense = denseSource(c);
  const flat = residentPlan(w, plans, plans.flatMap((p) => [p.kind === 'csr' ? p.ptr : p.lists, p.recs, p.src, srcInWeight(p, c)]));
  const a = new Arena(w);
  const from = dense ?? c.values;
  const pValues = a.take(from.length + 1);
  a.commit();
  a.put(pValues, from);
  new Float32Array(w.memory.buffer, pValues + from.length * 4, 1)[0] = 0;
  const ptrs: number[] = [];
  plans.forEach((p, k) => {
    const [pl, pr, ps, pw] = flat.slice(4 * k, 4 * k + 4) as [number, number, number, number];
    // adjacent pairs read two neighbouring value slots, which are not neighbours in the weight:
    // from the weight they gather as explicit pairs
    const [entries, stride, per] = p.kind === 'csr' ? [p.src.length, 8, 1] : p.adjacent ? [p.src.length, 12, dense ? 2 : 0] : [p.src.length / 2, 12, 2];
    w.gatherVals(pValues, dense ? pw : ps, pr, entries, stride, per);
    ptrs.push(pl, pr);
  });
  return { ptrs, a };
}

const inWeight = new WeakMap<Plan, Int32Array>();
/** A plan's `src` as flat indices into the dense weight (the value slot after the last, a 0, maps past its end). */
function srcInWeight(p: Plan, c: NMCompressed): Int32Array {
  let s = inWeight.get(p);
  if (s === undefined) {
    const P = c.positions, size = c.shape.reduce((x, y) => x * y, 1);
    const at = (i: number) => (i < P.length ? P[i]! : size);
    if (p.kind !== 'csr' && p.adjacent) {
      s = new Int32Array(2 * p.src.length);
      p.src.forEach((i, e) => (s![2 * e] = at(i), s![2 * e + 1] = at(i + 1)));
    } else s = p.src.map(at);
    inWeight.set(p, s);
  }
  return s;
}

/** Work (about flops) below which a kernel stays on the calling thread (the dense backend's PARALLEL_WORK). */
const PARALLEL_WORK = 1 << 18;

/** [kind, lists | rowPtr, nLists | rows] of a plan for the parallel entries (kind 0: pairs, 1: CSR, 2: key pairs). */
const planWords = (plan: Plan, lists: number, rows: number): [number, number, number] =>
  plan.kind === 'csr' ? [1, lists, rows] : [plan.kind === 'pairs' ? 0 : 2, lists, plan.nLists];

/** Records a plan runs per q (each one multiply-add, or two for the pair kinds). */
const planEntries = (plan: Plan): number => (plan.kind === 'csr' ? plan.recs.length / 2 : plan.recs.length / 3);

/**
 * Runs a plan over D into Z for q in [0, qp): split into q ranges over the sparse threads
 * (wasm-threads.ts) when the work pays for a fork-join. Each Z element is summed by one thread in
 * entry order, so the result does not depend on the thread count.
 */
function runPlan(w: Exports, a: Arena, plan: Plan, lists: number, recs: number, rows: number, d: number, z: number, ldz: number, qp: number): void {
  if (qp <= 0) return;
  const threads = sparseThreads();
  const work = 2 * planEntries(plan) * qp * (plan.kind === 'csr' ? 1 : 2);
  const chunks = threads > 1 && work >= PARALLEL_WORK ? Math.min(qp / 16, 4 * threads) : 1;
  const qk = pad16(qp / chunks);
  const desc = a.take(16);
  a.commit();
  new Int32Array(w.memory.buffer, desc, 10).set([...planWords(plan, lists, rows), recs, d, z, ldz, qp, qk, QC]);
  w.pool.run('planChunk', desc, Math.ceil(qp / qk), threads);
}

function makePlan(c: NMCompressed, rowsAxis: 'in' | 'out', L: Layout): Plan {
  return pairable(c, rowsAxis) ? pairPlan(c, L) : keyPairable(c, rowsAxis) ? keyPairPlan(c, L) : csrPlan(c, L);
}

function dense2(op: string, c: NMCompressed, t: Tensor, k: number, what: string): number {
  if (c.shape.length !== 2) throw new ShapeError(op, `needs a compressed dense weight [out, in], got shape [${c.shape.join(', ')}]`);
  if (t.rank < 1 || t.shape[t.rank - 1] !== k) throw new ShapeError(op, `${what} must have shape [..., ${k}] to match the weight, got [${t.shape.join(', ')}]`);
  return t.shape.slice(0, -1).reduce((a, b) => a * b, 1); // the rows of t (t.size / k, also when k = 0)
}

/** Z[rows, B] = Σ over the reduced axis (length K) of W · Xᵀ; X [B, K]; returns [B, rows]. */
function product(op: string, c: NMCompressed, x: Tensor, rows: number, K: number, rowsAxis: 'in' | 'out', rowOf: (pos: number) => number, keyOf: (pos: number) => number): Float32Array {
  const w = need(op);
  const B = dense2(op, c, x, K, rowsAxis === 'in' ? 'dy' : 'x');
  if (K === 0 || B === 0 || rows === 0) return new Float32Array(B * rows); // an empty sum is 0
  const bp = pad16(B);
  if (2 * c.positions.length * bp >= PARALLEL_WORK) w.pool.wake(sparseThreads());
  // one-plan array: the array is the key of the plan's resident copy
  const plans = cached(c, `${op}:${bp}`, (): Plan[] => [makePlan(c, rowsAxis, { rows, keys: K, rowOf, keyOf, offOf: (k) => k * bp * 4 })]);
  const { ptrs, a } = putPlans(w, c, plans);
  const pX = a.take(B * K), pD = a.take(K * bp + 16), pZ = a.take((rows + 1) * bp), pY = a.take(B * rows);
  a.commit();
  a.put(pX, f32(x));
  w.transpose(pX, B, K, K, pD, bp);
  runPlan(w, a, plans[0]!, ptrs[0]!, ptrs[1]!, rows, pD, pZ, bp, bp);
  w.transpose(pZ, rows, B, bp, pY, rows);
  return a.read(pY, B * rows);
}

/** nmMatmul on WebAssembly SIMD: y = x · (W ⊙ M)ᵀ, x [..., in] → [..., out]. */
export function nmMatmulWasm(x: Tensor, c: NMCompressed): Tensor {
  const [R, C] = c.shape as [number, number];
  const y = product('nmMatmulWasm', c, x, R, C, 'out', (f) => (f / C) | 0, (f) => f % C);
  return fromHost(y, [...x.shape.slice(0, -1), R], 'float32');
}

/** nmMatmulT on WebAssembly SIMD: dx = dy · (W ⊙ M), dy [..., out] → [..., in]. */
export function nmMatmulTWasm(dy: Tensor, c: NMCompressed): Tensor {
  const [R, C] = c.shape as [number, number];
  const z = product('nmMatmulTWasm', c, dy, C, R, 'in', (f) => f % C, (f) => (f / C) | 0);
  return fromHost(z, [...dy.shape.slice(0, -1), C], 'float32');
}

/** Images per block, so that a block's D and Z stay in L2. */
const blockImages = (g: ConvGeometry): number => Math.max(1, Math.min(g.N, Math.floor(BLOCK_BYTES / ((g.O + g.phases.length * (g.I + 1)) * g.imgStride * 4))));

/**
 * nmConv2dBackInput on WebAssembly SIMD: any stride, dilation, padding and groups. dy is laid
 * into padded planes a block of images at a time; each stride phase is one kernel run over the
 * block and one strided scatter into dx.
 */
export function nmConv2dBackInputWasm(dy: Tensor, c: NMCompressed, inputShape: readonly number[], opts: Conv2dOptions = {}): Tensor {
  const op = 'nmConv2dBackInputWasm';
  if (c.shape.length !== 4) throw new ShapeError(op, `needs a compressed conv filter [O, I, kH, kW], got shape [${c.shape.join(', ')}]; for a dense weight use nmMatmulTWasm`);
  const w = need(op);
  const g = convGeometry(op, c.shape, inputShape, dy.shape, opts);
  const { N, O, I, G, KH, KW } = g;
  const Ig = I / G, Og = O / G;
  const size = N * I * g.H * g.W;
  if (size === 0) return fromHost(new Float32Array(0), inputShape, 'float32');
  const nb = blockImages(g);
  const parallel = N > nb && 2 * c.positions.length * N * g.imgStride >= PARALLEL_WORK;
  if (parallel) w.pool.wake(sparseThreads());
  const ldz = pad16(nb * g.imgStride), dStride = Math.ceil((ldz + g.maxShift + 16) / 4) * 4;
  const KK = KH * KW;
  // Groups: the rows are all I input channels and filter entry f = ((o·Ig + i)·KK + tap) lands on
  // row ⌊o / Og⌋·Ig + i, so the product is block-diagonal and each group's blocks only see its own
  // keys. The pair kernel needs every 4-row block inside one group (Ig a multiple of 4). Groups
  // along the keys (axis 'out') take the CSR: its rows are long here (O·kH·kW / 2 entries) and
  // the key-pair kernel measured no faster on the conv (it is on the dense products).
  const make = pairable(c, 'in') && (G === 1 || Ig % 4 === 0) ? pairPlan : csrPlan;
  // the geometry follows from the filter shape (fixed by the pattern), inputShape and opts
  const plans = cached(c, `conv:${inputShape.join(',')}:${JSON.stringify(opts)}:${dStride}`, () =>
    g.phases.map((ph) =>
      make(c, {
        rows: I,
        keys: O * KK,
        rowOf: (f) => (((f / (Ig * KK)) | 0) / Og | 0) * Ig + (((f / KK) | 0) % Ig),
        keyOf: (f) => (ph.shift[f % KK]! < 0 ? -1 : ((f / (Ig * KK)) | 0) * KK + (f % KK)),
        offOf: (k) => (((k / KK) | 0) * dStride + ph.shift[k % KK]!) * 4,
      }),
    ),
  );
  const { ptrs, a } = putPlans(w, c, plans);
  const zSize = (I + 1) * ldz, P = g.phases.length, blocks = Math.ceil(N / nb);
  // one task per block of images (pad, every phase, scatter) on the thread's own D and Z
  const threads = parallel ? Math.min(sparseThreads(), blocks) : 1;
  const dBytes = O * dStride * 4, zBytes = P * zSize * 4;
  const pY = a.take(dy.size), pD = a.take(threads * O * dStride), pZ = a.take(threads * P * zSize), pX = a.take(size);
  const desc = a.take(CONV_HEAD + CONV_PHASE * P);
  a.commit();
  a.put(pY, f32(dy));
  const words = new Int32Array(CONV_HEAD + CONV_PHASE * P);
  words.set([pY, N, O, g.HO, g.WO, nb, dStride, g.imgStride, g.ws, g.hp, g.wp, g.t, g.l, I, ldz, P, pX, g.H, g.W, g.sh, g.sw, pD, dBytes, pZ, zBytes, zSize * 4, QC]);
  for (let j = 0; j < P; j++) {
    const ph = g.phases[j]!, next = g.phases[j + 1], prev = words[CONV_HEAD + CONV_PHASE * (j - 1) + 8];
    // stride-2 columns: the two column phases of a row phase interleave in one pass
    const mode = j > 0 && prev === 1 ? 2 : g.sw === 2 && ph.pw === 0 && next?.ph === ph.ph && next.pw === 1 ? 1 : 0;
    words.set([...planWords(plans[j]!, ptrs[2 * j]!, I), ptrs[2 * j + 1]!, ph.ph, ph.pw, ph.ha, ph.wa, mode], CONV_HEAD + CONV_PHASE * j);
  }
  a.put(desc, words);
  let out: Float32Array | undefined;
  w.pool.run('convBlock', desc, blocks, threads, () => (out = new Float32Array(size)));
  return fromHost(a.read(pX, size, out), inputShape, 'float32');
}
