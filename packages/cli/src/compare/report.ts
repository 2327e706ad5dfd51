import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { curveSpec, renderSvg, svgToPng, type CurvePoint } from '../plots.js';
import { writeFileAtomic } from '../train/run-dir.js';
import type { Comparison, RunResult } from './aggregate.js';
import { markdownTable, tableCells, tableHeader, tableNotes } from './table.js';

/** Files of a comparison report, relative to its folder. */
export const REPORT_FILES = {
  summary: 'summary.md',
  results: 'results.csv',
  curves: 'curves.csv',
  lossSvg: 'loss.svg',
  lossPng: 'loss.png',
  accSvg: 'accuracy.svg',
  accPng: 'accuracy.png',
} as const;

const POINTS_PER_EPOCH = 10;

/** Training loss averaged over windows of steps (x in fractional epochs), from a run's steps.jsonl. */
export function lossCurve(r: RunResult, stepsPerEpoch: number): CurvePoint[] {
  const file = path.join(r.dir, 'steps.jsonl');
  if (!existsSync(file)) return [];
  const steps = readFileSync(file, 'utf8').split('\n').filter(Boolean).map((l) => JSON.parse(l) as { step: number; loss: number });
  const window = Math.max(1, Math.round(stepsPerEpoch / POINTS_PER_EPOCH));
  const out: CurvePoint[] = [];
  for (let i = 0; i < steps.length; i += window) {
    const part = steps.slice(i, i + window);
    const last = part.at(-1)!.step + 1;
    out.push({ optimizer: r.optimizer, seed: r.seed, epoch: Number((last / stepsPerEpoch).toFixed(4)), value: part.reduce((a, s) => a + s.loss, 0) / part.length });
  }
  return out;
}

