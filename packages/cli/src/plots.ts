import { Resvg } from '@resvg/resvg-js';
import * as vega from 'vega';
import * as vl from 'vega-lite';

/** One row of a learning curve: an epoch's metric for one optimizer (and seed). */
export interface CurvePoint {
  readonly optimizer: string;
  readonly seed: number;
  readonly epoch: number;
  readonly value: number;
}

/**
 * A Vega-Lite line chart of `metric` per epoch, one colour per optimizer; with several seeds the
 * line is the mean and a band shows ± one standard deviation (as the table).
 */
export function curveSpec(points: readonly CurvePoint[], title: string, yTitle: string, order?: readonly string[]): vl.TopLevelSpec {
  const multiSeed = new Set(points.map((p) => p.seed)).size > 1;
  const x = { field: 'epoch', type: 'quantitative' as const, title: 'epoch', axis: { tickMinStep: 1 } };
  // The legend lists optimizers in the order they were asked for, not alphabetically.
  const color = { field: 'optimizer', type: 'nominal' as const, title: 'optimizer', ...(order ? { scale: { domain: [...order] }, sort: [...order] } : {}) };
  const line = {
    mark: { type: 'line' as const, point: true },
    encoding: { x, y: { aggregate: 'mean' as const, field: 'value', type: 'quantitative' as const, title: yTitle, scale: { zero: false } }, color },
  };
  const band = {
    mark: { type: 'errorband' as const, extent: 'stdev' as const, opacity: 0.2 },
    encoding: { x, y: { field: 'value', type: 'quantitative' as const, title: yTitle }, color },
  };
  return {
    $schema: 'https://vega.github.io/schema/vega-lite/v6.json',
    title,
    width: 480,
    height: 280,
    data: { values: points.map((p) => ({ ...p })) },
    layer: multiSeed ? [band, line] : [line],
  } as vl.TopLevelSpec;
}

/** Renders a Vega-Lite spec to an SVG string (vega's headless renderer, no browser). */
export async function renderSvg(spec: vl.TopLevelSpec): Promise<string> {
  const view = new vega.View(vega.parse(vl.compile(spec).spec), { renderer: 'none' });
  try {
    return await view.toSVG();
  } finally {
    view.finalize();
  }
}

/** Rasterises an SVG to PNG with resvg, on a white background. */
export function svgToPng(svg: string, scale = 2): Uint8Array {
  const r = new Resvg(svg, { background: 'white', fitTo: { mode: 'zoom', value: scale }, font: { loadSystemFonts: true } });
  return r.render().asPng();
}
