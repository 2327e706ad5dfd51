import { mkdirSync } from 'node:fs';
import path from 'node:path';
import { withBackend } from '@ssam/tensor';
import { UsageError } from '../config.js';
import { renderSvg, svgToPng } from '../plots.js';
import { chooseBackend } from '../setup/backend.js';
import { contourSpec, densitySpec, landscape1dSpec, renderVegaSvg, sideBySide } from '../sharpness/plots.js';
import { DEFAULT_SETTINGS, MEASURES, measureRunDir, sharpnessColumns, type MeasureName, type MeasureSettings, type SharpnessReport, type SubsetSettings } from '../sharpness/measure.js';
import { writeFileAtomic, writeJson } from '../train/run-dir.js';
import { defaultOut, type Io } from './shared.js';

export interface SharpnessFlags {
  readonly run: readonly string[];
  readonly out?: string;
  readonly split?: string;
  readonly examples?: string;
  readonly batchSize?: string;
  readonly m?: string;
  readonly measures?: string;
  readonly seed?: string;
  readonly topK?: string;
  readonly iterations?: string;
  readonly traceSamples?: string;
  readonly lanczosSteps?: string;
  readonly rho?: string;
  readonly ascentSteps?: string;
  readonly points1d?: string;
  readonly points2d?: string;
  readonly range?: string;
  readonly backend?: string;
  readonly threads?: string;
  readonly json?: boolean;
  readonly quiet?: boolean;
}

const int = (flag: string, v: string | undefined, dflt: number, min = 1): number => {
  if (v === undefined) return dflt;
  const n = Number(v);
  if (!Number.isInteger(n) || n < min) throw new UsageError(`--${flag} must be an integer ≥ ${min}; got '${v}'`);
  return n;
};
const num = (flag: string, v: string | undefined, dflt: number): number => {
  if (v === undefined) return dflt;
  const n = Number(v);
  if (!(Number.isFinite(n) && n > 0)) throw new UsageError(`--${flag} must be a number > 0; got '${v}'`);
  return n;
};

/** Validates the flags into settings; every mistake is a UsageError before anything is read. */
export function parseSharpnessFlags(f: SharpnessFlags): { subset: SubsetSettings; settings: MeasureSettings } {
  if (!f.run?.length) throw new UsageError('ssam sharpness needs --run <dir> (one or more run folders)');
  const split = f.split ?? 'train';
  if (split !== 'train' && split !== 'test') throw new UsageError(`--split must be train or test; got '${split}'`);
  const measures = (f.measures ?? MEASURES.join(',')).split(',').map((s) => s.trim()).filter(Boolean);
  for (const m of measures) if (!(MEASURES as readonly string[]).includes(m)) throw new UsageError(`--measures: unknown measure '${m}'; choose among ${MEASURES.join(', ')}`);
  let range = DEFAULT_SETTINGS.range;
  if (f.range !== undefined) {
    const r = f.range.split(',').map(Number);
    if (r.length !== 2 || !r.every(Number.isFinite) || !(r[0]! < r[1]!)) throw new UsageError(`--range must be lo,hi with lo < hi, e.g. -1,1; got '${f.range}'`);
    range = [r[0]!, r[1]!];
  }
  const d = DEFAULT_SETTINGS;
  return {
    subset: { split, examples: int('examples', f.examples, 1000), batchSize: int('batch-size', f.batchSize, 500), m: int('m', f.m, 128) },
    settings: {
      measures: measures as MeasureName[], seed: int('seed', f.seed, 0, 0), topK: int('top-k', f.topK, d.topK), iterations: int('iterations', f.iterations, d.iterations),
      tol: d.tol, traceSamples: int('trace-samples', f.traceSamples, d.traceSamples, 2), lanczosSteps: int('lanczos-steps', f.lanczosSteps, d.lanczosSteps),
      densityRuns: d.densityRuns, rho: num('rho', f.rho, d.rho), ascentSteps: int('ascent-steps', f.ascentSteps, d.ascentSteps),
      points1d: int('points-1d', f.points1d, d.points1d, 2), points2d: int('points-2d', f.points2d, d.points2d, 2), range,
    },
  };
}

/** Distinct, readable labels: "sam seed 0", or the folder name where two runs would share one. */
function labels(runs: readonly { dir: string; optimizer: string; seed: number }[]): string[] {
  const base = runs.map((r) => `${r.optimizer} seed ${r.seed}`);
  return base.map((b, i) => (base.filter((x) => x === b).length > 1 ? path.basename(path.resolve(runs[i]!.dir)) : b));
}

const fmt = (x: number | undefined, digits = 4) => (x === undefined || !Number.isFinite(x) ? 'n/a' : Math.abs(x) >= 1e4 || Math.abs(x) < 1e-3 ? x.toExponential(2) : x.toPrecision(digits));

async function writePlot(out: string, name: string, svg: string): Promise<string[]> {
  writeFileAtomic(path.join(out, `${name}.svg`), svg);
  writeFileAtomic(path.join(out, `${name}.png`), svgToPng(svg));
  return [`${name}.svg`, `${name}.png`];
}

