import { Resvg } from '@resvg/resvg-js';
import * as vega from 'vega';
import * as vl from 'vega-lite';
import type { Outcome } from './compare/collapse.js';
import { summarize } from './compare/stats.js';

/** One row of a learning curve: an epoch's metric for one optimizer and seed. */
export interface CurvePoint {
  readonly optimizer: string;
  readonly seed: number;
  readonly epoch: number;
  readonly value: number;
  /** How the run ended (default ok): failed runs are drawn dashed, labelled, and left out of the mean. */
  readonly outcome?: Outcome;
}

export interface CurveOptions {
  readonly title: string;
  readonly yTitle: string;
  /** Optimizers in the order they were asked for (legend order). */
  readonly order: readonly string[];
  /** The values the quantity can take (accuracy: [0, 100]); bands and the axis stay inside. */
  readonly range?: readonly [number, number];
  /** Log y axis (a loss whose first steps would otherwise set the scale). */
  readonly log?: boolean;
  /** The y axis spans at least this much, so small gaps are not blown up (accuracy: 10 points). */
  readonly minSpan?: number;
  /** Draw failed runs' curves (dashed) and keep them in the mean (--include-failed). */
  readonly includeFailed?: boolean;
}

/** Up to this many seeds per optimizer, each seed is drawn; above, a t band around the mean. */
export const MAX_DRAWN_SEEDS = 5;
const CONFIDENCE = 0.95;

/** The y domain: the data with a margin, at least `minSpan` wide, inside `range`. */
export function yDomain(values: readonly number[], o: Pick<CurveOptions, 'range' | 'minSpan' | 'log'>): [number, number] | undefined {
  const v = values.filter((x) => Number.isFinite(x) && (!o.log || x > 0));
  if (v.length === 0) return undefined;
  // Log axis: the data with a 15 % margin either side (vega's nice powers of ten waste the plot).
  if (o.log) return [Math.min(...v) / 1.15, Math.max(...v) * 1.15];
  let lo = Math.min(...v);
  let hi = Math.max(...v);
  const pad = Math.max((hi - lo) * 0.05, ((o.minSpan ?? 0) - (hi - lo)) / 2, 0);
  lo -= pad;
  hi += pad;
  const [rlo, rhi] = o.range ?? [Number.NEGATIVE_INFINITY, Number.POSITIVE_INFINITY];
  // Shift, rather than cut, a window that pokes out of the range, so the span survives.
  if (lo < rlo) [lo, hi] = [rlo, Math.min(rhi, hi + (rlo - lo))];
  if (hi > rhi) [lo, hi] = [Math.max(rlo, lo - (hi - rhi)), rhi];
  return [lo, hi];
}

/**
 * A Vega-Lite chart of a metric per epoch, one colour per optimizer. With up to five seeds every
 * seed is a thin line and the thick line is the mean of the runs that trained; with more, the
 * mean carries a 95 % Student-t band, cut to the quantity's range. Collapsed and diverged runs are
 * dashed and named at their last point. The legend's swatches are the line colours.
 */
