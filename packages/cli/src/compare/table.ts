import { VERDICT_METRIC, verdict, type CompareRow, type Comparison, type MetricDef } from './aggregate.js';
import { collapseRule } from './collapse.js';
import type { SampleSummary } from './stats.js';

/** Up to this many seeds, the table lists each one; above, their median and range. */
export const MAX_LISTED_SEEDS = 5;

const FAILED_MARK = { ok: '', collapsed: '*', diverged: '†' } as const;

const num = (x: number, m: MetricDef): string => (Number.isFinite(x) ? (x * m.scale).toFixed(m.digits) : '–');

/** The mean, with its t interval from two values on. */
function meanCell(s: SampleSummary | undefined, m: MetricDef): string {
  if (!s || s.n === 0) return 'n/a';
  if (s.n === 1) return num(s.mean, m);
  return `${num(s.mean, m)} [${num(s.ci[0], m)}, ${num(s.ci[1], m)}]`;
}

/** Each seed's final/best accuracy (failed runs marked), or their medians and ranges with many seeds. */
function perSeedCell(r: CompareRow, metrics: readonly MetricDef[]): string {
  const show = ['finalAcc', 'bestAcc'].map((k) => metrics.find((m) => m.key === k)).filter((m): m is MetricDef => m !== undefined);
  const short = (x: number, m: MetricDef) => (Number.isFinite(x) ? (x * m.scale).toFixed(1) : '–');
  if (r.runs.length <= MAX_LISTED_SEEDS) return r.runs.map((x) => show.map((m) => short(x.values[m.key]!, m)).join('/') + FAILED_MARK[x.outcome]).join('  ');
  const ok = r.runs.filter((x) => x.included);
  const range = (m: MetricDef) => {
    const v = ok.map((x) => x.values[m.key]!).filter(Number.isFinite).sort((a, b) => a - b);
    if (v.length === 0) return 'n/a';
    const mid = v.length >> 1;
    const med = v.length % 2 ? v[mid]! : (v[mid - 1]! + v[mid]!) / 2;
    return `${short(med, m)} (${short(v[0]!, m)}–${short(v.at(-1)!, m)})`;
  };
  return show.map(range).join(' / ');
}

const fixed = (x: number, d: number, suffix = ''): string => (Number.isFinite(x) ? `${x.toFixed(d)}${suffix}` : '–');

/** The header of the table for these metrics. */
export function tableHeader(c: Comparison): string[] {
  const many = c.rows.some((r) => r.runs.length > MAX_LISTED_SEEDS);
  const perSeed = perSeedShown(c) ? [many ? 'median (min–max) final/best' : 'per seed final/best'] : [];
  return ['optimizer', 'seeds', ...c.metrics.map((m) => m.label), ...perSeed, 'CPU ms / step', 'step time', 'mask density'];
}

/** With one seed everywhere, the per-seed column would repeat the means. */
const perSeedShown = (c: Comparison): boolean => c.rows.some((r) => r.runs.length > 1);

/** The table's cells, one array of strings per optimizer. */
export function tableCells(c: Comparison): string[][] {
  return c.rows.map((r) => {
    const failed = [r.collapsed ? `${r.collapsed} collapsed` : '', r.diverged ? `${r.diverged} diverged` : ''].filter(Boolean).join(', ');
    return [
      r.optimizer,
      failed ? `${r.seeds} (${failed})` : String(r.seeds),
      ...c.metrics.map((m) => meanCell(r.metrics[m.key], m)),
      ...(perSeedShown(c) ? [perSeedCell(r, c.metrics)] : []),
      fixed(Number.isFinite(r.cpuMs) ? r.cpuMs : r.stepMs, 1), fixed(r.stepRatio, 2, '×'), fixed(r.maskDensity, 2),
    ];
  });
}

/** The lines under the table: what the numbers are, which runs failed, the paired verdicts, the timing caveat. */
export function tableNotes(c: Comparison): string[] {
  const seeds = Math.max(0, ...c.rows.map((r) => r.seeds));
  const pct = Math.round(c.confidence * 100);
  const lines = [
    seeds > 1
      ? `Means over the runs that trained (${c.includeFailed ? 'failed runs included: --include-failed' : 'collapsed and diverged runs left out'}), with ${pct} % Student-t intervals over seeds in brackets; per seed: final/best test accuracy %, * collapsed, † diverged.`
      : 'One seed: no interval, and no comparison is possible (run --seeds 3 or more).',
  ];
  const failed = c.rows.flatMap((r) => r.runs.filter((x) => x.outcome !== 'ok').map((x) => `${r.optimizer} seed ${x.seed} ${x.outcome} (${x.why ?? ''})`));
  if (failed.length) lines.push(`${c.includeFailed ? 'Failed runs, kept in the means (--include-failed)' : 'Left out of the means (--include-failed keeps them)'}: ${failed.join('; ')}. (${collapseRule(c.chance)}.)`);
  const m = c.metrics.find((x) => x.key === VERDICT_METRIC);
  if (m && seeds > 1) {
    lines.push(`Paired by seed against ${c.reference} (final test accuracy, difference and its ${pct} % t interval; each interval on its own, not adjusted for the number of comparisons):`);
    for (const r of c.rows) if (r.paired) lines.push(`  ${verdict(r, c.reference, m, c.confidence)}`);
  }
  lines.push(
    `CPU ms / step: median CPU time of a step (all threads) after warm-up (the first 10 % of each run's steps), which a busy machine inflates less than the wall clock (in results.csv, step_ms); step time: relative to ${c.timeBaseline}.` +
      (c.timingCaveat ? ` Caveat: ${c.timingCaveat}.` : ''),
  );
  return lines;
}

/** A plain-text table with aligned columns (numbers right-aligned). */
export function textTable(header: readonly string[], cells: readonly (readonly string[])[]): string {
  const widths = header.map((h, j) => Math.max(h.length, ...cells.map((r) => r[j]!.length)));
  const line = (r: readonly string[]) => r.map((c, j) => (j === 0 ? c.padEnd(widths[j]!) : c.padStart(widths[j]!))).join('  ');
  return [line(header), widths.map((w) => '─'.repeat(w)).join('  '), ...cells.map(line)].join('\n') + '\n';
}

/** The same table in Markdown. */
export function markdownTable(header: readonly string[], cells: readonly (readonly string[])[]): string {
  const row = (r: readonly string[]) => `| ${r.join(' | ')} |`;
  return [row(header), `|${header.map((_, j) => (j === 0 ? ' --- ' : ' ---: ')).join('|')}|`, ...cells.map(row)].join('\n') + '\n';
}
