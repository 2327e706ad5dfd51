import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import type { ProgressSink } from '../progress.js';
import { writeJson } from '../train/run-dir.js';

/**
 * Step times for the comparison, taken without touching the training loop: the loop reports every
 * step to its progress sink, so the time between two consecutive reports within an epoch is one
 * step (batch assembly, both passes, the mask, the update). Each interval is measured twice:
 * wall clock, and the process's CPU time (all threads, wasm workers included), which a busy
 * machine inflates much less than the wall clock. Intervals across an epoch boundary (evaluation,
 * checkpoint) are not steps and are skipped.
 */
export interface StepTimes {
  readonly wallMs: number[];
  readonly cpuMs: number[];
}

/** Written beside each compared run's summary.json, so `--resume` reports the same times. */
export const TIMING_FILE = 'timing.json';

/** Wraps `inner`; the returned `times` fill in as training reports its steps. */
export function timingSink(inner: ProgressSink): { sink: ProgressSink; times: StepTimes } {
  const times: StepTimes = { wallMs: [], cpuMs: [] };
  let last: { wall: number; cpu: NodeJS.CpuUsage } | undefined;
  const mark = () => (last = { wall: performance.now(), cpu: process.cpuUsage() });
  return {
    times,
    sink: {
      start(label, epochs, stepsPerEpoch) {
        inner.start(label, epochs, stepsPerEpoch);
        mark();
      },
      step(info) {
        if (last) {
          const cpu = process.cpuUsage(last.cpu);
          times.wallMs.push(round3(performance.now() - last.wall));
          times.cpuMs.push(round3((cpu.user + cpu.system) / 1000));
        }
        inner.step(info); // drawing the bar is not part of the step
        mark();
      },
      epochEnd(info) {
        inner.epochEnd(info);
        last = undefined; // the next epoch's first interval would include evaluation and the checkpoint
      },
      stop() {
        inner.stop();
        last = undefined;
      },
    },
  };
}

const round3 = (x: number): number => Math.round(x * 1000) / 1000;

export function saveStepTimes(runDir: string, t: StepTimes): void {
  writeJson(path.join(runDir, TIMING_FILE), { format: 'ssam-step-times/1', wallMs: t.wallMs, cpuMs: t.cpuMs });
}

export function loadStepTimes(runDir: string): StepTimes | undefined {
  const f = path.join(runDir, TIMING_FILE);
  if (!existsSync(f)) return undefined;
  const doc = JSON.parse(readFileSync(f, 'utf8')) as Partial<StepTimes>;
  return Array.isArray(doc.wallMs) && Array.isArray(doc.cpuMs) ? { wallMs: doc.wallMs, cpuMs: doc.cpuMs } : undefined;
}

/**
 * Warm-up: the first steps of a run pay for compiling and tiering up the kernels (the first run of
 * the process most of all), so the first 10 % of a run's timed steps, and at least 10, are left
 * out; a run shorter than 20 steps keeps its second half (and the table says it is too short).
 */
export function warmupSteps(timed: number): number {
  return Math.min(Math.floor(timed / 2), Math.max(10, Math.ceil(0.1 * timed)));
}

/**
 * Fewer timed steps than this per run after warm-up and the table says the times cannot tell
 * (the tiny budget's 112 among them): short runs also carry the process's warm-up unevenly.
 */
export const MIN_TIMED_STEPS = 200;

export interface RunTiming {
  /** Steps timed after warm-up. */
  readonly steps: number;
  readonly wallMs: number;
  readonly cpuMs: number;
  /** Standard error of `cpuMs` relative to it (see {@link medianRelSe}). */
  readonly cpuRelSe: number;
}

/** The median wall and CPU step time of a run after warm-up (NaN without times). */
export function runTiming(t: StepTimes | undefined): RunTiming {
  if (!t || t.wallMs.length === 0) return { steps: 0, wallMs: Number.NaN, cpuMs: Number.NaN, cpuRelSe: Number.NaN };
  const w = warmupSteps(t.wallMs.length);
  const cpu = t.cpuMs.slice(w);
  return { steps: t.wallMs.length - w, wallMs: median(t.wallMs.slice(w)), cpuMs: median(cpu), cpuRelSe: medianRelSe(cpu) };
}

/**
 * The standard error of a sample median relative to it: √(π/2)·σ/√n for a normal sample, with σ
 * estimated robustly as IQR/1.349 (step times have long right tails: GC, the machine's other work).
 */
export function medianRelSe(xs: readonly number[]): number {
  const v = xs.filter(Number.isFinite).sort((a, b) => a - b);
  if (v.length < 4) return Number.NaN;
  const q = (p: number) => {
    const i = p * (v.length - 1);
    const lo = Math.floor(i);
    return v[lo]! + (v[Math.min(lo + 1, v.length - 1)]! - v[lo]!) * (i - lo);
  };
  const sigma = (q(0.75) - q(0.25)) / 1.349;
  return (Math.sqrt(Math.PI / 2) * sigma) / Math.sqrt(v.length) / median(v);
}

export function median(xs: readonly number[]): number {
  const v = xs.filter(Number.isFinite).sort((a, b) => a - b);
  if (v.length === 0) return Number.NaN;
  const m = v.length >> 1;
  return v.length % 2 ? v[m]! : (v[m - 1]! + v[m]!) / 2;
}