/**
 * `ssam sharpness --run DIR...`: measures each run's final checkpoint (Hessian eigenvalues, trace,
 * spectral density, m-sharpness, loss landscapes) on a fixed data subset and writes sharpness.json
 * with the plots (density.svg/png, landscape-1d.svg/png, landscape-2d-<run>.svg/png, and with
 * several runs landscape-2d.svg/png, the contours side by side on one colour scale) to --out.
 */
export async function sharpnessCommand(f: SharpnessFlags, io: Io): Promise<number> {
  const { subset, settings } = parseSharpnessFlags(f);
  const backendKind = f.backend ?? 'auto';
  if (!['auto', 'reference', 'wasm'].includes(backendKind)) throw new UsageError(`--backend must be auto, reference or wasm; got '${backendKind}'`);
  const threads = f.threads === undefined ? undefined : int('threads', f.threads, 1, 1);
  const out = f.out ?? defaultOut('sharpness');
  const chosen = await chooseBackend(backendKind as 'auto', threads);
  try {
    const results: { dir: string; label: string; optimizer: string; seed: number; report: SharpnessReport }[] = [];
    withBackend(chosen.backend, () => {
      for (const dir of f.run) {
        // A TTY gets one updating line; a log gets each phase's last line (power iteration and
        // Hutchinson often stop before their maximum, so "done = total" alone would miss them).
        let last: { phase: string; line: string } | undefined;
        const onProgress = f.quiet ? undefined : (p: { phase: string; done: number; total: number }) => {
          const line = `${path.basename(path.resolve(dir))}: ${p.phase} ${p.done}/${p.total}`;
          if (io.stderr.isTTY) io.stderr.write(`\r${line}   `);
          else if (last && last.phase !== p.phase) io.stderr.write(`${last.line}\n`);
          last = { phase: p.phase, line };
        };
        const { run, report } = measureRunDir(dir, subset, settings, onProgress);
        if (!f.quiet) io.stderr.write(io.stderr.isTTY ? '\n' : last ? `${last.line}\n` : '');
        results.push({ dir, label: '', optimizer: run.config.optimizer, seed: run.config.seed, report });
      }
    });
    const names = labels(results);
    results.forEach((r, i) => (r.label = names[i]!));
    mkdirSync(out, { recursive: true });
    const files = ['sharpness.json'];
    writeJson(path.join(out, 'sharpness.json'), {
      format: 'ssam-sharpness/1', backend: chosen.description, subset, settings,
      runs: results.map((r) => ({ dir: r.dir, label: r.label, optimizer: r.optimizer, seed: r.seed, ...sharpnessColumns(r.report), report: r.report })),
    });
    const dens = results.filter((r) => r.report.density).map((r) => ({ label: r.label, x: r.report.density!.grid, y: r.report.density!.density }));
    if (dens.length) files.push(...(await writePlot(out, 'density', await renderSvg(densitySpec(dens, `Hessian spectral density (SLQ, ${settings.lanczosSteps} Lanczos steps, ${subset.examples} ${subset.split} examples)`)))));
    const l1 = results.filter((r) => r.report.landscape1d).map((r) => ({ label: r.label, x: r.report.landscape1d!.alphas, y: r.report.landscape1d!.loss }));
    if (l1.length) files.push(...(await writePlot(out, 'landscape-1d', await renderSvg(landscape1dSpec(l1, 'Loss along a random filter-normalised direction')))));
    // One colour scale for every run's contour, so that side by side equal colours are equal losses.
    const planes = results.filter((r) => r.report.landscape2d);
    const all = planes.flatMap((r) => r.report.landscape2d!.loss.flat()).filter((v) => Number.isFinite(v) && v > 0);
    const domain = all.length ? ([Math.min(...all), Math.max(...all)] as const) : undefined;
    const contours: string[] = [];
    for (const r of planes) {
      const l2 = r.report.landscape2d!;
      const slug = r.label.replace(/[^A-Za-z0-9._-]+/g, '-');
      const svg = await renderVegaSvg(contourSpec(l2.xs, l2.ys, l2.loss, `Loss surface: ${r.label}`, domain ? { domain } : {}));
      contours.push(svg);
      files.push(...(await writePlot(out, `landscape-2d-${slug}`, svg)));
    }
    if (contours.length > 1) files.push(...(await writePlot(out, 'landscape-2d', sideBySide(contours))));
    if (f.json) io.stdout.write(JSON.stringify({ out, files, runs: results.map((r) => ({ label: r.label, ...sharpnessColumns(r.report), loss: r.report.loss, accuracy: r.report.accuracy })) }) + '\n');
    else {
      io.stdout.write(`run | loss | accuracy | λmax | trace (± s.e.) | m-sharpness (ρ ${settings.rho}, m ${subset.m})\n`);
      for (const r of results) {
        const c = sharpnessColumns(r.report);
        io.stdout.write(`${r.label} | ${fmt(r.report.loss)} | ${(r.report.accuracy * 100).toFixed(2)} % | ${fmt(c.lambdaMax)} | ${fmt(c.trace)} ± ${fmt(c.traceStdErr, 2)} | ${fmt(c.mSharpness)}\n`);
      }
      io.stdout.write(`wrote ${files.map((x) => path.join(out, x)).join(', ')}\n`);
    }
    return 0;
  } finally {
    chosen.dispose();
  }
}
