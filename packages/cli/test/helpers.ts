import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { createRequire } from 'node:module';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

// The tests run the real CLI in a child process, from the TypeScript sources: node with tsx's
// loader and the "source" export condition, so no build is needed (the same resolution vitest uses).
const here = path.dirname(fileURLToPath(import.meta.url));
export const PKG_DIR = path.resolve(here, '..');
const BIN = path.join(PKG_DIR, 'src', 'bin.ts');
const TSX = pathToFileURL(path.join(path.dirname(createRequire(import.meta.url).resolve('tsx/package.json')), 'dist', 'loader.mjs')).href;
const NODE_ARGS = ['--conditions=source', '--import', TSX, BIN];

export interface CliResult {
  readonly status: number | null;
  readonly stdout: string;
  readonly stderr: string;
}

const env = (extra: Record<string, string> = {}): NodeJS.ProcessEnv => {
  const e: NodeJS.ProcessEnv = { ...process.env, NO_COLOR: '1', ...extra };
  delete e.NODE_OPTIONS; // vitest's own loader hooks must not leak into the child
  return e;
};

/** Runs `ssam ...args` to completion. */
export function ssam(args: readonly string[], opts: { cwd?: string; env?: Record<string, string> } = {}): CliResult {
  const r = spawnSync(process.execPath, [...NODE_ARGS, ...args], { cwd: opts.cwd ?? PKG_DIR, env: env(opts.env), encoding: 'utf8', timeout: 120_000 });
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}

/** Starts `ssam ...args` and returns the child (for the kill test). */
export function ssamChild(args: readonly string[], opts: { cwd?: string } = {}): ChildProcess {
  return spawn(process.execPath, [...NODE_ARGS, ...args], { cwd: opts.cwd ?? PKG_DIR, env: env(), stdio: ['ignore', 'pipe', 'pipe'] });
}

export const tmpDir = (prefix: string): string => mkdtempSync(path.join(os.tmpdir(), `ssam-${prefix}-`));

/** A small, fast setup: 256 MNIST training images, 200 test images, MLP 784-16-10. */
export const TINY = ['--train-subset', '256', '--test-subset', '200', '--width', '16', '--batch-size', '32', '--epochs', '2', '--quiet'] as const;

/** Parses a CSV without quoted commas (what the CLI writes for numbers). */
export function parseCsv(text: string): Record<string, string>[] {
  const [head, ...lines] = text.trim().split('\n');
  const cols = head!.split(',');
  return lines.map((l) => Object.fromEntries(l.split(',').map((v, i) => [cols[i]!, v])));
}

/** Waits for a child started with `ssamChild` and collects what it printed. */
export function finished(child: ChildProcess): Promise<CliResult & { signal: NodeJS.Signals | null }> {
  let stdout = '';
  let stderr = '';
  child.stdout?.on('data', (d) => (stdout += String(d)));
  child.stderr?.on('data', (d) => (stderr += String(d)));
  return new Promise((resolve) => child.on('close', (status, signal) => resolve({ status, signal, stdout, stderr })));
}
