// Small SIMD helpers for contiguous float runs (memory.copy is a call into the engine; the runs
// here are often only a few dozen floats).

/** dst[0..n) = src[0..n) (dst and src do not overlap) */
@inline
export function copyF32(dst: usize, src: usize, n: i32): void {
  if (n < 4) {
    for (let i = 0; i < n; i++) store<f32>(dst + (<usize>i << 2), load<f32>(src + (<usize>i << 2)));
    return;
  }
  let i = 0;
  for (; i + 8 <= n; i += 8) {
    const o = <usize>i << 2;
    v128.store(dst + o, v128.load(src + o));
    v128.store(dst + o, v128.load(src + o, 16), 16);
  }
  if (i + 4 <= n) {
    const o = <usize>i << 2;
    v128.store(dst + o, v128.load(src + o));
    i += 4;
  }
  // the last 1..3 floats: one vector ending at n, overlapping what is already copied
  if (i < n) {
    const o = <usize>(n - 4) << 2;
    v128.store(dst + o, v128.load(src + o));
  }
}

/** dst[0..n) = 0 */
@inline
export function zeroF32(dst: usize, n: i32): void {
  if (n < 4) {
    for (let i = 0; i < n; i++) store<f32>(dst + (<usize>i << 2), 0);
    return;
  }
  const z = f32x4.splat(0);
  let i = 0;
  for (; i + 4 <= n; i += 4) v128.store(dst + (<usize>i << 2), z);
  if (i < n) v128.store(dst + (<usize>(n - 4) << 2), z);
}

/** dst[0..n) += src[0..n) (float32, one rounding per element) */
@inline
export function addToF32(dst: usize, src: usize, n: i32): void {
  let i = 0;
  for (; i + 4 <= n; i += 4) {
    v128.store(dst, f32x4.add(v128.load(dst), v128.load(src)));
    dst += 16; src += 16;
  }
  for (; i < n; i++) {
    store<f32>(dst, load<f32>(dst) + load<f32>(src));
    dst += 4; src += 4;
  }
}