const csv = (rows: readonly (readonly (string | number)[])[]): string =>
  rows.map((r) => r.map((c) => (typeof c === 'number' ? (Number.isFinite(c) ? String(Number(c.toPrecision(8))) : '') : /[",\n]/.test(c) ? `"${c.replace(/"/g, '""')}"` : c)).join(',')).join('\n') + '\n';

export interface ReportInput {
  readonly dir: string;
  readonly title: string;
  /** Setup lines for the Markdown (data, model, budget, backend...). */
  readonly setup: readonly string[];
  readonly comparison: Comparison;
  readonly results: readonly RunResult[];
  readonly stepsPerEpoch: number;
  /** Markdown lines placed after the plots (the sharpness section of --sharpness). */
  readonly sections?: readonly string[];
}

/** results.csv: one `aggregate` row per optimizer, then one `run` row per optimizer and seed (whose `_mean` is the run's value). */
export function resultsCsv(c: Comparison): string {
  const stats = ['mean', 'std', 'ci_low', 'ci_high', 'median', 'min', 'max'] as const;
  const diff = ['diff', 'diff_ci_low', 'diff_ci_high', 'diff_seeds'] as const;
  const header = [
    'row', 'optimizer', 'seed', 'status', 'seeds', 'collapsed', 'diverged', 'n',
    ...c.metrics.flatMap((m) => [...stats, ...diff].map((s) => `${m.csv}_${s}`)),
    'reference', 'epoch_seconds', 'step_ms', 'step_cpu_ms', 'step_time_ratio', 'timed_steps', 'mask_density',
  ];
  const blank = (k: number) => Array.from({ length: k }, () => '');
  const agg = c.rows.map((r) => [
    'aggregate', r.optimizer, '', '', r.seeds, r.collapsed, r.diverged, r.runs.filter((x) => x.included).length,
    ...c.metrics.flatMap((m) => {
      const s = r.metrics[m.key]!;
      const d = r.paired?.[m.key];
      return [s.mean, s.std, s.ci[0], s.ci[1], s.median, s.min, s.max, ...(d ? [d.mean, d.ci[0], d.ci[1], d.n] : blank(4))];
    }),
    c.reference, r.epochSeconds, r.stepMs, r.cpuMs, r.stepRatio, Math.min(...r.runs.map((x) => x.timing.steps)), r.maskDensity,
  ]);
  const runs = c.rows.flatMap((r) =>
    r.runs.map((x) => [
      'run', r.optimizer, x.seed, x.outcome, 1, Number(x.outcome === 'collapsed'), Number(x.outcome === 'diverged'), Number(x.included),
      ...c.metrics.flatMap((m) => [x.values[m.key]!, ...blank(stats.length - 1 + diff.length)]),
      c.reference, '', x.timing.wallMs, x.timing.cpuMs, '', x.timing.steps, '',
    ]),
  );
  return csv([header, ...agg, ...runs]);
}

// NOTE: a literal * in a Markdown table cell would start emphasis.
const mdEscape = (s: string): string => s.replace(/\*/g, '\\*');

/** Writes summary.md, the CSVs and the loss/accuracy plots (SVG and PNG); returns the summary path. */
export async function writeReport(r: ReportInput): Promise<string> {
  const f = (k: keyof typeof REPORT_FILES) => path.join(r.dir, REPORT_FILES[k]);
  const c = r.comparison;
  writeFileAtomic(f('results'), resultsCsv(c));
  writeFileAtomic(
    f('curves'),
    csv([
      ['optimizer', 'seed', 'epoch', 'step', 'lr', 'train_loss', 'train_acc', 'test_loss', 'test_acc', 'mask_density', 'seconds'],
      ...r.results.flatMap((x) => x.summary.history.map((h) => [x.optimizer, x.seed, h.epoch, h.step, h.lr, h.trainLoss, h.trainAcc, h.testLoss, h.testAcc, h.maskDensity, h.seconds])),
    ]),
  );
  const outcome = new Map(c.rows.flatMap((row) => row.runs.map((x) => [`${row.optimizer}|${x.seed}`, x.outcome] as const)));
  const tag = <T extends { optimizer: string; seed: number }>(p: T) => ({ ...p, outcome: outcome.get(`${p.optimizer}|${p.seed}`) ?? 'ok' });
  const lossPoints = r.results.flatMap((x) => lossCurve(x, r.stepsPerEpoch)).map(tag);
  const accPoints = r.results.flatMap((x) => x.summary.history.map((h) => tag({ optimizer: x.optimizer, seed: x.seed, epoch: h.epoch, value: h.testAcc * 100 })));
  const order = c.rows.map((x) => x.optimizer);
  const plots = [
    [lossPoints, { title: 'Training loss', yTitle: 'train loss (window mean, log scale)', order, log: true, includeFailed: c.includeFailed }, f('lossSvg'), f('lossPng')],
    [accPoints, { title: 'Test accuracy', yTitle: 'test accuracy (%)', order, range: [0, 100], minSpan: 10, includeFailed: c.includeFailed }, f('accSvg'), f('accPng')],
  ] as const;
  for (const [points, opts, svg, png] of plots) {
    const text = await renderSvg(curveSpec(points, opts));
    writeFileAtomic(svg, text);
    writeFileAtomic(png, svgToPng(text));
  }
  const md = [
    `# ${r.title}`,
    '',
    ...r.setup.map((s) => `- ${s}`),
    '',
    `Best = the best epoch's test accuracy (picked on the test set, so it flatters), final = the last epoch's. Mask density: fraction of weights perturbed (1 for SAM, – for SGD); for ssam-f-implicit, the fraction of weights that pass 1's input gradients flow through (its ε is dense).`,
    '',
    markdownTable(tableHeader(c), tableCells(c).map((row) => row.map(mdEscape))),
    // Plain lines become paragraphs; the indented verdicts a list, closed by a blank line.
    ...tableNotes(c).map((l, i, all) => (l.startsWith('  ') ? `- ${mdEscape(l.trim())}${all[i + 1]?.startsWith('  ') ? '' : '\n'}` : `${mdEscape(l)}\n`)),
    '![training loss](loss.svg)',
    '',
    '![test accuracy](accuracy.svg)',
    '',
    ...(r.sections ?? []),
    `Per-epoch numbers: [curves.csv](curves.csv); the table, with one row per run: [results.csv](results.csv); each run's folder (config.json, metrics.csv, steps.jsonl, timing.json, checkpoint/): ${[...new Set(r.results.map((x) => `[${path.basename(x.dir)}](runs/${path.basename(x.dir)}/)`))].join(', ')}.`,
    '',
  ].join('\n');
  writeFileAtomic(f('summary'), md);
  return f('summary');
}
