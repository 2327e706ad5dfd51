// Shared helpers for `pnpm bench`: timing with medians, and writing a named section of
// docs/benchmarks.md between `<!-- bench:NAME -->` and `<!-- /bench:NAME -->` markers, so each
// package's benchmark owns its own section and reruns replace it.
import { readFileSync, writeFileSync, existsSync } from 'node:fs';
import { execSync } from 'node:child_process';
import os from 'node:os';
import { fileURLToPath } from 'node:url';
import path from 'node:path';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
export const benchmarksFile = path.join(root, 'docs', 'benchmarks.md');

/** Runs `fn` `warmup` times, then `reps` times; returns the median and all samples in ms. */
export function timeIt(fn: () => void, { reps = 7, warmup = 2 }: { reps?: number; warmup?: number } = {}): { median: number; samples: number[] } {
  for (let i = 0; i < warmup; i++) fn();
  const samples: number[] = [];
  for (let i = 0; i < reps; i++) {
    const t0 = performance.now();
    fn();
    samples.push(performance.now() - t0);
  }
  const sorted = [...samples].sort((a, b) => a - b);
  return { median: sorted[Math.floor(sorted.length / 2)]!, samples };
}

/** Async variant of timeIt for code that awaits (worker threads). */
export async function timeItAsync(fn: () => Promise<void>, { reps = 7, warmup = 2 }: { reps?: number; warmup?: number } = {}): Promise<{ median: number; samples: number[] }> {
  for (let i = 0; i < warmup; i++) await fn();
  const samples: number[] = [];
  for (let i = 0; i < reps; i++) {
    const t0 = performance.now();
    await fn();
    samples.push(performance.now() - t0);
  }
  const sorted = [...samples].sort((a, b) => a - b);
  return { median: sorted[Math.floor(sorted.length / 2)]!, samples };
}

/**
 * ' (family F model M)' from /proc/cpuinfo, or ''. Hosts that report only "AMD EPYC" differ by
 * generation (family 25 model 1 is Zen 3, model 17 Zen 4) and run these kernels at different
 * speeds, so figures are comparable only within one generation.
 */
function cpuGeneration(): string {
  try {
    const info = readFileSync('/proc/cpuinfo', 'utf8');
    const fam = /^cpu family\s*:\s*(\d+)/m.exec(info)?.[1], model = /^model\s*:\s*(\d+)/m.exec(info)?.[1];
    return fam && model ? ` (family ${fam} model ${model})` : '';
  } catch {
    return '';
  }
}

/** One line naming the machine (with its CPU generation), Node version, CPU affinity and date, for every table. */
export function machineLine(): string {
  let affinity = 'unpinned';
  try {
    affinity = execSync(`taskset -pc ${process.pid}`, { encoding: 'utf8' }).trim().split(':').pop()!.trim();
    affinity = `cpus ${affinity}`;
  } catch {
    /* taskset missing */
  }
  const cpu = os.cpus()[0]?.model ?? 'unknown CPU';
  return `${cpu}${cpuGeneration()}, ${os.cpus().length} cores, Node ${process.version}, ${affinity}, ${new Date().toISOString().slice(0, 10)}`;
}

export function markdownTable(header: readonly string[], rows: readonly (readonly (string | number)[])[]): string {
  const line = (cells: readonly (string | number)[]) => `| ${cells.join(' | ')} |`;
  return [line(header), line(header.map(() => '---')), ...rows.map(line)].join('\n');
}

/** Replaces (or appends) the section NAME of docs/benchmarks.md with `body`. */
export function writeSection(name: string, body: string): void {
  const start = `<!-- bench:${name} -->`;
  const end = `<!-- /bench:${name} -->`;
  const text = existsSync(benchmarksFile) ? readFileSync(benchmarksFile, 'utf8') : '# Benchmarks\n';
  const block = `${start}\n${body.trim()}\n${end}`;
  const i = text.indexOf(start);
  const j = text.indexOf(end);
  const next = i >= 0 && j > i ? text.slice(0, i) + block + text.slice(j + end.length) : `${text.trimEnd()}\n\n${block}\n`;
  writeFileSync(benchmarksFile, next);
}
