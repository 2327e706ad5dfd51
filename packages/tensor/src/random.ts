// PLACEHOLDER, replaced by the PRNG work: Threefry-2x32 keys.
export interface Key {
  readonly words: readonly [number, number];
}
