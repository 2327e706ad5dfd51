import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { curveSpec, renderSvg, svgToPng, type CurvePoint } from '../plots.js';
import { writeFileAtomic } from '../train/run-dir.js';
import type { CompareRow, RunResult } from './aggregate.js';
import { markdownTable, TABLE_HEADER, tableCells } from './table.js';

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
  readonly rows: readonly CompareRow[];
  readonly baseline: string;
  readonly results: readonly RunResult[];
  readonly stepsPerEpoch: number;
}

/** Writes summary.md, the CSVs and the loss/accuracy plots (SVG and PNG); returns the summary path. */
export async function writeReport(r: ReportInput): Promise<string> {
  const f = (k: keyof typeof REPORT_FILES) => path.join(r.dir, REPORT_FILES[k]);
  writeFileAtomic(
    f('results'),
    csv([
      ['optimizer', 'seeds', 'diverged', 'best_acc_mean', 'best_acc_std', 'final_acc_mean', 'final_acc_std', 'train_loss_mean', 'train_loss_std', 'epoch_seconds', 'step_ms', 'step_time_ratio', 'mask_density'],
      ...r.rows.map((x) => [x.optimizer, x.seeds, x.diverged, x.bestAcc.mean, x.bestAcc.std, x.finalAcc.mean, x.finalAcc.std, x.trainLoss.mean, x.trainLoss.std, x.epochSeconds, x.stepMs, x.stepRatio, x.maskDensity]),
    ]),
  );
  writeFileAtomic(
    f('curves'),
    csv([
      ['optimizer', 'seed', 'epoch', 'step', 'lr', 'train_loss', 'train_acc', 'test_loss', 'test_acc', 'mask_density', 'seconds'],
      ...r.results.flatMap((x) => x.summary.history.map((h) => [x.optimizer, x.seed, h.epoch, h.step, h.lr, h.trainLoss, h.trainAcc, h.testLoss, h.testAcc, h.maskDensity, h.seconds])),
    ]),
  );
  const lossPoints = r.results.flatMap((x) => lossCurve(x, r.stepsPerEpoch));
  const accPoints = r.results.flatMap((x) => x.summary.history.map((h) => ({ optimizer: x.optimizer, seed: x.seed, epoch: h.epoch, value: h.testAcc * 100 })));
  for (const [points, title, y, svg, png] of [
    [lossPoints, 'Training loss', 'train loss (window mean)', f('lossSvg'), f('lossPng')],
    [accPoints, 'Test accuracy', 'test accuracy (%)', f('accSvg'), f('accPng')],
  ] as const) {
    const text = await renderSvg(curveSpec(points, title, y, r.rows.map((x) => x.optimizer)));
    writeFileAtomic(svg, text);
    writeFileAtomic(png, svgToPng(text));
  }
  const seeds = Math.max(...r.rows.map((x) => x.seeds));
  const md = [
    `# ${r.title}`,
    '',
    ...r.setup.map((s) => `- ${s}`),
    '',
    `Accuracy and loss: ${seeds > 1 ? `mean ± standard deviation over ${seeds} seeds` : 'one seed'}; best = the best epoch's test accuracy, final = the last epoch's. Step time relative to ${r.baseline}. Mask density: fraction of weights perturbed (1 for SAM, – for SGD); for ssam-f-implicit, the fraction of weights that pass 1's input gradients flow through (its ε is dense).`,
    '',
    markdownTable(TABLE_HEADER, tableCells(r.rows)),
    '![training loss](loss.svg)',
    '',
    '![test accuracy](accuracy.svg)',
    '',
    `Per-epoch numbers: [curves.csv](curves.csv); the table: [results.csv](results.csv); each run's folder (config.json, metrics.csv, steps.jsonl, checkpoint/): ${[...new Set(r.results.map((x) => `[${path.basename(x.dir)}](runs/${path.basename(x.dir)}/)`))].join(', ')}.`,
    ...r.results.filter((x) => x.summary.status === 'diverged').map((x) => `\n**${x.optimizer}, seed ${x.seed} diverged:** ${x.summary.message ?? ''}`),
    '',
  ].join('\n');
  writeFileAtomic(f('summary'), md);
  return f('summary');
}
