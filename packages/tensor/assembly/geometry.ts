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
