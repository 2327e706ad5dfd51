import path from 'node:path';
import { renderSvg, svgToPng } from '../plots.js';
import { contourSpec, landscape1dSpec, renderVegaSvg, sideBySide } from '../sharpness/plots.js';
import type { MeasureSettings, SubsetSettings } from '../sharpness/measure.js';
import { writeFileAtomic } from '../train/run-dir.js';
import type { MeasuredRun } from './sharpness.js';

/** Figures `ssam compare --sharpness` adds to the report folder. */
export const SHARPNESS_FILES = { landscape1d: 'landscape-1d', landscape2d: 'landscape-2d' } as const;

/** Seeds shown in the 2-D figure (one row each): more would make a picture nobody can read. */
export const MAX_PLANE_ROWS = 5;

/** SVGs stacked top to bottom (the rows of the 2-D figure), the vertical twin of sideBySide. */
export function stacked(svgs: readonly string[], gap = 12): string {
  let y = 0, w = 0;
  const parts = svgs.map((svg) => {
    const m = /<svg[^>]*\swidth="([\d.]+)"[^>]*\sheight="([\d.]+)"/.exec(svg);
    const [ww, h] = m ? [Number(m[1]), Number(m[2])] : [400, 400];
    const inner = svg.replace(/<svg\b/, `<svg x="0" y="${y}"`);
    y += h + gap;
    w = Math.max(w, ww);
    return inner;
  });
  const h = Math.max(0, y - gap);
  return `<svg xmlns="http://www.w3.org/2000/svg" xmlns:xlink="http://www.w3.org/1999/xlink" version="1.1" width="${w}" height="${h}" viewBox="0 0 ${w} ${h}"><rect width="100%" height="100%" fill="white"/>${parts.join('')}</svg>`;
}

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
  // The split may hold fewer examples than asked for (a --train-subset run): say how many were used.
  const used = [...new Set(measured.map((r) => r.report!.examples))];
  const examples = used.length === 1 ? used[0]! : subset.examples;
  const lines = [
    '## Sharpness',
    '',
    `Measured on each run's final checkpoint (\`ssam compare --sharpness\`), on the first ${examples.toLocaleString('en-US')} ${subset.split} examples: λmax = the Hessian's largest eigenvalue (power iteration, at most ${settings.iterations} iterations, relative tolerance ${settings.tol}); Hessian trace (Hutchinson, at most ${settings.traceSamples} Rademacher probes, stopping at 1 % standard error); m-sharpness = the loss increase at the worst point of a ρ-ball (ρ ${settings.rho}, ${settings.ascentSteps} projected ascent steps, batches of m = ${subset.m}), averaged over batches. Each run's numbers are in its folder's sharpness.json; seed ${settings.seed} for the probes and directions.`,
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
    // One row per seed, the optimizers side by side in the table's order.
    const seeds = [...new Set(planes.map((r) => r.result.seed))].sort((a, b) => a - b);
    const shown = seeds.slice(0, MAX_PLANE_ROWS);
    const rows: string[] = [];
    for (const seed of shown) {
      const contours: string[] = [];
      for (const r of planes.filter((p) => p.result.seed === seed)) {
        const l2 = r.report!.landscape2d!;
        contours.push(await renderVegaSvg(contourSpec(l2.xs, l2.ys, l2.loss, r.label, domain ? { domain } : {})));
      }
      rows.push(sideBySide(contours));
    }
    await writePlot(dir, SHARPNESS_FILES.landscape2d, rows.length === 1 ? rows[0]! : stacked(rows));
    lines.push(
      `![2-D loss landscapes, one per run${seeds.length > 1 ? ', one row per seed' : ''}](${SHARPNESS_FILES.landscape2d}.svg)`,
      '',
      ...(seeds.length > shown.length ? [`The figure shows the first ${shown.length} of ${seeds.length} seeds; every run's grid is in its sharpness.json.`, ''] : []),
      `Landscapes: the loss along one (1-D, ${settings.points1d} points) and two (2-D, ${settings.points2d} × ${settings.points2d} grid) random filter-normalised directions over [${settings.range.join(', ')}], the trained weights at 0 (the cross). Every run's directions come from the same random draw (then filter-normalised to its own weights), and all panels share one colour scale, so equal colours are equal losses.`,
      '',
    );
  }
  return lines;
}