export function curveSpec(points: readonly CurvePoint[], o: CurveOptions): vl.TopLevelSpec {
  const pts = points.filter((p) => Number.isFinite(p.value) && (!o.log || p.value > 0)).map((p) => ({ ...p, outcome: p.outcome ?? 'ok' }));
  const seedsPer = Math.max(0, ...o.order.map((opt) => new Set(pts.filter((p) => p.optimizer === opt).map((p) => p.seed)).size));
  const inMean = pts.filter((p) => p.outcome === 'ok' || o.includeFailed);
  const failed = pts.filter((p) => p.outcome !== 'ok');
  const drawSeeds = seedsPer <= MAX_DRAWN_SEEDS;
  // With one or two epochs a line is a dot or a segment: mark the points so each seed shows.
  const fewEpochs = new Set(pts.map((p) => p.epoch)).size <= 3;

  const x = { field: 'epoch', type: 'quantitative' as const, title: 'epoch', axis: { tickMinStep: 1, format: '~g' } };
  const means = meanCurve(inMean, o.range);
  // With a band, the axis holds the band too (it is already cut to the quantity's range).
  const domain = yDomain([...pts.map((p) => p.value), ...(drawSeeds ? [] : means.flatMap((m) => [m.lo, m.hi]))], o);
  const yScale = o.log ? { type: 'log' as const, nice: false, ...(domain ? { domain } : {}) } : { zero: false, ...(domain ? { domain, clamp: true } : {}) };
  const y = { field: 'value', type: 'quantitative' as const, title: o.yTitle, scale: yScale };
  // The colour legend draws strokes in the full line colour (the band's pale fill used to win).
  const color = { field: 'optimizer', type: 'nominal' as const, title: 'optimizer', scale: { domain: [...o.order] }, sort: [...o.order], legend: { symbolType: 'stroke', symbolStrokeWidth: 3, symbolOpacity: 1 } };
  // Every layer states the same legend (a `legend: null` in one would conflict): vega merges them
  // and would otherwise take the first layer's opacity for the swatches.
  const quiet = color;
  const dash = { field: 'outcome', type: 'nominal' as const, title: 'run', scale: { domain: ['ok', 'collapsed', 'diverged'], range: [[1, 0], [6, 4], [2, 2]] }, legend: failed.length ? {} : null };

  const layers: object[] = [];
  if (drawSeeds && seedsPer > 1) {
    layers.push({ data: { values: pts }, mark: { type: 'line', strokeWidth: 1, opacity: 0.55, ...(fewEpochs ? { point: { size: 14 } } : {}) }, encoding: { x, y, color: quiet, detail: { field: 'seed', type: 'nominal' }, strokeDash: dash } });
  } else if (!drawSeeds) {
    layers.push({ data: { values: means }, mark: { type: 'area', opacity: 0.18 }, encoding: { x, y: { ...y, field: 'lo' }, y2: { field: 'hi' }, color: quiet } });
    if (failed.length) layers.push({ data: { values: failed }, mark: { type: 'line', strokeWidth: 1 }, encoding: { x, y, color: quiet, detail: { field: 'seed', type: 'nominal' }, strokeDash: dash } });
  }
  const onePoint = seedsPer <= 1;
  layers.push({
    data: { values: onePoint ? pts : means },
    mark: { type: 'line', strokeWidth: 2.5, point: pts.length <= 200 },
    encoding: { x, y, color, ...(onePoint ? { detail: { field: 'seed', type: 'nominal' }, strokeDash: dash } : {}) },
  });
  if (failed.length) {
    // One label per optimizer and outcome ("sgd s0, s2 collapsed"), at the last point of its first such run.
    const groups = new Map<string, (typeof failed)[number][]>();
    for (const p of failed) groups.set(`${p.optimizer}|${p.outcome}`, [...(groups.get(`${p.optimizer}|${p.outcome}`) ?? []), p]);
    const labels = [...groups.values()].map((g) => {
      const seeds = [...new Set(g.map((p) => p.seed))].sort((a, b) => a - b);
      const first = g.filter((p) => p.seed === seeds[0]);
      return { ...first.reduce((a, b) => (b.epoch > a.epoch ? b : a)), label: `${g[0]!.optimizer} ${seeds.map((s) => `s${s}`).join(', ')} ${g[0]!.outcome}` };
    });
    layers.push({
      data: { values: labels },
      mark: { type: 'text', align: 'right', dx: -4, dy: -7, fontSize: 10 },
      encoding: { x, y, text: { field: 'label' }, color: quiet },
    });
  }
  const meanOf = o.includeFailed ? 'mean of all runs (--include-failed)' : 'mean of the runs that trained';
  const subtitle =
    seedsPer <= 1
      ? '1 seed: no band; the seed-to-seed spread is unknown'
      : drawSeeds
        ? `${seedsPer} seeds per optimizer: thin lines = each seed, thick = ${meanOf}${failed.length ? '; dashed = failed runs' : ''}`
        : `${seedsPer} seeds per optimizer: ${meanOf}, band = ${Math.round(CONFIDENCE * 100)} % Student-t interval${failed.length ? '; dashed = failed runs' : ''}`;
  return {
    $schema: 'https://vega.github.io/schema/vega-lite/v6.json',
    title: { text: o.title, subtitle },
    width: 480,
    height: 280,
    layer: layers,
  } as vl.TopLevelSpec;
}

/** Per optimizer and epoch: the mean over seeds and its t interval, cut to `range`. */
function meanCurve(pts: readonly { optimizer: string; epoch: number; value: number }[], range: CurveOptions['range']) {
  const groups = new Map<string, { optimizer: string; epoch: number; values: number[] }>();
  for (const p of pts) {
    const k = `${p.optimizer}|${p.epoch}`;
    const g = groups.get(k) ?? { optimizer: p.optimizer, epoch: p.epoch, values: [] };
    g.values.push(p.value);
    groups.set(k, g);
  }
  const [rlo, rhi] = range ?? [Number.NEGATIVE_INFINITY, Number.POSITIVE_INFINITY];
  return [...groups.values()].map((g) => {
    const s = summarize(g.values, CONFIDENCE);
    const lo = s.n > 1 ? Math.max(rlo, s.ci[0]) : s.mean;
    const hi = s.n > 1 ? Math.min(rhi, s.ci[1]) : s.mean;
    return { optimizer: g.optimizer, epoch: g.epoch, value: s.mean, lo, hi };
  });
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
