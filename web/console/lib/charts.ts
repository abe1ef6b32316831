/**
 * Chart geometry, pure: the console draws these as SVG. Kept apart from the DOM so the shapes
 * are unit-tested (a chart is a picture, but its numbers are checked).
 */
export type DoseOutcome = 'taken_on_time' | 'taken_late' | 'missed' | 'no_data' | 'pending';

export interface Dose {
  readonly date: string;
  readonly time: string;
  readonly outcome: DoseOutcome;
}

export interface Cell {
  readonly x: number;
  readonly y: number;
  readonly width: number;
  readonly height: number;
  readonly outcome: DoseOutcome;
  readonly label: string;
}

export interface AdherenceGrid {
  readonly width: number;
  readonly height: number;
  readonly cells: readonly Cell[];
  /** Columns: the dates, left to right. */
  readonly dates: readonly { date: string; x: number }[];
  /** Rows: the dose times of the day, top to bottom. */
  readonly times: readonly { time: string; y: number }[];
}

/** Every local date from `from` to `to`, inclusive (`YYYY-MM-DD`, calendar arithmetic in UTC). */
export function datesBetween(from: string, to: string): string[] {
  const out: string[] = [];
  for (let d = Date.parse(`${from}T00:00:00Z`); d <= Date.parse(`${to}T00:00:00Z`); d += 86_400_000)
    out.push(new Date(d).toISOString().slice(0, 10));
  return out;
}

/**
 * The 30-day adherence picture: one column per date, one row per dose time, one square per
 * planned dose coloured by its outcome. A date with no planned dose at a time stays empty.
 */
export function adherenceGrid(
  doses: readonly Dose[],
  from: string,
  to: string,
  layout = { cell: 14, gap: 2, left: 44, top: 8, bottom: 22 },
): AdherenceGrid {
  const dates = datesBetween(from, to);
  const times = [...new Set(doses.map((d) => d.time))].sort();
  const pitch = layout.cell + layout.gap;
  const col = new Map(dates.map((date, i) => [date, layout.left + i * pitch]));
  const row = new Map(times.map((time, i) => [time, layout.top + i * pitch]));
  const cells: Cell[] = [];
  for (const dose of doses) {
    const x = col.get(dose.date);
    const y = row.get(dose.time);
    if (x === undefined || y === undefined) continue;
    cells.push({
      x,
      y,
      width: layout.cell,
      height: layout.cell,
      outcome: dose.outcome,
      label: `${dose.date} ${dose.time}`,
    });
  }
  return {
    width: layout.left + dates.length * pitch,
    height: layout.top + Math.max(1, times.length) * pitch + layout.bottom,
    cells,
    dates: dates.map((date) => ({ date, x: col.get(date) ?? 0 })),
    times: times.map((time) => ({ time, y: row.get(time) ?? 0 })),
  };
}

export interface LinePoint {
  readonly x: number;
  readonly y: number;
  readonly label: string;
  readonly value: number;
}

/** A line over time for shares (0..1): points and the SVG path. */
export function shareLine(
  values: readonly { label: string; share: number }[],
  size = { width: 360, height: 160, pad: 28 },
): { points: LinePoint[]; path: string } {
  const span = Math.max(1, values.length - 1);
  const inner = { w: size.width - 2 * size.pad, h: size.height - 2 * size.pad };
  const points = values.map((v, i) => {
    const share = Math.min(1, Math.max(0, v.share));
    return {
      x: round(size.pad + (values.length === 1 ? inner.w / 2 : (i / span) * inner.w)),
      y: round(size.pad + (1 - share) * inner.h),
      label: v.label,
      value: share,
    };
  });
  const path = points.map((p, i) => `${i === 0 ? 'M' : 'L'}${p.x} ${p.y}`).join(' ');
  return { points, path };
}

export interface Bar {
  readonly x: number;
  readonly y: number;
  readonly width: number;
  readonly height: number;
  readonly key: string;
  readonly value: number;
}

/** Grouped bars (e.g. completed vs missed per week) on one scale from zero. */
export function groupedBars(
  groups: readonly { label: string; values: Readonly<Record<string, number>> }[],
  keys: readonly string[],
  size = { width: 360, height: 160, pad: 28, barGap: 2, groupGap: 10 },
): { bars: Bar[]; max: number; groupX: { label: string; x: number }[] } {
  const max = Math.max(1, ...groups.flatMap((g) => keys.map((k) => g.values[k] ?? 0)));
  const inner = { w: size.width - 2 * size.pad, h: size.height - 2 * size.pad };
  const groupWidth = groups.length === 0 ? 0 : inner.w / groups.length;
  const barWidth = Math.max(1, (groupWidth - size.groupGap) / Math.max(1, keys.length) - size.barGap);
  const bars: Bar[] = [];
  const groupX: { label: string; x: number }[] = [];
  groups.forEach((g, gi) => {
    const x0 = size.pad + gi * groupWidth + size.groupGap / 2;
    groupX.push({ label: g.label, x: round(x0 + (groupWidth - size.groupGap) / 2) });
    keys.forEach((key, ki) => {
      const value = g.values[key] ?? 0;
      const height = round((value / max) * inner.h);
      bars.push({
        x: round(x0 + ki * (barWidth + size.barGap)),
        y: round(size.pad + inner.h - height),
        width: round(barWidth),
        height,
        key,
        value,
      });
    });
  });
  return { bars, max, groupX };
}

const round = (n: number) => Math.round(n * 10) / 10;
