import { ShapeError, cast, convOutSize, tensor, type Conv2dOptions, type Tensor } from '@ssam/tensor';
import { groupLayout, type NMCompressed } from './compress.js';
import { nmConv2dBackInput, resolvePads } from './conv.js';

/*
 * WebAssembly SIMD versions of nmMatmul, nmMatmulT and nmConv2dBackInput (assembly/index.ts,
 * built to dist/ssam-sparse.wasm by scripts/build-wasm.mjs). Each is one call of the `spmm`
 * kernel on a CSR of the kept entries: rows = the output index, entries = (offset into D, value).
 *   nmMatmul:   yᵀ[o, b]  = Σ_i W[o, i] xᵀ[i, b]     (rows o, D = xᵀ)
 *   nmMatmulT:  dxᵀ[i, b] = Σ_o W[o, i] dyᵀ[o, b]    (rows i, D = dyᵀ)
 *   conv dx (stride 1): dx[i, h, w] = Σ W[o, i, kh, kw] dyPad[o, h + (KH−1−kh)·dh, w + (KW−1−kw)·dw]
 *     (rows i; dy laid into zero-padded planes, so the col2im shift is part of the offset).
 * Sums are float32 in ascending reduced index, so they match the dense product to rounding.
 */

interface Memory {
  readonly buffer: ArrayBuffer;
  grow(pages: number): number;
}
interface Exports {
  readonly memory: Memory;
  spmm(rowPtr: number, offs: number, vals: number, rows: number, d: number, z: number, qp: number): void;
  copyRows(src: number, ss: number, dst: number, ds: number, rows: number, w: number): void;
}

let loaded: Exports | null | undefined;
let loadError = '';

/** The WebAssembly global, typed minimally (the tsconfig lib has no DOM/wasm types). */
type Wasm = { Module: new (b: Uint8Array) => object; Instance: new (m: object, i: object) => { exports: unknown } };
type NodeFs = { readFileSync(p: string): Uint8Array };
type NodeUrl = { fileURLToPath(u: URL): string };

function load(): Exports | null {
  if (loaded !== undefined) return loaded;
  // Node only (process.getBuiltinModule, Node ≥ 20.16); elsewhere the TypeScript kernels run.
  const proc = (globalThis as { process?: { getBuiltinModule?: (n: string) => unknown } }).process;
  const wasm = (globalThis as { WebAssembly?: Wasm }).WebAssembly;
  if (!proc?.getBuiltinModule || !wasm) {
    loadError = 'needs Node.js >= 20.16 with WebAssembly';
    return (loaded = null);
  }
  const fs = proc.getBuiltinModule('node:fs') as NodeFs, url = proc.getBuiltinModule('node:url') as NodeUrl;
  for (const rel of ['./ssam-sparse.wasm', '../dist/ssam-sparse.wasm']) {
    try {
      const bytes = fs.readFileSync(url.fileURLToPath(new URL(rel, import.meta.url)));
      loaded = new wasm.Instance(new wasm.Module(bytes), {}).exports as Exports;
      return loaded;
    } catch (e) {
      loadError = e instanceof Error ? e.message : String(e);
    }
  }
  loaded = null;
  return loaded;
}

/** Whether dist/ssam-sparse.wasm loaded (build it with `node scripts/build-wasm.mjs`). */
export function wasmAvailable(): boolean {
  return load() !== null;
}

function need(op: string): Exports {
  const w = load();
  if (!w) throw new Error(`${op}: dist/ssam-sparse.wasm is not available (${loadError}); build it with \`node packages/sparse/scripts/build-wasm.mjs\` or use the TypeScript kernel`);
  return w;
}

/** Bump allocator over the module's memory for one call; returns byte offsets (16-aligned). */
function arena(w: Exports, sizes: readonly number[]): number[] {
  const offs: number[] = [];
  let p = 1024;
  for (const s of sizes) {
    offs.push(p);
    p += Math.ceil((s * 4) / 64) * 64 + 64;
  }
  const have = w.memory.buffer.byteLength;
  if (p > have) w.memory.grow(Math.ceil((p - have) / 65536));
  return offs;
}

const f32 = (t: Tensor): Float32Array => (t.dtype === 'float32' ? t : cast(t, 'float32')).toArray() as Float32Array;
const pad16 = (q: number): number => Math.ceil(q / 16) * 16;

type Csr = { ptr: Int32Array; offs: Int32Array; vals: Float32Array };
type CsrPattern = { ptr: Int32Array; offs: Int32Array; perm: Int32Array };
// The CSR pattern depends only on the mask (through c.positions, shared by every compression with
// one mask tensor) and the layout key, so it is built once per mask and reused while weights change.
const csrCache = new WeakMap<Int32Array, Map<string, CsrPattern>>();

