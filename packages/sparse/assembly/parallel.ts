// Entry points of the worker-thread fork-join (src/wasm-threads.ts): `(desc, chunk, tid)`, where
// desc is the byte address of a task descriptor (i32 words) that the calling thread wrote into the
// shared memory. A chunk is a fixed piece of the output (a q range, or a block of images), so
// which thread runs it never changes a result: every output element is summed by one thread in
// the same order as the one-thread kernel.
import { spmm } from './spmm';
import { spmmPairs } from './pairs';
import { spmmKeyPairs } from './keypairs';
import { padPlanes, scatterPair2, scatterPhase } from './layout';

@inline
function word(desc: usize, k: i32): i32 {
  return load<i32>(desc + (<usize>k << 2));
}

/** Runs a plan (kind 0: pair lists, 1: CSR, 2: key-pair lists) over q in [q0, q1) (q0, q1 multiples of 16). */
@inline
function runPlan(kind: i32, lists: usize, n: i32, recs: usize, d: usize, z: usize, ldz: i32, q0: i32, q1: i32, qc: i32): void {
  const qb = <usize>q0 << 2;
  if (kind == 0) spmmPairs(lists, n, recs, d + qb, z + qb, ldz, q1 - q0, qc);
  else if (kind == 2) spmmKeyPairs(lists, n, recs, d + qb, z + qb, ldz, q1 - q0, qc);
  else spmm(lists, recs, n, d + qb, z + qb, ldz, q1 - q0);
}

/**
 * One plan over a q range: desc = [kind, lists | rowPtr, nLists | rows, recs, d, z, ldz, qp,
 * qChunk, qc]; chunk c covers q in [c·qChunk, min(qp, (c + 1)·qChunk)).
 */
export function planChunk(desc: usize, chunk: i32, tid: i32): void {
  const qp = word(desc, 7), qk = word(desc, 8);
  const q0 = chunk * qk, q1 = min(qp, q0 + qk);
  if (q1 <= q0) return;
  runPlan(word(desc, 0), <usize>word(desc, 1), word(desc, 2), <usize>word(desc, 3), <usize>word(desc, 4), <usize>word(desc, 5), word(desc, 6), q0, q1, word(desc, 9));
}

/** Words of the conv descriptor before the phase records, and words per phase record. */
const CONV_HEAD = 32;
const CONV_PHASE = 10;

/**
 * One block of images of the conv input gradient (images [chunk·nb, min(N, (chunk + 1)·nb))):
 * lay dy into padded planes, run every stride phase's plan, scatter the phases into dx. D and Z
 * are the thread's own scratch (tid · dBytes, tid · zBytes from their bases).
 * desc = [pY, N, O, HO, WO, nb, dStride, imgStride, ws, hp, wp, t, l, I, ldz, P, pX, H, W, sh, sw,
 *         pD0, dBytes, pZ0, zBytes, zPhaseBytes, qc, ...] then per phase at CONV_HEAD + 10·j:
 *         [kind, lists, n, recs, ph, pw, ha, wa, mode (0 scatter, 1 scatterPair2 with j+1, 2 done by j−1)].
 */
export function convBlock(desc: usize, chunk: i32, tid: i32): void {
  const N = word(desc, 1), nb = word(desc, 5);
  const n0 = chunk * nb;
  if (n0 >= N) return;
  const k = min(nb, N - n0);
  const O = word(desc, 2), imgStride = word(desc, 7), ws = word(desc, 8), I = word(desc, 13), ldz = word(desc, 14), P = word(desc, 15);
  const pX = <usize>word(desc, 16), H = word(desc, 17), W = word(desc, 18), sh = word(desc, 19), sw = word(desc, 20);
  const pD = <usize>word(desc, 21) + <usize>tid * <usize>word(desc, 22);
  const pZ = <usize>word(desc, 23) + <usize>tid * <usize>word(desc, 24);
  const zPhase = <usize>word(desc, 25), qc = word(desc, 26);
  const qp = (k * imgStride + 15) & ~15;
  padPlanes(<usize>word(desc, 0), n0, k, O, word(desc, 3), word(desc, 4), pD, word(desc, 6), imgStride, ws, word(desc, 9), word(desc, 10), word(desc, 11), word(desc, 12));
  for (let j = 0; j < P; j++) {
    const r = desc + (<usize>(CONV_HEAD + CONV_PHASE * j) << 2);
    runPlan(load<i32>(r), <usize>load<i32>(r, 4), load<i32>(r, 8), <usize>load<i32>(r, 12), pD, pZ + <usize>j * zPhase, ldz, 0, qp, qc);
  }
  for (let j = 0; j < P; j++) {
    const r = desc + (<usize>(CONV_HEAD + CONV_PHASE * j) << 2);
    const mode = load<i32>(r, 32);
    if (mode == 2) continue;
    const z = pZ + <usize>j * zPhase;
    if (mode == 1) scatterPair2(z, z + zPhase, ldz, k, I, imgStride, ws, pX, n0, H, W, load<i32>(r, 16), sh, load<i32>(r, 24));
    else scatterPhase(z, ldz, k, I, imgStride, ws, pX, n0, H, W, load<i32>(r, 16), load<i32>(r, 20), sh, sw, load<i32>(r, 24), load<i32>(r, 28));
  }
}
