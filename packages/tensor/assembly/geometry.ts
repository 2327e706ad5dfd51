// Convolution / pooling geometry, written by the JavaScript side as consecutive i32 fields and
// read here through an unmanaged view (`changetype<ConvGeom>(ptr)`).

@unmanaged
export class ConvGeom {
  n: i32; // images
  c: i32; // input channels (all groups)
  h: i32;
  w: i32;
  o: i32; // output channels (all groups)
  groups: i32;
  kh: i32;
  kw: i32;
  sh: i32;
  sw: i32;
  pt: i32;
  pl: i32;
  dh: i32;
  dw: i32;
  ho: i32;
  wo: i32;
  /** output rows per band: one band's patch matrix (K x bandRows*wo) stays cache-sized */
  bandRows: i32;
  /** images per back-filter partial sum (fixed by the shape, never by the thread count) */
  imagesPerPart: i32;
  /** back-filter: whole images transformed side by side into one band (1 when bands split images) */
  imagesPerBand: i32;
}

@unmanaged
export class PoolGeom {
  planes: i32; // n * c
  h: i32;
  w: i32;
  ho: i32;
  wo: i32;
  kh: i32;
  kw: i32;
  sh: i32;
  sw: i32;
  pt: i32;
  pl: i32;
  countIncludePad: i32;
  planesPerChunk: i32;
}

/** Geometry of a Winograd F(2x2, 3x3) convolution (see winograd.ts), written by kernels/winograd.ts. */
@unmanaged
export class WinoGeom {
  n: i32;
  cin: i32;
  hin: i32;
  win: i32;
  cout: i32;
  hout: i32;
  wout: i32;
  /** offset of the window: output (oy, ox) reads input rows oy - pt + 0..2, cols ox - pl + 0..2 */
  pt: i32;
  pl: i32;
  /** tile rows and columns: ceil(hout / 2), ceil(wout / 2) */
  th: i32;
  tw: i32;
  /** tile rows per band (the unit of work; V and M of one band stay cache-sized) */
  bandRows: i32;
  /** row stride of V, M and dY in floats: bandRows * tw + 3 rounded up to 8 */
  ld: i32;
  /** cout rounded up to 4 (the micro-kernel's rows) */
  opad: i32;
  /** images per back-filter partial sum (fixed by the shape, never by the thread count) */
  imagesPerPart: i32;
  /** back-filter: whole images transformed side by side into one band (1 when bands split images) */
  imagesPerBand: i32;
}
