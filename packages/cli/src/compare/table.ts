import type { CompareRow } from './aggregate.js';

const acc = (m: { mean: number; std: number; n: number }): string =>
  m.n === 0 ? 'n/a' : m.n === 1 ? `${(m.mean * 100).toFixed(2)}` : `${(m.mean * 100).toFixed(2)} ± ${(m.std * 100).toFixed(2)}`;
const loss = (m: { mean: number; std: number; n: number }): string =>
  m.n === 0 ? 'n/a' : m.n === 1 ? m.mean.toFixed(4) : `${m.mean.toFixed(4)} ± ${m.std.toFixed(4)}`;
const fixed = (x: number, d: number, suffix = ''): string => (Number.isFinite(x) ? `${x.toFixed(d)}${suffix}` : '–');

export const TABLE_HEADER = ['optimizer', 'best test acc %', 'final test acc %', 'train loss', 's / epoch', 'ms / step', 'step time', 'mask density'] as const;

/** The table's cells, one array of strings per optimizer. */
export function tableCells(rows: readonly CompareRow[]): string[][] {
  return rows.map((r) => [
    r.diverged ? `${r.optimizer} (${r.diverged}/${r.seeds} diverged)` : r.optimizer,
    acc(r.bestAcc), acc(r.finalAcc), loss(r.trainLoss),
    fixed(r.epochSeconds, 1), fixed(r.stepMs, 1), fixed(r.stepRatio, 2, '×'), fixed(r.maskDensity, 2),
  ]);
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