/**
 * CSR of the kept entries. `rows[e]` / `offs[e]` for kept entry e (compressed order) come from
 * `layout`, a monomorphic loop per product, then a stable counting sort groups them by row (so a
 * row's entries stay in ascending reduced index).
 */
function csr(c: NMCompressed, nRows: number, key: string, layout: (pos: Int32Array, rows: Int32Array, offs: Int32Array) => void): Csr {
  let byKey = csrCache.get(c.positions);
  let pat = byKey?.get(key);
  if (!pat) {
    const E = c.positions.length;
    const rows = new Int32Array(E), offsIn = new Int32Array(E);
    layout(c.positions, rows, offsIn);
    const ptr = new Int32Array(nRows + 1);
    for (let e = 0; e < E; e++) ptr[rows[e]! + 1]!++;
    for (let r = 0; r < nRows; r++) ptr[r + 1]! += ptr[r]!;
    const fill = ptr.slice(0, nRows);
    const offs = new Int32Array(E), perm = new Int32Array(E);
    for (let e = 0; e < E; e++) {
      const at = fill[rows[e]!]!++;
      offs[at] = offsIn[e]!;
      perm[at] = e;
    }
    pat = { ptr, offs, perm };
    if (!byKey) csrCache.set(c.positions, (byKey = new Map()));
    byKey.set(key, pat);
  }
  const vals = new Float32Array(pat.perm.length);
  const V = c.values, P = pat.perm;
  for (let e = 0; e < P.length; e++) vals[e] = V[P[e]!]!;
  return { ptr: pat.ptr, offs: pat.offs, vals };
}

/** Runs spmm for `rows` CSR rows over D [*, qp] and returns Z [rows, qp]. */
function run(w: Exports, m: { ptr: Int32Array; offs: Int32Array; vals: Float32Array }, rows: number, D: Float32Array, qp: number): Float32Array {
  const [pP, pO, pV, pD, pZ] = arena(w, [m.ptr.length, m.offs.length, m.vals.length, D.length + 16, rows * qp]) as [number, number, number, number, number];
  const buf = w.memory.buffer;
  new Int32Array(buf, pP, m.ptr.length).set(m.ptr);
  new Int32Array(buf, pO, m.offs.length).set(m.offs);
  new Float32Array(buf, pV, m.vals.length).set(m.vals);
  new Float32Array(buf, pD, D.length + 16).set(D);
  w.spmm(pP, pO, pV, rows, pD, pZ, qp);
  return new Float32Array(buf, pZ, rows * qp).slice();
}

/** [B, K] row-major → [K, bp] (bp ≥ B, zero columns past B). */
function transposeIn(X: Float32Array, B: number, K: number, bp: number): Float32Array {
  const out = new Float32Array(K * bp);
  for (let b = 0; b < B; b++) for (let k = 0; k < K; k++) out[k * bp + b] = X[b * K + k]!;
  return out;
}
function transposeOut(Z: Float32Array, rows: number, bp: number, B: number): Float32Array {
  const out = new Float32Array(B * rows);
  for (let r = 0; r < rows; r++) for (let b = 0; b < B; b++) out[b * rows + r] = Z[r * bp + b]!;
  return out;
}

function dense2(op: string, c: NMCompressed, t: Tensor, k: number, what: string): [number, number, number] {
  if (c.shape.length !== 2) throw new ShapeError(op, `needs a compressed dense weight [out, in], got shape [${c.shape.join(', ')}]`);
  if (t.rank < 1 || t.shape[t.rank - 1] !== k) throw new ShapeError(op, `${what} must have shape [..., ${k}] to match the weight, got [${t.shape.join(', ')}]`);
  return [c.shape[0]!, c.shape[1]!, t.size / k];
}

/** nmMatmul on WebAssembly SIMD: y = x · (W ⊙ M)ᵀ, x [..., in] → [..., out]. */
export function nmMatmulWasm(x: Tensor, c: NMCompressed): Tensor {
  const w = need('nmMatmulWasm');
  const [R, C, B] = dense2('nmMatmulWasm', c, x, c.shape[1]!, 'x');
  const bp = pad16(B);
  const m = csr(c, R, `mm:${bp}`, (pos, rows, offs) => {
    for (let e = 0; e < pos.length; e++) {
      const f = pos[e]!, o = (f / C) | 0;
      rows[e] = o;
      offs[e] = (f - o * C) * bp;
    }
  });
  const Z = run(w, m, R, transposeIn(f32(x), B, C, bp), bp);
  return tensor(transposeOut(Z, R, bp, B), [...x.shape.slice(0, -1), R]);
}

