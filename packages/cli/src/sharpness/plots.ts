import * as vega from 'vega';
import type * as vl from 'vega-lite';

/** A line of the 1-D plot or the density: one run's curve. */
export interface LabelledCurve {
  readonly label: string;
  readonly x: readonly number[];
  readonly y: readonly number[];
}

const points = (curves: readonly LabelledCurve[], floor = -Infinity) =>
  curves.flatMap((c) => c.x.map((x, i) => ({ run: c.label, x, y: Math.max(floor, c.y[i]!) })));

/**
 * The Hessian's smoothed spectral density, one colour per run, on a log axis (PyHessian plots
 * density + 1e-7 on semilogy: the outliers carry little mass but matter most).
 */
export function densitySpec(curves: readonly LabelledCurve[], title: string): vl.TopLevelSpec {
  return {
    $schema: 'https://vega.github.io/schema/vega-lite/v6.json',
    title,
    width: 480,
    height: 280,
    data: { values: points(curves, 1e-7) },
    mark: { type: 'line', strokeWidth: 1.5 },
    encoding: {
      x: { field: 'x', type: 'quantitative', title: 'eigenvalue', scale: { zero: false, nice: false } },
      y: { field: 'y', type: 'quantitative', title: 'density (log scale)', scale: { type: 'log' } },
      color: { field: 'run', type: 'nominal', title: 'run', sort: curves.map((c) => c.label) },
    },
  } as vl.TopLevelSpec;
}

/** 1-D loss curves along each run's filter-normalised direction, overlaid. */
export function landscape1dSpec(curves: readonly LabelledCurve[], title: string): vl.TopLevelSpec {
  return {
    $schema: 'https://vega.github.io/schema/vega-lite/v6.json',
    title,
    width: 480,
    height: 280,
    data: { values: points(curves) },
    mark: { type: 'line', point: { size: 12 } },
    encoding: {
      x: { field: 'x', type: 'quantitative', title: 'step α along the direction' },
      y: { field: 'y', type: 'quantitative', title: 'loss', scale: { zero: false } },
      color: { field: 'run', type: 'nominal', title: 'run', sort: curves.map((c) => c.label) },
    },
  } as vl.TopLevelSpec;
}

/**
 * A filled contour plot of a 2-D landscape (Vega's isocontour transform on the loss grid) with
 * levels spaced evenly in log(loss), as the eye reads a basin; the centre (the trained weights)
 * is marked. `loss[j][i]` is at (xs[i], ys[j]). Pass one `domain` for all runs so that their
 * colours and levels mean the same losses side by side.
 */
export function contourSpec(xs: readonly number[], ys: readonly number[], loss: readonly (readonly number[])[], title: string, opts: { domain?: readonly [number, number] } = {}): vega.Spec {
  const nx = xs.length, ny = ys.length;
  const cell = Math.floor(320 / Math.max(nx, ny));
  const dx = (xs[nx - 1]! - xs[0]!) / (nx - 1), dy = (ys[ny - 1]! - ys[0]!) / (ny - 1);
  // The contour grid's row 0 is the top of the picture: the largest y.
  const values: number[] = [];
  for (let j = ny - 1; j >= 0; j--) for (let i = 0; i < nx; i++) values.push(Math.max(1e-12, loss[j]![i]!));
  const finite = values.filter(Number.isFinite);
  const lo = opts.domain?.[0] ?? Math.min(...finite), hi = opts.domain?.[1] ?? Math.max(...finite);
  const levels = 16;
  const thresholds = Array.from({ length: levels }, (_, k) => lo * (hi / lo) ** (k / levels));
  return {
    $schema: 'https://vega.github.io/schema/vega/v6.json',
    title: { text: title },
    width: cell * nx,
    height: cell * ny,
    padding: 8,
    data: [
      { name: 'grid', values: [{ width: nx, height: ny, values }] },
      { name: 'contours', source: 'grid', transform: [{ type: 'isocontour', thresholds, scale: cell, smooth: true }] },
      { name: 'centre', values: [{ x: 0, y: 0 }] },
    ],
    scales: [
      { name: 'x', type: 'linear', domain: [xs[0]! - dx / 2, xs[nx - 1]! + dx / 2], range: 'width', zero: false, nice: false },
      { name: 'y', type: 'linear', domain: [ys[0]! - dy / 2, ys[ny - 1]! + dy / 2], range: 'height', zero: false, nice: false },
      { name: 'color', type: 'log', domain: [lo, hi], range: { scheme: 'viridis' } },
    ],
    axes: [
      { scale: 'x', orient: 'bottom', title: 'direction 1 (α)' },
      { scale: 'y', orient: 'left', title: 'direction 2 (β)' },
    ],
    legends: [{ fill: 'color', type: 'gradient', title: 'loss', gradientLength: cell * ny - 20 }],
    marks: [
      {
        type: 'path',
        from: { data: 'contours' },
        encode: { enter: { stroke: { value: '#333' }, strokeWidth: { value: 0.4 }, fill: { scale: 'color', field: 'contour.value' } } },
        transform: [{ type: 'geopath', field: 'datum.contour' }],
      },
      {
        type: 'symbol',
        from: { data: 'centre' },
        encode: { enter: { x: { scale: 'x', field: 'x' }, y: { scale: 'y', field: 'y' }, shape: { value: 'cross' }, size: { value: 60 }, fill: { value: 'white' }, stroke: { value: 'black' } } },
      },
    ],
  } as vega.Spec;
}

/** Renders a Vega (not Vega-Lite) spec to SVG with vega's headless renderer. */
export async function renderVegaSvg(spec: vega.Spec): Promise<string> {
  const view = new vega.View(vega.parse(spec), { renderer: 'none' });
  try {
    return await view.toSVG();
  } finally {
    view.finalize();
  }
}

/**
 * Several SVGs in one row (nested <svg> elements, which resvg and browsers draw), for the
 * per-run contours side by side.
 */
export function sideBySide(svgs: readonly string[], gap = 12): string {
  const size = (svg: string) => {
    const m = /<svg[^>]*\swidth="([\d.]+)"[^>]*\sheight="([\d.]+)"/.exec(svg);
    return m ? [Number(m[1]), Number(m[2])] : [400, 400];
  };
  let x = 0, h = 0;
  const parts = svgs.map((svg) => {
    const [w, hh] = size(svg) as [number, number];
    const inner = svg.replace(/<svg\b/, `<svg x="${x}" y="0"`);
    x += w + gap;
    h = Math.max(h, hh);
    return inner;
  });
  return `<svg xmlns="http://www.w3.org/2000/svg" xmlns:xlink="http://www.w3.org/1999/xlink" version="1.1" width="${Math.max(0, x - gap)}" height="${h}" viewBox="0 0 ${Math.max(0, x - gap)} ${h}"><rect width="100%" height="100%" fill="white"/>${parts.join('')}</svg>`;
}
