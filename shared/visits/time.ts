import { DateTime, Duration } from 'luxon';

/**
 * Visits live on a 5-minute grid: start on a multiple of 5 minutes, last a multiple of 5
 * minutes, at most two hours. The grid is what makes double booking impossible with plain
 * conditional writes: a visit claims one lock item per 5-minute bucket for its staff member and
 * for its citizen, so two overlapping visits always compete for at least one item. Two hours is
 * 24 buckets per party; with the visit, its audit record and an availability check, a
 * reschedule that moves both parties (release 48 + take 48 + 3) still fits the 100 actions of
 * one TransactWriteItems.
 */
export const SLOT_MINUTES = 5;
export const MAX_VISIT_MINUTES = 120;
/** Milliseconds of `n` minutes, for arithmetic on instants. */
export const minutesMs = (n: number): number => Duration.fromObject({ minutes: n }).toMillis();
const SLOT_MS = minutesMs(SLOT_MINUTES);

/** The municipality's offsets are whole hours, so the UTC grid is the wall-clock grid too. */
export function isOnGrid(at: Date): boolean {
  return at.getTime() % SLOT_MS === 0;
}

export function isValidDuration(minutes: number): boolean {
  return (
    Number.isInteger(minutes) && minutes >= SLOT_MINUTES && minutes <= MAX_VISIT_MINUTES && minutes % SLOT_MINUTES === 0
  );
}

export function addMinutes(at: Date, minutes: number): Date {
  return DateTime.fromJSDate(at).plus({ minutes }).toJSDate();
}

/** The 5-minute buckets [start, end) covers, as UTC ISO strings (the lock items' sort keys). */
export function slotBuckets(start: Date, end: Date): string[] {
  const buckets: string[] = [];
  for (let t = Math.floor(start.getTime() / SLOT_MS) * SLOT_MS; t < end.getTime(); t += SLOT_MS)
    buckets.push(new Date(t).toISOString());
  return buckets;
}

/** Rounds a duration from a grant (any minutes) onto the grid, within 5..120. */
export function gridDuration(minutes: number): number {
  const rounded = Math.ceil(minutes / SLOT_MINUTES) * SLOT_MINUTES;
  return Math.min(MAX_VISIT_MINUTES, Math.max(SLOT_MINUTES, rounded));
}

/** An instant as ISO 8601 with the municipality's offset, e.g. `2026-10-25T08:00:00.000+01:00`. */
export function toZonedIso(at: Date | string, zone: string): string {
  const dt = DateTime.fromJSDate(typeof at === 'string' ? new Date(at) : at, { zone });
  return dt.toISO() ?? new Date(at).toISOString();
}

/** The instant of a wall-clock time on a local date; `24:00` is the next day's midnight. */
export function wallClockInstant(date: string, time: string, zone: string): DateTime {
  const day = DateTime.fromISO(date, { zone }).startOf('day');
  if (time === '24:00') return day.plus({ days: 1 }).startOf('day');
  const [hour = 0, minute = 0] = time.split(':').map(Number);
  // Luxon moves a time that does not exist (spring-forward gap) forward and takes the earlier
  // of a repeated one (fall-back), which is what a person reading a clock would expect.
  return DateTime.fromObject({ year: day.year, month: day.month, day: day.day, hour, minute }, { zone });
}

/** Local bounds of a day (`YYYY-MM-DD`) or ISO week (`2026-W44`), as UTC instants. */
export function localPeriod(
  period: { date?: string | undefined; week?: string | undefined },
  zone: string,
): { from: Date; to: Date } | undefined {
  if (period.date) {
    const start = DateTime.fromISO(period.date, { zone }).startOf('day');
    return { from: start.toJSDate(), to: start.plus({ days: 1 }).toJSDate() };
  }
  if (period.week) {
    const start = DateTime.fromISO(`${period.week}-1`, { zone }).startOf('day');
    return { from: start.toJSDate(), to: start.plus({ weeks: 1 }).toJSDate() };
  }
  return undefined;
}