/** nmMatmulT on WebAssembly SIMD: dx = dy · (W ⊙ M), dy [..., out] → [..., in]. */
export function nmMatmulTWasm(dy: Tensor, c: NMCompressed): Tensor {
  const w = need('nmMatmulTWasm');
  const [R, C, B] = dense2('nmMatmulTWasm', c, dy, c.shape[0]!, 'dy');
  const bp = pad16(B);
  const m = csr(c, C, `mmT:${bp}`, (pos, rows, offs) => {
    for (let e = 0; e < pos.length; e++) {
      const f = pos[e]!, o = (f / C) | 0;
      rows[e] = f - o * C;
      offs[e] = o * bp;
    }
  });
  const Z = run(w, m, C, transposeIn(f32(dy), B, R, bp), bp);
  return tensor(transposeOut(Z, C, bp, B), [...dy.shape.slice(0, -1), C]);
}

/**
 * nmConv2dBackInput on WebAssembly SIMD for stride 1 (any padding and dilation); other strides
 * run the TypeScript kernel.
 */
export function nmConv2dBackInputWasm(dy: Tensor, c: NMCompressed, inputShape: readonly number[], opts: Conv2dOptions = {}): Tensor {
  const stride = opts.stride ?? 1;
  const s1 = typeof stride === 'number' ? stride === 1 : stride[0] === 1 && stride[1] === 1;
  if (!s1 || (opts.groups ?? 1) !== 1 || c.shape.length !== 4 || inputShape.length !== 4) return nmConv2dBackInput(dy, c, inputShape, opts);
  const op = 'nmConv2dBackInputWasm';
  const w = need(op);
  const [O, I, KH, KW] = c.shape as [number, number, number, number];
  const [N, CI, H, W] = inputShape as [number, number, number, number];
  const dil = opts.dilation ?? 1;
  const [dh, dw] = typeof dil === 'number' ? [dil, dil] : [dil[0], dil[1]];
  const [[pt, pb], [pl, pr]] = resolvePads(op, opts.padding, [H, W], [KH, KW], [1, 1], [dh, dw]);
  const HO = convOutSize(H, KH, 1, dh, pt, pb), WO = convOutSize(W, KW, 1, dw, pl, pr);
  if (CI !== I || dy.rank !== 4 || dy.shape[0] !== N || dy.shape[1] !== O || dy.shape[2] !== HO || dy.shape[3] !== WO)
    throw new ShapeError(op, `dy must have shape [${N}, ${O}, ${HO}, ${WO}] and inputShape [N, ${I}, H, W]; got dy [${dy.shape.join(', ')}], inputShape [${inputShape.join(', ')}]`);
  const Hp = H + (KH - 1) * dh, Wp = W + (KW - 1) * dw, plane = Hp * Wp;
  const A = (KH - 1) * dh - pt, Bx = (KW - 1) * dw - pl;
  const qp = pad16(H * Wp);
  const KK = KH * KW;
  const m = csr(c, I, `conv:${Hp}:${Wp}:${dh}:${dw}`, (pos, rows, offs) => {
    for (let e = 0; e < pos.length; e++) {
      const f = pos[e]!, o = (f / (I * KK)) | 0, rem = f - o * I * KK, i = (rem / KK) | 0, kk = rem - i * KK;
      const kh = (kk / KW) | 0, kw = kk - kh * KW;
      rows[e] = i;
      offs[e] = o * plane + (KH - 1 - kh) * dh * Wp + (KW - 1 - kw) * dw;
    }
  });
  const dySize = O * HO * WO, dpSize = O * plane + qp + 16;
  const [pP, pO, pV, pY, pD, pZ, pX] = arena(w, [m.ptr.length, m.offs.length, m.vals.length, N * dySize, dpSize, I * qp, N * I * H * W]) as number[] as [number, number, number, number, number, number, number];
  const buf = w.memory.buffer;
  new Int32Array(buf, pP, m.ptr.length).set(m.ptr);
  new Int32Array(buf, pO, m.offs.length).set(m.offs);
  new Float32Array(buf, pV, m.vals.length).set(m.vals);
  new Float32Array(buf, pY, N * dySize).set(f32(dy));
  const dp = new Float32Array(buf, pD, dpSize);
  const ho0 = Math.max(0, -A), ho1 = Math.min(HO, Hp - A), wo0 = Math.max(0, -Bx), wo1 = Math.min(WO, Wp - Bx);
  for (let n = 0; n < N; n++) {
    dp.fill(0);
    if (ho1 > ho0 && wo1 > wo0)
      for (let o = 0; o < O; o++)
        w.copyRows(pY + 4 * (n * dySize + o * HO * WO + ho0 * WO + wo0), WO, pD + 4 * (o * plane + (ho0 + A) * Wp + wo0 + Bx), Wp, ho1 - ho0, wo1 - wo0);
    w.spmm(pP, pO, pV, I, pD, pZ, qp);
    for (let i = 0; i < I; i++) w.copyRows(pZ + 4 * i * qp, Wp, pX + 4 * (n * I + i) * H * W, W, H, W);
  }
  return tensor(new Float32Array(buf, pX, N * I * H * W).slice(), inputShape);
}
