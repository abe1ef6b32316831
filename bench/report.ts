/**
 * The one table `npm run bench` prints: every figure as a row with what was measured, its floor,
 * the ratio ours/floor, the target and whether it was met. Pure, so it is tested.
 */
export type Verdict = 'met' | 'missed' | 'info' | 'not measured';

export interface ReportRow {
  figure: string;
  case: string;
  measured: string;
  floor: string;
  ratio: string;
  target: string;
  result: Verdict | string;
}

export const COLUMNS: (keyof ReportRow)[] = ['figure', 'case', 'measured', 'floor', 'ratio', 'target', 'result'];

/** Fixed decimals for a figure; NaN (not measured) prints as `n/a`. */
export function fmt(value: number, digits = 1, unit = ''): string {
  if (!Number.isFinite(value)) return 'n/a';
  return `${value.toFixed(digits)}${unit}`;
}

/** A plain-text table with a header rule; columns as wide as their widest cell. */
export function renderTable(rows: readonly ReportRow[]): string {
  const widths = COLUMNS.map((c) => Math.max(c.length, ...rows.map((r) => r[c].length)));
  const line = (cells: string[]) => `| ${cells.map((cell, i) => cell.padEnd(widths[i] ?? 0)).join(' | ')} |`;
  const rule = `|${widths.map((w) => '-'.repeat(w + 2)).join('|')}|`;
  return [line(COLUMNS.map(String)), rule, ...rows.map((r) => line(COLUMNS.map((c) => r[c])))].join('\n');
}

/** `met` when a value is on the right side of its limit; `not measured` when there is no value. */
export function verdict(value: number, limit: number, direction: 'atLeast' | 'below' | 'atMost'): Verdict {
  if (!Number.isFinite(value)) return 'not measured';
  const ok = direction === 'atLeast' ? value >= limit : direction === 'below' ? value < limit : value <= limit;
  return ok ? 'met' : 'missed';
}
