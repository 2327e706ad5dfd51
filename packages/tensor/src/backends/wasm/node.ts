// Node built-ins reached through process.getBuiltinModule (Node >= 20.16), so importing
// @ssam/tensor never drags node:fs / node:worker_threads into a browser bundle: where they are
// missing the wasm backend simply does not load and the reference backend stays the default.
import type * as fs from 'node:fs';
import type * as os from 'node:os';
import type * as url from 'node:url';
import type * as workerThreads from 'node:worker_threads';

interface Builtins {
  fs: typeof fs;
  os: typeof os;
  url: typeof url;
  workerThreads: typeof workerThreads;
}

let cached: Builtins | null | undefined;

/** The Node built-ins the wasm backend needs, or null outside Node. */
export function nodeBuiltins(): Builtins | null {
  if (cached !== undefined) return cached;
  const proc = (globalThis as { process?: { getBuiltinModule?: (id: string) => unknown } }).process;
  const get = proc?.getBuiltinModule;
  if (typeof get !== 'function') return (cached = null);
  cached = {
    fs: get('node:fs') as typeof fs,
    os: get('node:os') as typeof os,
    url: get('node:url') as typeof url,
    workerThreads: get('node:worker_threads') as typeof workerThreads,
  };
  return cached;
}

/** The value of an environment variable, or undefined outside Node. */
export function envVar(name: string): string | undefined {
  const proc = (globalThis as { process?: { env?: Record<string, string | undefined> } }).process;
  return proc?.env?.[name];
}
