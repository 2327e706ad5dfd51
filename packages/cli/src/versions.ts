import { createRequire } from 'node:module';
import os from 'node:os';

const require = createRequire(import.meta.url);

const PACKAGES = ['@ssam/cli', '@ssam/tensor', '@ssam/autograd', '@ssam/masks', '@ssam/optim', '@ssam/models', '@ssam/data'] as const;

function versionOf(name: string): string {
  try {
    return (require(`${name}/package.json`) as { version: string }).version;
  } catch {
    return 'unknown';
  }
}

/** The version of this CLI. */
export const cliVersion = (): string => versionOf('@ssam/cli');

/** Versions and machine facts recorded in config.json, so a result can be traced and rerun. */
export function environment(): Record<string, unknown> {
  return {
    packages: Object.fromEntries(PACKAGES.map((p) => [p, versionOf(p)])),
    node: process.version,
    platform: `${process.platform}-${process.arch}`,
    cpus: os.availableParallelism?.() ?? os.cpus().length,
    cpuModel: os.cpus()[0]?.model ?? 'unknown',
  };
}
