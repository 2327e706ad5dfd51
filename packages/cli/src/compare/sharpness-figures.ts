import path from 'node:path';
import { renderSvg, svgToPng } from '../plots.js';
import { contourSpec, landscape1dSpec, renderVegaSvg, sideBySide } from '../sharpness/plots.js';
import type { MeasureSettings, SubsetSettings } from '../sharpness/measure.js';
import { writeFileAtomic } from '../train/run-dir.js';
import type { MeasuredRun } from './sharpness.js';

/** Figures `ssam compare --sharpness` adds to the report folder. */
export const SHARPNESS_FILES = { landscape1d: 'landscape-1d', landscape2d: 'landscape-2d' } as const;

async function writePlot(dir: string, name: string, svg: string): Promise<void> {
  writeFileAtomic(path.join(dir, `${name}.svg`), svg);
  writeFileAtomic(path.join(dir, `${name}.png`), svgToPng(svg));
}

/**
 * Writes landscape-1d.svg/png (every run's 1-D curve overlaid) and landscape-2d.svg/png (the
 * per-run 2-D contours side by side on one colour scale, so equal colours are equal losses) and
 * returns the Markdown section of summary.md that shows them and says how they were measured.
 */
export async function sharpnessSection(dir: string, runs: readonly MeasuredRun[], s: { subset: SubsetSettings; settings: MeasureSettings }): Promise<string[]> {
  const measured = runs.filter((r) => r.report);
  const { subset, settings } = s;
  const lines = [
    '## Sharpness',
    '',
    `Measured on each run's final checkpoint (\`ssam compare --sharpness\`), on the first ${subset.examples.toLocaleString('en-US')} ${subset.split} examples: λmax = the Hessian's largest eigenvalue (power iteration, at most ${settings.iterations} iterations, relative tolerance ${settings.tol}); Hessian trace (Hutchinson, at most ${settings.traceSamples} Rademacher probes, stopping at 1 % standard error); m-sharpness = the loss increase at the worst point of a ρ-ball (ρ ${settings.rho}, ${settings.ascentSteps} projected ascent steps, batches of m = ${subset.m}), averaged over batches. Each run's numbers are in its folder's sharpness.json; seed ${settings.seed} for the probes and directions.`,
    '',
  ];
  const skipped = runs.filter((r) => !r.report).map((r) => r.label);
  if (skipped.length) lines.push(`Not measured (did not train to the end): ${skipped.join(', ')}.`, '');
  if (measured.length === 0) return lines;
  const l1 = measured.filter((r) => r.report!.landscape1d).map((r) => ({ label: r.label, x: r.report!.landscape1d!.alphas, y: r.report!.landscape1d!.loss }));
  if (l1.length) {
    await writePlot(dir, SHARPNESS_FILES.landscape1d, await renderSvg(landscape1dSpec(l1, 'Loss along a random filter-normalised direction')));
    lines.push(`![1-D loss landscapes](${SHARPNESS_FILES.landscape1d}.svg)`, '');
  }
  const planes = measured.filter((r) => r.report!.landscape2d);
  if (planes.length) {
    const all = planes.flatMap((r) => r.report!.landscape2d!.loss.flat()).filter((v) => Number.isFinite(v) && v > 0);
    const domain = all.length ? ([Math.min(...all), Math.max(...all)] as const) : undefined;
    const contours: string[] = [];
    for (const r of planes) {
      const l2 = r.report!.landscape2d!;
      contours.push(await renderVegaSvg(contourSpec(l2.xs, l2.ys, l2.loss, r.label, domain ? { domain } : {})));
    }
    await writePlot(dir, SHARPNESS_FILES.landscape2d, sideBySide(contours));
    lines.push(
      `![2-D loss landscapes, one per run](${SHARPNESS_FILES.landscape2d}.svg)`,
      '',
      `Landscapes: the loss along one (1-D, ${settings.points1d} points) and two (2-D, ${settings.points2d} × ${settings.points2d} grid) random filter-normalised directions over [${settings.range.join(', ')}], the trained weights at 0 (the cross). Every run's directions come from the same random draw (then filter-normalised to its own weights), and all panels share one colour scale, so equal colours are equal losses.`,
      '',
    );
  }
  return lines;
}
