// Small SIMD helpers for contiguous float runs (memory.copy is a call into the engine; the runs
// here are often only a few dozen floats).

/** dst[0..n) = src[0..n) */
@inline
export function copyF32(dst: usize, src: usize, n: i32): void {
  let i = 0;
  for (; i + 8 <= n; i += 8) {
    v128.store(dst, v128.load(src), 0);
    v128.store(dst, v128.load(src, 16), 16);
    dst += 32; src += 32;
  }
  for (; i < n; i++) {
    store<f32>(dst, load<f32>(src));
    dst += 4; src += 4;
  }
}

/** dst[0..n) = 0 */
@inline
export function zeroF32(dst: usize, n: i32): void {
  const z = f32x4.splat(0);
  let i = 0;
  for (; i + 4 <= n; i += 4) {
    v128.store(dst, z);
    dst += 16;
  }
  for (; i < n; i++) {
    store<f32>(dst, 0);
    dst += 4;
  }
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
