import { createHash } from 'node:crypto';
import type { TrainConfig } from '../config.js';

/**
 * A run's identity: the SHA-256 of its canonical config (keys sorted, `undefined` dropped), with
 * the settings a resume may change left out (`backend`, `threads`, `compile`: where and how it
 * runs, not what; compiled passes are bit-identical to eager ones, which the CLI's e2e tests check).
 * config.json and every checkpoint record it; `--resume` refuses a checkpoint whose fingerprint is
 * not the run's, and a config.json whose config no longer hashes to its own.
 */
export type CanonicalConfig = { readonly [k: string]: unknown };

const sortKeys = (v: unknown): unknown => {
  if (Array.isArray(v)) return v.map(sortKeys);
  if (v !== null && typeof v === 'object')
    return Object.fromEntries(Object.keys(v).sort().filter((k) => (v as Record<string, unknown>)[k] !== undefined).map((k) => [k, sortKeys((v as Record<string, unknown>)[k])]));
  return v;
};

export function canonicalConfig(c: TrainConfig | CanonicalConfig): CanonicalConfig {
  const { backend: _b, threads: _t, compile: _c, ...rest } = c as Record<string, unknown>;
  return sortKeys(rest) as CanonicalConfig;
}

export const configFingerprint = (c: TrainConfig | CanonicalConfig): string =>
  `sha256:${createHash('sha256').update(JSON.stringify(canonicalConfig(c))).digest('hex')}`;

/** The first top-level field where two canonical configs differ (for the message), if any. */
export function firstDifference(a: CanonicalConfig, b: CanonicalConfig): string | undefined {
  const keys = [...new Set([...Object.keys(a), ...Object.keys(b)])].sort();
  return keys.find((k) => JSON.stringify(a[k]) !== JSON.stringify(b[k]));
}
